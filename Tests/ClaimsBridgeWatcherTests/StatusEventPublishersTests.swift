import ClaimsBridge
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
@testable import ClaimsBridgeWatcher
import Foundation
import Logging
import Testing

/// Several workers share one ledger and one outbox (several machines on PostgreSQL, several processes of one machine
/// on SQLite), and each hands the ledger's pending status events to the outbox: the same events, at the same time.
@Suite("Status events published by several workers")
struct StatusEventPublishersTests {
    static let claims = 60
    static let steps: [ClaimState] = [.submitted, .acknowledged, .adjudicated]

    @Test(
        "Two watchers publishing the same pending events at once make one delivery per event, in order per claim",
        arguments: LedgerEngine.allCases)
    func twoPublishersAtOnce(_ engine: LedgerEngine) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("publishers-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/events", withIntermediateDirectories: true)
        let store: LedgerLocation = try engine.makeLocation()
        let transports: [String: any Transport] = [
            "events": try FolderTransport(directory: root + "/events", namePattern: "{key}.json")
        ]
        // Each watcher has a state folder of its own on PostgreSQL, as on two machines; on SQLite the ledger and the
        // outbox are files of the state folder, which both share.
        let watchers = try ["a", "b"].map { name in
            let state = root + (engine == .postgreSQL ? "/state-\(name)" : "/state")
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
            var configuration = WatchConfiguration(
                stateDirectory: state,
                routes: [Route(name: "r", inbox: root + "/inbox", translation: .cdanetToJSON, transports: [])])
            configuration.statusEventsDestination = "events"
            if case .postgreSQL(let database) = store { configuration.outboxStore = .postgreSQL(database) }
            return Watcher(
                configuration: configuration, resources: TranslationResources(catalog: Fixtures.catalog),
                transports: transports, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        }
        let ledger = try Ledger(location: watchers[0].ledgerLocation)
        let outbox = try watchers[0].openOutbox()
        _ = try ledger.applyStateUpdates(
            (1...Self.claims).flatMap { claim in
                Self.steps.enumerated().map { step, state in
                    StateUpdate(
                        kind: .claim, key: "message-\(claim)", to: state.rawValue, source: "\(claim):\(state.rawValue)",
                        occurredAt: Double(step + 1))
                }
            })
        let events = try ledger.statusEvents(limit: 10_000)
        #expect(events.count == Self.claims * Self.steps.count)

        // Rounds: both watchers publish at once, then what they queued is delivered.
        var handedOver = 0
        var rounds = 0
        while try !ledger.pendingStatusEvents().isEmpty && rounds < 10 {
            handedOver += try onThreads(2) { index in
                let watcher = watchers[index]
                return try watcher.publishStatusEvents(
                    ledger: Ledger(location: watcher.ledgerLocation), outbox: watcher.openOutbox())
            }.reduce(0, +)
            while try await outbox.deliverDue(transports: transports).attempted > 0 {}
            rounds += 1
        }
        // One round per event of a claim: the next event of a claim waits for the previous one's delivery.
        #expect(rounds == Self.steps.count)
        // Both watchers handed over some of the same events (each recording it), which is what is tested here.
        #expect(handedOver >= events.count, "\(handedOver) hand-overs for \(events.count) events")

        #expect(try ledger.pendingStatusEvents().isEmpty)
        let files = try FileManager.default.contentsOfDirectory(atPath: root + "/events").filter { !$0.hasPrefix(".") }
        #expect(files.sorted() == events.map { "\($0.idempotencyKey).json" }.sorted(), "one delivery per event")
        let counts = try outbox.counts()
        #expect(counts[.delivered] == events.count && counts.values.reduce(0, +) == events.count, "one row per event")
        for claim in 1...Self.claims {
            let recorded = try ledger.statusEvents(kind: .claim, key: "message-\(claim)")
            for event in recorded {
                let delivery = try #require(try event.outboxID.flatMap { try outbox.delivery(DeliveryID($0)) })
                #expect(delivery.idempotencyKey == event.idempotencyKey, "the event is recorded with its own row")
            }
            // Handed over in the claim's order: each row queued after the previous one.
            #expect(recorded.compactMap(\.outboxID) == recorded.compactMap(\.outboxID).sorted())
        }
    }
}
