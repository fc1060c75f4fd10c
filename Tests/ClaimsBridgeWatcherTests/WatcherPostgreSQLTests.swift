import ClaimsBridge
import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
import Foundation
import Testing

@testable import ClaimsBridgeWatcher

/// Watchers on several machines (here: two with state folders and inboxes of their own) sharing the ledger, the
/// outbox and the header numbers through the PostgreSQL server the tests start.
@Suite("Watcher with its ledger, outbox and numbers in PostgreSQL")
struct WatcherPostgreSQLTests {
    /// A version 04 claim without A02 and A09, made distinct by the patient's middle initial.
    func claim(_ initial: Character) throws -> [UInt8] {
        var text = String(decoding: try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json"), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"officeSequenceNumber\":\"000101\",", with: "")
        text = text.replacingOccurrences(of: ",\"carrierTransactionCounter\":\"00101\"", with: "")
        let patient = try #require(text.range(of: "\"middleInitial\":\"A\""))
        text.replaceSubrange(patient, with: "\"middleInitial\":\"\(initial)\"")
        return Array(text.utf8)
    }

    @Test("Two watchers sharing one store never give the same A02, each claim is sent once and tracked in the store")
    func twoLedgersOneStore() async throws {
        let store = OutboxStoreLocation.postgreSQL(try PostgreSQLTestServer.shared().newDatabase())
        var first = try WatchHarness(routesYAML: CorrelationTests.routes)
        var second = try WatchHarness(routesYAML: CorrelationTests.routes)
        first.configuration.outboxStore = store
        second.configuration.outboxStore = store
        for (index, initial) in "ABC".enumerated() { try first.drop("a\(index).jsonl", try claim(initial)) }
        for (index, initial) in "DEF".enumerated() { try second.drop("b\(index).jsonl", try claim(initial)) }
        let watchers = (try first.makeWatcher(), try second.makeWatcher())
        async let one: Void = watchers.0.run(drain: true)
        async let two: Void = watchers.1.run(drain: true)
        _ = try await (one, two)

        // Either watcher may send any delivery of the shared outbox: count both output folders.
        let outputs =
            first.files(in: first.output).map { first.output + "/" + $0 }
            + second.files(in: second.output).map { second.output + "/" + $0 }
        #expect(outputs.count == 6, "\(outputs)")
        var officeNumbers: [String] = []
        for path in outputs {
            let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
            // A02 is bytes 12..<18 of a version 04 claim.
            officeNumbers.append(String(decoding: bytes[12..<18], as: UTF8.self))
        }
        #expect(officeNumbers.sorted() == (1...6).map { String(format: "%06d", $0) })
        let outbox = try Outbox(store: store)
        #expect(try outbox.counts()[.delivered] == 6)
        // The numbers came from PostgreSQL's counters.
        guard case .postgreSQL(let configuration) = store else { return }
        let sequences = PostgreSQLSequences(database: try PostgreSQLDatabase(configuration: configuration))
        #expect(try sequences.last(.officeSequence(office: "0001")) == 6)
        // Both watchers recorded their files in the one ledger in PostgreSQL; neither wrote an SQLite ledger.
        #expect(!FileManager.default.fileExists(atPath: first.configuration.stateDirectory + "/ledger.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: second.configuration.stateDirectory + "/ledger.sqlite"))
        let ledger = try Ledger(location: .postgreSQL(configuration))
        #expect(try ledger.files(state: .delivered).count == 6)
        let claims = try (1...6).flatMap { try ledger.trackedStates(kind: .claim, lookup: String(format: "%06d", $0)) }
        #expect(claims.map(\.state) == Array(repeating: "submitted", count: 6))
    }
}
