import ClaimsBridge
@testable import ClaimsBridgeWatcher
import ClaimsBridgeTestSupport
import Foundation
import Testing

@Suite("Claim and lab-order state")
struct ClaimStateTests {
    func update(_ to: ClaimState, _ source: String, at time: Double, key: String = "message-1") -> StateUpdate {
        StateUpdate(
            kind: .claim, key: key, to: to.rawValue, source: source, occurredAt: time,
            subject: ["officeSequenceNumber": "000101", "carrierId": "000125", "providerNumber": "123456789"])
    }

    @Test("Transitions are checked, idempotent and ordered; refused ones are kept with their reason", arguments: LedgerEngine.allCases)
    func transitions(_ engine: LedgerEngine) throws {
        let ledger = try engine.makeLedger("state")
        #expect(try ledger.applyStateUpdate(update(.submitted, "message:1", at: 100)).outcome == .applied)
        #expect(try ledger.applyStateUpdate(update(.acknowledged, "message:2", at: 200)).outcome == .applied)
        // The same report again is one transition.
        let again = try ledger.applyStateUpdate(update(.acknowledged, "message:2", at: 200))
        #expect(again.outcome == .duplicate)
        // An older report arriving late does not move the state back.
        let late = try ledger.applyStateUpdate(update(.pended, "message:3", at: 150))
        #expect(late.outcome == .stale)
        // A final state stays final.
        #expect(try ledger.applyStateUpdate(update(.adjudicated, "message:4", at: 300)).outcome == .applied)
        let illegal = try ledger.applyStateUpdate(update(.submitted, "message:5", at: 400))
        #expect(illegal.outcome == .illegal)
        #expect(illegal.reason?.contains("cannot go from adjudicated to submitted") == true)
        #expect(try ledger.trackedState(kind: .claim, key: "message-1")?.state == "adjudicated")
        let history = try ledger.stateHistory(kind: .claim, key: "message-1")
        #expect(history.map(\.outcome) == [.applied, .applied, .stale, .applied, .illegal])
        #expect(history.map(\.from) == [nil, "submitted", "acknowledged", "acknowledged", "adjudicated"])
        // One event per applied transition, in order, none for the others.
        let events = try ledger.statusEvents(kind: .claim, key: "message-1")
        #expect(events.map(\.type) == ["claim.submitted", "claim.acknowledged", "claim.adjudicated"])
    }

    @Test("An answer for a claim never recorded as submitted is refused and kept", arguments: LedgerEngine.allCases)
    func answerWithoutClaim(_ engine: LedgerEngine) throws {
        let ledger = try engine.makeLedger("state")
        let transition = try ledger.applyStateUpdate(update(.acknowledged, "message:9", at: 1, key: "message-9"))
        #expect(transition.outcome == .illegal)
        #expect(transition.reason?.contains("no claim was recorded as submitted") == true)
        #expect(try ledger.trackedState(kind: .claim, key: "message-9") == nil)
        let unknown = try ledger.applyStateUpdate(
            StateUpdate(kind: .claim, key: "message-8", to: "lost", source: "x", occurredAt: 1))
        #expect(unknown.outcome == .illegal)
        #expect(unknown.reason?.contains("not a claim state") == true)
    }

