import ArgumentParser
import ClaimsBridge
import ClaimsBridgeTransports
import Foundation

struct OutboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "Inspect and manage the delivery outbox.",
        subcommands: [List.self, Retry.self, Purge.self])

    /// Where the outbox is: `--outbox PATH`, or the one a delivery configuration names.
    struct Location: ParsableArguments {
        @Option(help: "The delivery configuration file whose outbox to use.")
        var config: String?

        @Option(help: "The outbox database file (instead of --config).")
        var outbox: String?

        func validate() throws {
            if (config == nil) == (outbox == nil) { throw ValidationError("give either --config or --outbox") }
        }

        func open() throws -> Outbox {
            if let outbox {
                guard FileManager.default.fileExists(atPath: outbox) else {
                    throw BridgeError(.io, "there is no outbox here", at: .init(file: outbox))
                }
                return try Outbox(path: outbox)
            }
            let configuration = try DeliveryConfiguration.load(path: config ?? "")
            return try Outbox(
                store: configuration.outboxStore, retryPolicy: configuration.retryPolicy,
                leaseSeconds: configuration.leaseSeconds)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List deliveries: id, state, attempts, destination, key, last error.")

        @Option(help: "Only deliveries in this state: pending, inFlight, delivered or dead.")
        var state: String?

        @Option(help: "At most this many rows.")
        var limit = 1000

        @OptionGroup var location: Location

        func run() throws {
            var filter: DeliveryState?
            if let state {
                guard let known = DeliveryState(named: state) else {
                    throw ValidationError("--state must be pending, inFlight, delivered or dead")
                }
                filter = known
            }
            let outbox = try location.open()
            for record in try outbox.deliveries(in: filter, limit: limit) {
                var line =
                    "\(record.id)\t\(record.state)\t\(record.attempts)\t\(record.destination)\t\(record.idempotencyKey)"
                if let next = record.nextAttemptAt { line += "\tnext \(ISO8601DateFormatter().string(from: next))" }
                if let error = record.lastError { line += "\t\(error)" }
                if let purged = record.payloadPurgedAt {
                    line += "\tpayload purged \(ISO8601DateFormatter().string(from: purged))"
                }
                print(line)
            }
            let counts = try outbox.counts()
            print(DeliveryState.all.map { "\($0): \(counts[$0] ?? 0)" }.joined(separator: ", "))
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make dead deliveries due again.")

        @Argument(help: "The delivery ID to retry.")
        var id: Int64?

        @Flag(help: "Retry every dead delivery.")
        var allDead = false

        @OptionGroup var location: Location

        func validate() throws {
            if (id == nil) == !allDead { throw ValidationError("give a delivery ID or --all-dead") }
        }

        func run() throws {
            let outbox = try location.open()
            if allDead {
                print("\(try outbox.retryAllDead()) dead deliveries are due again")
            } else if let id {
                guard try outbox.retry(DeliveryID(id)) else {
                    throw ValidationError("delivery \(id) does not exist or is not dead")
                }
                print("delivery \(id) is due again")
            }
        }
    }

    struct Purge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete delivered and dead deliveries older than a duration (pending ones are kept).")

        @Option(help: "An age such as 90s, 30m, 12h or 7d.")
        var olderThan: String

        @OptionGroup var location: Location

        func run() throws {
            guard let seconds = RetentionPolicy.seconds(olderThan) else {
                throw ValidationError("--older-than must be a number followed by s, m, h or d, like 7d")
            }
            let removed = try location.open().purge(olderThan: Date().addingTimeInterval(-seconds))
            print("\(removed) deliveries purged")
        }
    }
}
