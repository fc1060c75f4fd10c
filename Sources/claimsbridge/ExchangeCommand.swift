import ArgumentParser
import ClaimsBridge
import ClaimsBridgeCarrierSimulator
import ClaimsBridgeTransports
import Foundation

struct ExchangeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exchange",
        abstract: "Send one CDAnet request to a carrier destination and print the carrier's reply (real time).",
        discussion: """
            The request is a CDAnet message, or a model JSON message (claim, eligibilityRequest, …) that is \
            translated first; --from says which (default: JSON when it starts with "{"). The reply is printed as \
            model JSON (or, with --reply-format cdanet, as the carrier's bytes). The destination must be of type \
            carrier in the delivery configuration. Nothing goes through the outbox: a failed exchange is reported \
            and not retried. Exit codes: 0 the carrier replied; 1 no usable reply (refused, timed out, dropped, \
            garbage) or a request that cannot be translated; 64 wrong command line.
            """)

    @Option(name: .long, help: "The delivery configuration file (YAML).")
    var config: String

    @Option(help: "The carrier destination's name in the configuration.")
    var destination: String

    @Option(help: "The request file (default: standard input).")
    var input: String?

    @Option(help: "The request's format: cdanet or json (default: json when it starts with \"{\").")
    var from: String?

    @Option(help: "How to print the reply: json (model JSON, default) or cdanet.")
    var replyFormat: String = "json"

    @Option(name: .customLong("header"), help: "An extra request header, \"Name: value\" (repeatable).")
    var headers: [String] = []

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if let from, !["cdanet", "json"].contains(from) { throw ValidationError("--from must be cdanet or json") }
        guard ["json", "cdanet"].contains(replyFormat) else {
            throw ValidationError("--reply-format must be json or cdanet")
        }
        for header in headers where !header.contains(":") {
            throw ValidationError("--header must be \"Name: value\"")
        }
    }

    func run() async throws {
        let configuration = try DeliveryConfiguration.load(path: config)
        guard let target = configuration.destination(destination) else {
            let names = configuration.destinations.map(\.name).joined(separator: ", ")
            throw ValidationError("\(config) has no destination \(destination) (it has: \(names))")
        }
        guard let carrier = try target.makeTransport() as? CarrierTransport else {
            throw ValidationError("destination \(destination) is of type \(target.type); exchange needs type carrier")
        }
        let codec = ModelCodec(catalog: try common.loadCatalog())
        let request = try readInput()
        let isJSON = from.map { $0 == "json" } ?? (request.first { ![0x20, 0x0A, 0x0D, 0x09].contains($0) } == 0x7B)
        let message = isJSON ? try codec.write(json: request) : request
        let reply: CarrierReply
        do {
            reply = try await carrier.exchange(message, extraHeaders: headers)
        } catch {
            throw ExchangeFailure(description: "exchange with \(destination) failed: \(error)")
        }
        let summary =
            "\(destination) answered transaction \(reply.transactionCode) (\(reply.message.count) bytes) in "
            + String(format: "%.3f s\n", reply.elapsedSeconds)
        FileHandle.standardError.write(Data(summary.utf8))
        if replyFormat == "cdanet" {
            FileHandle.standardOutput.write(Data(reply.message))
            return
        }
        do {
            let (json, _) = try codec.readJSON(reply.message)
            FileHandle.standardOutput.write(Data(json + [0x0A]))
        } catch {
            throw ExchangeFailure(
                description: "the carrier's reply (transaction \(reply.transactionCode)) cannot be read: \(error)")
        }
    }

    func readInput() throws -> [UInt8] {
        if let input {
            guard let data = FileManager.default.contents(atPath: input) else {
                throw ValidationError("cannot read \(input)")
            }
            return Array(data)
        }
        return Array(FileHandle.standardInput.readDataToEndOfFile())
    }
}

/// A failed exchange, printed as it is (exit code 1).
struct ExchangeFailure: Error, CustomStringConvertible {
    var description: String
}