    @Test("Lab orders follow the lab-order lifecycle", arguments: LedgerEngine.allCases)
    func labOrders(_ engine: LedgerEngine) throws {
        let ledger = try engine.makeLedger("state")
        func move(_ to: String, _ source: String, _ time: Double) throws -> StateTransition {
            try ledger.applyStateUpdate(
                StateUpdate(kind: .labOrder, key: "LO-1001", to: to, source: source, occurredAt: time,
                    subject: ["orderId": "LO-1001"]))
        }
        #expect(try move("submitted", "a", 1).outcome == .applied)
        #expect(try move("accepted", "b", 2).outcome == .applied)
        #expect(try move("delivered", "c", 3).outcome == .illegal)
        #expect(try move("inProduction", "d", 4).outcome == .applied)
        // The same report twice is one transition; an older one arriving late does not move the order back.
        #expect(try move("inProduction", "d", 4).outcome == .duplicate)
        #expect(try move("onHold", "e", 3).outcome == .stale)
        #expect(try ledger.trackedStates(kind: .labOrder, lookup: "LO-1001").map(\.state) == ["inProduction"])
        #expect(try ledger.stateHistory(kind: .labOrder, key: "LO-1001").map(\.outcome) == [.applied, .applied, .illegal, .applied, .stale])
        let events = try ledger.statusEvents(kind: .labOrder, key: "LO-1001")
        #expect(events.count == 3)
        #expect(events.allSatisfy { $0.type == "labOrder.statusChanged" })
    }

    @Test("A status event names the claim by its numbers and carries no personal data", arguments: LedgerEngine.allCases)
    func eventPayload(_ engine: LedgerEngine) throws {
        let ledger = try engine.makeLedger("state")
        try ledger.applyStateUpdate(update(.submitted, "message:1", at: 1_780_000_000))
        let event = try #require(try ledger.pendingStatusEvents().first)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(event.payload)) as? [String: Any])
        #expect(json["type"] as? String == "claim.submitted")
        #expect(json["to"] as? String == "submitted")
        #expect(json["occurredAt"] as? String == "2026-05-28T20:26:40.000Z")
        #expect((json["subject"] as? [String: String])?["officeSequenceNumber"] == "000101")
        #expect(Set(json.keys) == ["id", "type", "occurredAt", "recordedAt", "kind", "key", "subject", "to"])
        try ledger.markStatusEventQueued(event.id, outboxID: 7)
        #expect(try ledger.pendingStatusEvents().isEmpty)
    }

    @Test("Carriers' answers map to claim states")
    func answers() {
        #expect(ClaimState.answeredBy(type: "claimAcknowledgement", status: "accepted") == .acknowledged)
        #expect(ClaimState.answeredBy(type: "claimAcknowledgement", status: "rejected") == .rejected)
        #expect(ClaimState.answeredBy(type: "claimAcknowledgement", status: "heldReplyLater") == .pended)
        #expect(ClaimState.answeredBy(type: "predeterminationAcknowledgement", status: "submitOnPaper") == .paperClaimRequested)
        #expect(ClaimState.answeredBy(type: "explanationOfBenefits", status: nil) == .adjudicated)
        #expect(ClaimState.answeredBy(type: "eligibilityResponse", status: "eligible") == nil)
        #expect(ClaimState.rejected.allowedNext.isEmpty)
    }

    @Test(
        "RAMQ: a batch's claims are submitted under transmitter and attestation; a return pays, refuses or pends them",
        arguments: LedgerEngine.allCases)
    func ramq(_ engine: LedgerEngine) throws {
        let submitted = RAMQClaimTracking.submitted(batch: try Fixtures.bytes("ramq/one-claim.xml"), at: 5)
        #expect(submitted.map(\.key) == ["ramq-18001-4005101"])
        #expect(submitted.first?.subject == ["transmitter": "18001", "attestation": "4005101"])
        var lines = String(decoding: try Fixtures.bytes("ramq/response/accepted.expected.jsonl"), as: UTF8.self)
        lines = lines.replacingOccurrences(
            of: "\"045\"}]}]}", with: "\"045\"}]},{\"attestation\":\"6090103\",\"status\":\"pending\"}]}")
        let returned = RAMQClaimTracking.returned(Array(lines.utf8))
        #expect(returned.map(\.key) == ["ramq-18001-6090101", "ramq-18001-6090101", "ramq-18001-6090102", "ramq-18001-6090103"])
        #expect(returned.map(\.to) == ["adjudicated", "paid", "rejected", "pended"])
        // Dated by the end of the day RAMQ processed the batch, paid just after adjudicated.
        #expect(returned.first?.occurredAt == 1_775_174_399)
        #expect(returned[1].occurredAt > returned[0].occurredAt)
        // Applied to a ledger: the claim it sent is paid; one it never sent is refused and kept.
        let ledger = try engine.makeLedger("state")
        _ = try ledger.applyStateUpdates([
            StateUpdate(
                kind: .claim, key: "ramq-18001-6090101", to: "submitted", source: "ramq:18001/6090101:sent", occurredAt: 5,
                subject: ["transmitter": "18001", "attestation": "6090101"])
        ])
        let outcomes = try ledger.applyStateUpdates(returned).map(\.outcome)
        #expect(outcomes == [.applied, .applied, .illegal, .illegal])
        #expect(try ledger.trackedStates(kind: .claim, lookup: "6090101").map(\.state) == ["paid"])
    }

