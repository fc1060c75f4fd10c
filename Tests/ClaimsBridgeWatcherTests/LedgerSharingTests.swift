import ClaimsBridge
import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridgeWatcher

/// Several ledgers on separate connections to one store (workers of one machine on SQLite, of several machines on
/// PostgreSQL) keep the guarantees of one: transitions checked, idempotent and ordered, each event once.
@Suite("Ledger shared by several connections")
struct LedgerSharingTests {
    /// The same feed of reports every worker receives: three claims, each moving through its life, with a late
    /// report (older than the state it would replace) and an illegal one among them.
    static let feed: [StateUpdate] = {
        var updates: [StateUpdate] = []
        for claim in 1...3 {
            let key = "message-\(claim)"
            func add(_ to: String, _ time: Double) {
                updates.append(
                    StateUpdate(
                        kind: .claim, key: key, to: to, source: "\(key):\(to):\(time)", occurredAt: time,
                        subject: ["officeSequenceNumber": String(format: "%06d", claim)]))
            }
            add("submitted", 1)
            add("acknowledged", 3)
            add("pended", 2)  // stale: older than acknowledged
            add("adjudicated", 4)
            add("submitted", 5)  // illegal: adjudicated is final
            add("paid", 6)
        }
        // Interleave the claims, as reports arrive in practice.
        return (0..<6).flatMap { step in (0..<3).map { updates[$0 * 6 + step] } }
    }()

    @Test(
        "Workers applying the same reports at once end in the state one worker reaches, with each event once",
        arguments: LedgerEngine.allCases)
    func concurrentUpdates(_ engine: LedgerEngine) throws {
        let shared = try engine.makeLocation("shared")
        _ = try Ledger(location: shared)
        // Each worker applies the whole feed in order, in transactions of three reports about different claims, on
        // its own connection.
        let outcomes = try onThreads(4) { _ in
            let ledger = try Ledger(location: shared)
            return try stride(from: 0, to: Self.feed.count, by: 3).flatMap { start in
                try ledger.applyStateUpdates(Array(Self.feed[start..<min(start + 3, Self.feed.count)]))
            }.map(\.outcome)
        }
        let alone = try engine.makeLedger("alone")
        let expected = try Self.feed.map { try alone.applyStateUpdate($0) }
        #expect(expected.map(\.outcome).filter { $0 == .applied }.count == 12)

        let ledger = try Ledger(location: shared)
        // Every report was applied (or refused) by exactly one worker; the others found it done.
        for index in Self.feed.indices {
            let firsts = outcomes.map { $0[index] }.filter { $0 != .duplicate }
            #expect(firsts == [expected[index].outcome], "report \(index)")
        }
        for claim in 1...3 {
            let key = "message-\(claim)"
            #expect(try ledger.trackedState(kind: .claim, key: key)?.state == "paid")
            let history = try ledger.stateHistory(kind: .claim, key: key)
            let reference = try alone.stateHistory(kind: .claim, key: key)
            #expect(history.map(\.source) == reference.map(\.source))
            #expect(history.map(\.outcome) == reference.map(\.outcome))
            #expect(history.map(\.from) == reference.map(\.from))
            // One event per applied transition, in the order the claim moved.
            let events = try ledger.statusEvents(kind: .claim, key: key)
            #expect(events.map(\.type) == ["claim.submitted", "claim.acknowledged", "claim.adjudicated", "claim.paid"])
            #expect(events.map(\.id) == events.map(\.id).sorted())
        }
        #expect(try ledger.pendingStatusEvents().count == 12)
    }

    @Test(
        "A claim recorded on one connection is numbered, matched and tracked on another",
        arguments: LedgerEngine.allCases)
    func recordedElsewhere(_ engine: LedgerEngine) throws {
        let location = try engine.makeLocation("submissions")
        let first = try Ledger(location: location)
        let submissions = try LedgerSubmissions(ledger: first, catalog: Fixtures.catalog)
        let claim = try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json")
        let (id, json) = try submissions.recordRequest(claim, route: "http", name: "claim.jsonl")
        try submissions.markQueued(id, json: json, destination: "carrier", idempotencyKey: "claim-1", outboxID: 41)

        let second = try Ledger(location: location)
        #expect(try second.file(id)?.state == .translated)
        let request = try #require(try second.chain(officeSequenceNumber: "000101").first { $0.isRequest })
        let key = Ledger.claimKey(requestMessageID: request.messageID)
        #expect(try second.trackedState(kind: .claim, key: key)?.state == "submitted")
        #expect(try second.trackedStates(kind: .claim, lookup: "000101").map(\.key) == [key])
        #expect(try second.deliveries(of: id).map(\.idempotencyKey) == ["claim-1"])
        #expect(try second.openDeliveries().map(\.outboxID) == [41])
        try second.updateDeliveries([(outboxID: 41, state: "delivered")])
        #expect(try first.file(id)?.state == .delivered)
        #expect(try first.countsByState() == [.delivered: 1])
        #expect(try first.files(state: .delivered, route: "http").map(\.id) == [id])
        #expect(try first.files(state: .failed).isEmpty)
        // Header numbers: the same number for the same field of the same file, wherever it is asked for.
        let number = try first.allocation(fileID: id, line: 1, field: "A02", scope: "A02/office-1", limit: 999_999)
        #expect(try second.allocation(fileID: id, line: 1, field: "A02", scope: "A02/office-1", limit: 999_999) == number)
        #expect(try second.nextSequenceNumber(scope: "A02/office-1", limit: 999_999) == number + 1)
        // Pickups and retention records.
        let pickup = try second.recordPickup(route: "http", source: "sftp", name: "a.txt", sha256: "00", size: 3)
        try first.markPickup(pickup, .dropped, inboxName: "a-1.txt")
        #expect(try second.latestPickup(route: "http", name: "a.txt")?.inboxName == "a-1.txt")
        try first.moveOriginal(id, to: "/archive/claim.jsonl", finished: true)
        #expect(try second.originalsFiled(before: Date().timeIntervalSince1970 + 60).map(\.id) == [id])
        try second.markOriginalPurged(id, at: 1)
        #expect(try first.purgedOriginalCount() == 1)
    }
}
