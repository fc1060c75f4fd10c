import ClaimsBridge
import ClaimsBridgeCarrierSimulator
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
@testable import ClaimsBridgeWatcher
import Foundation
import Logging

/// A watcher's folder for exchanges with a running carrier simulator: a `claims` route sending model JSON claims
/// as CDAnet to the carrier, whose answers go to the `replies` route, translated to JSON into `practice`.
struct SimulatorWatch {
    let root: String
    let port: Int
    /// The routes above; tests add mailboxes or reconciliations.
    var configuration: WatchConfiguration

    /// The simulator's example plan table (its policies match the CDAnet fixtures).
    static let examplePlans = try! String(
        contentsOf: Fixtures.root.appendingPathComponent("Examples/simulator/plans.yaml"), encoding: .utf8)

    /// Runs `body` with a new folder (removed afterwards) holding `claims` (file name → model JSON) and a
    /// simulator answering from `plans`; the ledger and the outbox are on `engine` (for PostgreSQL, a new database).
    static func withRunning(
        _ engine: StorageEngine = .sqlite, plans: String, claims: [String: String],
        _ body: (inout SimulatorWatch) async throws -> Void
    ) async throws {
        let store = try engine.newStore()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("simulated-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        for folder in ["claims", "replies", "practice"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        for (name, claim) in claims {
            try Data(claim.utf8).write(to: URL(fileURLWithPath: root + "/claims/" + name))
        }
        let simulator = CarrierSimulator(table: try PlanTable.parse(yaml: plans), catalog: Fixtures.catalog)
        try await simulator.withRunning { port in
            var watch = SimulatorWatch(
                root: root, port: port,
                configuration: WatchConfiguration(
                    stateDirectory: root + "/state",
                    routes: [
                        Route(
                            name: "claims", inbox: root + "/claims", readiness: .stableFor(.zero),
                            translation: .jsonToCDAnet, transports: ["carrier"], replyRoute: "replies"),
                        Route(
                            name: "replies", inbox: root + "/replies", readiness: .stableFor(.zero),
                            translation: .cdanetToJSON, transports: ["practice"]),
                    ]))
            watch.configuration.outboxStore = store.map { .postgreSQL($0) }
            try await body(&watch)
        }
    }

    /// A watcher over `configuration` (or the routes alone), with the simulator as its `carrier` destination.
    func watcher(_ configuration: WatchConfiguration? = nil) throws -> Watcher {
        Watcher(
            configuration: configuration ?? self.configuration,
            resources: TranslationResources(catalog: Fixtures.catalog),
            transports: [
                "carrier": try CarrierTransport(url: "http://127.0.0.1:\(port)/cdanet", tls: TLSOptions()),
                "practice": try FolderTransport(directory: root + "/practice", namePattern: "{name}-{key}"),
            ],
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    /// Runs a watcher to the end of what is waiting.
    func drain(_ configuration: WatchConfiguration? = nil) async throws {
        try await watcher(configuration).run(drain: true)
    }

    /// The watcher's ledger: the state folder's file, or the PostgreSQL database.
    func ledger() throws -> Ledger {
        try Ledger(location: configuration.ledgerLocation)
    }

    /// The ledger key of the latest claim sent with `sequence` (A02).
    func claimKey(_ sequence: String, in ledger: Ledger) throws -> String? {
        try ledger.chain(officeSequenceNumber: sequence).first { $0.type == "claim" }
            .map { Ledger.claimKey(requestMessageID: $0.messageID) }
    }

    /// The current state of the claim sent with `sequence`, or "none".
    func claimState(_ sequence: String, in ledger: Ledger) throws -> String {
        guard let key = try claimKey(sequence, in: ledger) else { return "none" }
        return try ledger.trackedState(kind: .claim, key: key)?.state ?? "none"
    }
}