    static let routes = """
        state: state
        delivery: delivery.yaml
        statusEvents: out
        routes:
          - name: outgoing
            inbox: inbox
            pattern: "*.jsonl"
            stableSeconds: 0
            from: json
            to: cdanet
            deliver: out
          - name: replies
            inbox: replies
            stableSeconds: 0
            from: cdanet
            to: json
            deliver: out

        """

    @Test(
        "The watcher tracks a claim through the carrier's answers and delivers each change once as an event",
        arguments: LedgerEngine.allCases)
    func watcherTracksClaims(_ engine: LedgerEngine) async throws {
        let harness = try WatchHarness(engine, routesYAML: Self.routes)
        try harness.drop("claim.jsonl", try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json"))
        try await harness.drain()
        let replies = harness.root + "/replies"
        try harness.drop("ack.txt", try Fixtures.bytes("cdanet/v04/11-claim-acknowledgement.txt"), into: replies)
        try await harness.drain()
        try harness.drop("eob.txt", try Fixtures.bytes("cdanet/v04/21-eob-basic.txt"), into: replies)
        try await harness.drain()
        try await harness.drain()

        let ledger = try harness.ledger()
        let claim = try #require(try ledger.chain(officeSequenceNumber: "000101").first { $0.isRequest })
        let key = Ledger.claimKey(requestMessageID: claim.messageID)
        // The fixture's acknowledgement rejects the claim (G05 R); the EOB after it is refused and kept.
        #expect(try ledger.trackedState(kind: .claim, key: key)?.state == "rejected")
        let history = try ledger.stateHistory(kind: .claim, key: key)
        #expect(history.map(\.to) == ["submitted", "rejected", "adjudicated"])
        #expect(history.map(\.outcome) == [.applied, .applied, .illegal])

        let events = harness.files(in: harness.output).filter { $0.contains("status-event-") }
        #expect(events.count == 2, "\(events)")
        let types = try events.map { name -> String in
            let data = try Data(contentsOf: URL(fileURLWithPath: harness.output + "/" + name))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])["type"] as? String ?? ""
        }
        #expect(Set(types) == ["claim.submitted", "claim.rejected"])
        for name in events {
            let text = try String(contentsOfFile: harness.output + "/" + name, encoding: .utf8)
            for personal in ["Tremblay", "Marc", "1982-06-14", "TR8830021", "GRP4471", "Saint-Denis"] { #expect(!text.contains(personal)) }
        }
    }

