import ClaimsBridge
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
@testable import ClaimsBridgeWatcher
import Foundation
import Logging
import Testing

/// Status events go out in order per claim: the next event of a claim is handed to the outbox only once the
/// previous one is delivered, so a retry of one cannot arrive after the next.
@Suite("Status event order")
struct StatusEventOrderTests {
    @Test(
        "Each claim has at most one event in the outbox at a time; the next follows once it is delivered or given up",
        arguments: LedgerEngine.allCases)
    func onePerClaimInFlight(_ engine: LedgerEngine) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("order-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/events", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/state", withIntermediateDirectories: true)
        var configuration = WatchConfiguration(
            stateDirectory: root + "/state",
            routes: [Route(name: "r", inbox: root + "/inbox", translation: .cdanetToJSON, transports: [])])
        configuration.statusEventsDestination = "events"
        if case .postgreSQL(let store) = try engine.makeLocation() {
            // The ledger and the outbox both in the store, as `store:` puts them.
            configuration.outboxStore = .postgreSQL(store)
        }
        let transports: [String: any Transport] = [
            "events": try FolderTransport(directory: root + "/events", namePattern: "{key}.json")
        ]
        let watcher = Watcher(
            configuration: configuration, resources: TranslationResources(catalog: Fixtures.catalog),
            transports: transports, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let ledger = try Ledger(location: watcher.ledgerLocation)
        let outbox = try watcher.openOutbox()
        func update(_ key: String, _ to: ClaimState, at time: Double) -> StateUpdate {
            StateUpdate(kind: .claim, key: key, to: to.rawValue, source: "\(key):\(to.rawValue)", occurredAt: time)
        }
        _ = try ledger.applyStateUpdates([
            update("message-1", .submitted, at: 1), update("message-1", .acknowledged, at: 2),
            update("message-2", .submitted, at: 1), update("message-1", .adjudicated, at: 3),
        ])
        #expect(try watcher.publishStatusEvents(ledger: ledger, outbox: outbox) == 2, "the first event of each claim")
        #expect(try watcher.publishStatusEvents(ledger: ledger, outbox: outbox) == 0, "nothing delivered yet")
        let summary = try await outbox.deliverDue(transports: transports)
        #expect(summary.delivered.count == 2)
        #expect(try watcher.publishStatusEvents(ledger: ledger, outbox: outbox) == 1, "message-1's second event")
        _ = try await outbox.deliverDue(transports: transports)
        #expect(try watcher.publishStatusEvents(ledger: ledger, outbox: outbox) == 1, "message-1's third event")
        _ = try await outbox.deliverDue(transports: transports)
        #expect(try watcher.publishStatusEvents(ledger: ledger, outbox: outbox) == 0)
        #expect(try ledger.pendingStatusEvents().isEmpty)
        let files = try FileManager.default.contentsOfDirectory(atPath: root + "/events").filter { !$0.hasPrefix(".") }
        #expect(files.count == 4, "\(files)")
    }
}
