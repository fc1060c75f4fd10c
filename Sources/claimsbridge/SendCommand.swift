import ArgumentParser
import ClaimsBridge
import ClaimsBridgeStorage
import ClaimsBridgeTransports
import Foundation

struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Deliver files (or standard input) to a destination of a delivery configuration, through the outbox.",
        discussion: """
            Every input is first recorded in the outbox (with its bytes), then delivered; failures are retried with \
            backoff until --wait runs out, and what is still pending stays in the outbox for the next run. Each input \
            gets an idempotency key (its name and a hash of its bytes, or --key), so sending the same file again \
            does not deliver it twice. Secrets come only from environment variables or files named in the \
            configuration. A key already in the outbox with other bytes is a conflict: those bytes are not sent. \
            Exit codes: 0 everything delivered; 2 some deliveries are dead, still pending or in conflict; \
            64 wrong command line; 1 any other failure.
            """)

    @Option(name: .long, help: "The delivery configuration file (YAML).")
    var config: String

    @Option(name: .customLong("to"), help: "The destination's name in the configuration.")
    var destination: String

    @Argument(help: "Files to deliver (default: standard input).")
    var files: [String] = []

    @Option(help: "The idempotency key (only with a single input; default: name and content hash).")
    var key: String?

    @Option(help: "Seconds to keep retrying before leaving failed deliveries in the outbox.")
    var wait: Double = 60

    @Flag(help: "Load the configuration, check secrets are present, and print what would be delivered where.")
    var dryRun = false

    @Option(help: "With --dry-run: also write each payload to this folder, under the key the receiver would see.")
    var output: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if key != nil && files.count > 1 { throw ValidationError("--key needs a single input") }
        if output != nil && !dryRun { throw ValidationError("--output goes with --dry-run") }
        if let key, !OutgoingDelivery.isValidKey(key) {
            throw ValidationError("--key may use only letters, digits, . _ - (1–200, not starting with .)")
        }
    }

    func run() async throws {
        let configuration = try DeliveryConfiguration.load(path: config)
        guard let target = configuration.destination(destination) else {
            let names = configuration.destinations.map(\.name).joined(separator: ", ")
            throw ValidationError("\(config) has no destination \(destination) (it has: \(names))")
        }
        let transport = try target.makeTransport()
        let inputs = try SendInputs.read(files, key: key)
        if dryRun {
            try DryRun.print(
                configuration: configuration, destination: target, transport: transport, inputs: inputs, output: output)
            return
        }
        let outbox = try Outbox(
            store: configuration.outboxStore, retryPolicy: configuration.retryPolicy,
            leaseSeconds: configuration.leaseSeconds, cipher: try configuration.payloadCipher(),
            logger: common.makeLogger())
        // Listening before enqueueing, so that no outcome recorded from now on is missed.
        let outcomes = OutboxOutcomeListener(store: configuration.outboxStore)
        var ids: [DeliveryID] = []
        var settled = true
        for input in inputs {
            if let id = try enqueue(input, into: outbox) { ids.append(id) } else { settled = false }
        }
        let records = try await SendLoop(
            outbox: outbox, destination: destination, transport: transport, ids: ids, outcomes: outcomes
        ).run(waitSeconds: wait)
        for record in records {
            switch record.state {
            case .delivered:
                print("delivered \(record.idempotencyKey) → \(record.receipt?.location ?? "")")
            case .dead:
                settled = false
                print("dead \(record.idempotencyKey) (delivery \(record.id)): \(record.lastError ?? "")")
            default:
                settled = false
                print("pending \(record.idempotencyKey) (delivery \(record.id)): \(record.lastError ?? "in flight")")
            }
        }
        if !settled { throw ExitCode(2) }
    }

    /// Records `input` in the outbox; a key already there with other bytes is reported (on standard error, with
    /// both digests) and gives nil.
    private func enqueue(_ input: SendInputs, into outbox: Outbox) throws -> DeliveryID? {
        do {
            return try outbox.enqueue(
                destination: destination, payload: input.payload, metadata: input.metadata, idempotencyKey: input.key)
        } catch {
            guard error.code == .keyConflict else { throw error }
            FileHandle.standardError.write(Data("error: \(input.name): \(error.reason)\n".utf8))
            print("conflict \(input.key): not sent")
            return nil
        }
    }
}

