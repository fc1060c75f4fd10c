import ClaimsBridge
@testable import ClaimsBridgeWatcher
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
import Foundation
import Logging

/// A scratch folder with an inbox, an output folder and a routes file, and a way to run the watcher over it; the
/// ledger, the outbox and the header numbers are SQLite files of the state folder, or a new PostgreSQL database.
struct WatchHarness {
    let root: String
    var inbox: String { root + "/inbox" }
    var output: String { root + "/out" }
    var configuration: WatchConfiguration

    init(
        _ engine: LedgerEngine = .sqlite, routeOptions: String = "stableSeconds: 0", from: String? = "cdanet",
        to: String? = "json"
    ) throws {
        let translation = [from.map { "    from: \($0)" }, to.map { "    to: \($0)" }].compactMap { $0 }.joined(separator: "\n")
        try self.init(
            engine,
            routesYAML: """
                state: state
                delivery: delivery.yaml
                routes:
                  - name: claims
                    inbox: inbox
                    pattern: "*.txt"
                    \(routeOptions)
                \(translation)
                    deliver: [out]

                """)
    }

    /// A harness with a routes file of its own; `out` is the one transport.
    init(_ engine: LedgerEngine = .sqlite, routesYAML: String) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("watch-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/inbox", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/out", withIntermediateDirectories: true)
        try routesYAML.write(toFile: root + "/routes.yaml", atomically: true, encoding: .utf8)
        configuration = try WatchConfiguration.load(path: root + "/routes.yaml", knownTransports: ["out"])
        configuration.outboxStore = try engine.newStore().map { .postgreSQL($0) }
    }

    /// Drops a file into the inbox the way a careful writer does: a temporary name, then a rename.
    func drop(_ name: String, _ bytes: [UInt8], into folder: String? = nil) throws {
        let target = folder ?? inbox
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        let temporary = target + "/." + name + ".tmp"
        try Data(bytes).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, target + "/" + name) == 0 else { throw WatchError("cannot drop \(name)") }
    }

    func makeWatcher(afterStep: (@Sendable (ProcessingStep, String) throws -> Void)? = nil) throws -> Watcher {
        Watcher(
            configuration: configuration,
            resources: try TranslationResources.load(for: configuration, mappingsDirectory: Fixtures.mappings.path),
            transports: ["out": try FolderTransport(directory: output, namePattern: "{key}-{name}")],
            retryPolicy: RetryPolicy(), metrics: WatchMetrics(),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), afterStep: afterStep)
    }

    /// Runs the watcher until the inbox is drained and every delivery is made.
    func drain(afterStep: (@Sendable (ProcessingStep, String) throws -> Void)? = nil) async throws {
        try await makeWatcher(afterStep: afterStep).run(drain: true)
    }

    func files(in folder: String) -> [String] {
        ((try? FileManager.default.subpathsOfDirectory(atPath: folder)) ?? []).filter { path in
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: folder + "/" + path, isDirectory: &isDirectory)
            return !isDirectory.boolValue
        }.sorted()
    }

    /// The ledger the watcher writes: the state folder's file, or the PostgreSQL database.
    func ledger() throws -> Ledger { try Ledger(location: configuration.ledgerLocation) }
}