    @Test("An accepted reversal moves the claim its carrier reference names to reversed", arguments: LedgerEngine.allCases)
    func reversal(_ engine: LedgerEngine) async throws {
        let harness = try WatchHarness(engine, routesYAML: Self.routes)
        try harness.drop("claim.jsonl", try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json"))
        try await harness.drain()
        let replies = harness.root + "/replies"
        // The EOB carries the carrier's reference CT26031200001; the reversal response names it.
        try harness.drop("eob.txt", try Fixtures.bytes("cdanet/v04/21-eob-basic.txt"), into: replies)
        try await harness.drain()
        try harness.drop("reversal.jsonl", try Fixtures.bytes("cdanet/v04/02-claim-reversal.expected.json"))
        try await harness.drain()
        try harness.drop("reversed.txt", try Fixtures.bytes("cdanet/v04/12-claim-reversal-response.txt"), into: replies)
        try await harness.drain()
        let ledger = try harness.ledger()
        let claim = try #require(try ledger.chain(officeSequenceNumber: "000101").first { $0.type == "claim" })
        let key = Ledger.claimKey(requestMessageID: claim.messageID)
        #expect(try ledger.trackedState(kind: .claim, key: key)?.state == "reversed")
        #expect(try ledger.stateHistory(kind: .claim, key: key).map(\.to) == ["submitted", "adjudicated", "reversed"])
    }

    @Test("A status-events destination the delivery configuration does not have is refused at its line")
    func unknownEventsDestination() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("routes-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.routes.replacingOccurrences(of: "statusEvents: out", with: "statusEvents: practice")
            .write(toFile: folder + "/routes.yaml", atomically: true, encoding: .utf8)
        #expect {
            try WatchConfiguration.load(path: folder + "/routes.yaml", knownTransports: ["out"])
        } throws: { error in
            "\(error)".contains("routes.yaml:3") && "\(error)".contains("practice")
        }
    }
}