/// The payloads `send` reads: files or standard input, with their keys and metadata.
struct SendInputs {
    var key: String
    var payload: [UInt8]
    var metadata: [String: String]
    var name: String

    static func read(_ files: [String], key: String?) throws -> [SendInputs] {
        if files.isEmpty {
            let payload = Array(FileHandle.standardInput.readDataToEndOfFile())
            return [
                SendInputs(
                    key: key ?? IdempotencyKey.derived(name: "stdin", payload: payload), payload: payload,
                    metadata: [:], name: "stdin")
            ]
        }
        return try files.map { file in
            guard let data = FileManager.default.contents(atPath: file) else {
                throw BridgeError(.io, "cannot read the file", at: .init(file: file))
            }
            let payload = Array(data)
            let name = (file as NSString).lastPathComponent
            return SendInputs(
                key: key ?? IdempotencyKey.derived(name: name, payload: payload), payload: payload,
                metadata: [OutgoingDelivery.fileNameKey: name], name: file)
        }
    }
}

/// Delivers until the given deliveries are settled or the wait runs out, sleeping until the next one is due: the
/// next retry, or the end of the lease of a delivery another worker holds. With a PostgreSQL store it also wakes
/// when another worker records an outcome of one of them (``OutboxOutcomeListener``).
struct SendLoop {
    let outbox: Outbox
    let destination: String
    let transport: any Transport
    let ids: [DeliveryID]
    /// Wakes the loop when any worker records an outcome; nil for an SQLite outbox.
    var outcomes: OutboxOutcomeListener?

    func run(waitSeconds: Double) async throws -> [DeliveryRecord] {
        let deadline = Date().addingTimeInterval(waitSeconds)
        var records: [DeliveryID: DeliveryRecord] = [:]
        // Delivered and dead deliveries do not change again here: only the open ones are read after each round.
        var open = Set(ids)
        while true {
            _ = try await outbox.deliverDue(transports: [destination: transport])
            for id in open {
                let record = try outbox.delivery(id)
                records[id] = record
                if let record, record.state == .pending || record.state == .inFlight { continue }
                open.remove(id)
            }
            let next = open.compactMap { records[$0]?.nextAttemptAt }.min()
            guard let next, next < deadline else { return ids.compactMap { records[$0] } }
            let pause = max(0.05, next.timeIntervalSinceNow)
            if let outcomes {
                await outcomes.pause(seconds: pause, until: open)
                try Task.checkCancellation()
            } else {
                try await Task.sleep(nanoseconds: UInt64(pause * 1e9))
            }
        }
    }
}

/// `send --dry-run`: what would happen, without sending anything or opening the outbox.
enum DryRun {
    static func print(
        configuration: DeliveryConfiguration, destination: DestinationConfiguration, transport: any Transport,
        inputs: [SendInputs], output: String?
    ) throws {
        Swift.print("configuration: \(configuration.file)")
        Swift.print("outbox: \(configuration.outboxStore) (not opened)")
        Swift.print("destination: \(destination.name) (\(destination.type)) \(transport.endpointDescription)")
        var missing = 0
        for (purpose, reference) in destination.secrets {
            let present = reference.isAvailable
            if !present { missing += 1 }
            Swift.print("secret \(purpose): \(reference) \(present ? "present" : "MISSING")")
        }
        if let output { try PrivateFiles.makeDirectory(output) }
        for input in inputs {
            Swift.print("would deliver \(input.name) (\(input.payload.count) bytes) as \(input.key)")
            if let output {
                let path = (output as NSString).appendingPathComponent(input.key)
                let descriptor = try PrivateFiles.createOrTruncate(path)
                defer { close(descriptor) }
                var file = FileDescriptorOutput(descriptor: descriptor, name: path)
                try input.payload.withUnsafeBytes { try file.write($0) }
            }
        }
        if missing > 0 {
            throw BridgeError(
                .invalidConfiguration, "\(missing) secret(s) of destination \(destination.name) cannot be read",
                at: destination.location)
        }
    }
}