@Suite("Payment reconciliation")
struct ReconciliationTests {
    @Test(
        "Payment lines move the claims they pay to paid, once; differences from the EOB and unknown claims are reported",
        arguments: LedgerEngine.allCases)
    func payments(_ engine: LedgerEngine) async throws {
        let harness = try WatchHarness(engine, routesYAML: ClaimStateTests.routes)
        // An accepted acknowledgement (G05 A at offset 61) for the claim, then its EOB, then the payments.
        var acknowledgement = try Fixtures.bytes("cdanet/v04/11-claim-acknowledgement.txt")
        #expect(acknowledgement[61] == UInt8(ascii: "R"))
        acknowledgement[61] = UInt8(ascii: "A")
        try harness.drop("claim.jsonl", try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json"))
        try await harness.drain()
        let replies = harness.root + "/replies"
        try harness.drop("ack.txt", acknowledgement, into: replies)
        try await harness.drain()
        try harness.drop("eob.txt", try Fixtures.bytes("cdanet/v04/21-eob-basic.txt"), into: replies)
        try await harness.drain()
        let ledger = try harness.ledger()
        let before = try ledger.reconciliationReport(unpaidAfterDays: 0, now: Date().addingTimeInterval(60))
        #expect(before.unpaid.map(\.state) == ["adjudicated"])
        #expect(before.csv.contains("\nunpaid,,,000101,"), "\(before.csv)")
        // Unpaid after N days: a claim adjudicated just now is not late at 30 days, and is 31 days on.
        #expect(try ledger.reconciliationReport(unpaidAfterDays: 30).unpaid.isEmpty)
        let late = try ledger.reconciliationReport(unpaidAfterDays: 30, now: Date().addingTimeInterval(31 * 86_400))
        #expect(late.unpaid.map(\.state) == ["adjudicated"])
        let lateJSON = try #require(try JSONSerialization.jsonObject(with: Data(late.json)) as? [String: Any])
        #expect((lateJSON["unpaid"] as? [[String: Any]])?.first?["officeSequenceNumber"] as? String == "000101")
        try harness.drop("payments.txt", try Fixtures.bytes("cdanet/v04/16-payment-reconciliation.txt"), into: replies)
        try harness.drop("summary.txt", try Fixtures.bytes("cdanet/v04/15-summary-reconciliation.txt"), into: replies)
        try await harness.drain()

        let claim = try #require(try ledger.chain(officeSequenceNumber: "000101").first { $0.isRequest })
        let key = Ledger.claimKey(requestMessageID: claim.messageID)
        #expect(try ledger.trackedState(kind: .claim, key: key)?.state == "paid")
        let history = try ledger.stateHistory(kind: .claim, key: key)
        #expect(history.map(\.to) == ["submitted", "acknowledged", "adjudicated", "paid", "paid"])
        // The summary repeats the payment under another reference: a second report, refused as paid → paid.
        #expect(history.map(\.outcome) == [.applied, .applied, .applied, .applied, .illegal])

        let report = try ledger.reconciliationReport(unpaidAfterDays: 0, now: Date().addingTimeInterval(60))
        #expect(report.unpaid.isEmpty)
        #expect(report.paid.count == 2)
        // The EOB said 38.80 payable; the fixture pays 125.50.
        #expect(report.paid.allSatisfy { $0.claimKey == key && $0.payable == "38.80" && $0.differsFromEOB })
        #expect(Set(report.unknownClaims.map(\.officeSequenceNumber)) == ["000103", "000104"])
        #expect(report.csv.split(separator: "\n").count == 1 + 2 + 3)
        #expect(report.csv.contains("paidDifferently,PAY0012346,000125,000101,123456789,CT26031200001,125.50,38.80"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json)) as? [String: Any])
        #expect((json["paymentsForUnknownClaims"] as? [Any])?.count == 3)

        // Reading the same payment file again changes nothing.
        try harness.drop("payments-again.txt", try Fixtures.bytes("cdanet/v04/16-payment-reconciliation.txt"), into: replies)
        try await harness.drain()
        #expect(try ledger.reconciliationReport(unpaidAfterDays: 0).paid.count == 2)
        #expect(try ledger.stateHistory(kind: .claim, key: key).count == 5)
    }
}

@Suite("Lab status from outside a file")
struct LabStatusIntakeTests {
    @Test(
        "A lab's status messages move the orders the ledger knows; an unknown order is refused and kept",
        arguments: LedgerEngine.allCases)
    func intake(_ engine: LedgerEngine) throws {
        let ledger = try engine.makeLedger("intake")
        try ledger.applyStateUpdate(
            StateUpdate(kind: .labOrder, key: "LO-1001", to: "submitted", source: "sent", occurredAt: 0))
        let intake = LabStatusIntake(lab: try LabPartner(name: "example-rest", mappings: Fixtures.mappings.path))
        let body = try Fixtures.bytes("labs/example-rest/status/updates.jsonl")
        let result = try intake.apply(body, ledger: ledger)
        // Every message about LO-1001 in the fixture is a legal step from submitted.
        let expected = (try Fixtures.bytes("labs/example-rest/status/updates.expected.jsonl")).split(separator: 0x0A)
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
            .filter { $0["orderId"] as? String == "LO-1001" }
        let applied = result.transitions.filter { $0.key == "LO-1001" }
        #expect(applied.count == expected.count)
        #expect(applied.allSatisfy { $0.outcome == .applied })
        #expect(try ledger.trackedState(kind: .labOrder, key: "LO-1001")?.state == expected.last?["to"] as? String)
        // The others are for orders the ledger has never seen: refused, and kept in their history.
        let unknown = result.rejects.filter { $0.error.code == .unknownOrder }
        #expect(!unknown.isEmpty)
        let refused = result.transitions.filter { $0.key != "LO-1001" }
        #expect(!refused.isEmpty && refused.allSatisfy { $0.outcome == .illegal && $0.reason?.contains("ledger knows") == true })
        #expect(try ledger.trackedState(kind: .labOrder, key: refused[0].key) == nil)
        #expect(try ledger.stateHistory(kind: .labOrder, key: refused[0].key).count >= 1)
        // The same delivery again changes nothing.
        let again = try intake.apply(body, ledger: ledger)
        #expect(again.transitions.filter { $0.key == "LO-1001" }.allSatisfy { $0.outcome == .duplicate })
    }
}
