import ClaimsBridgeTestSupport
import ClaimsBridgeWatcher
import Foundation
import Testing

/// The status events the watcher sends are what Docs/openapi.yaml describes under `webhooks: statusEvent`.
@Suite("Status event contract")
struct StatusEventContractTests {
    @Test(
        "Every kind of status event, as the ledger writes it, matches the document's StatusEvent schema",
        arguments: StorageEngine.allCases)
    func eventsMatchTheDocument(_ engine: StorageEngine) throws {
        // A ledger in a folder of its own, which the test removes, or in a new PostgreSQL database.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("events-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ledger = try Ledger(location: .of(stateDirectory: folder, store: try engine.newStore()))
        let claim = ["officeSequenceNumber": "000101", "carrierId": "000125", "providerNumber": "123456789"]
        var time = 1_780_000_000.0
        func move(_ kind: TrackedKind, _ key: String, _ to: String, _ subject: [String: String]) throws {
            time += 60
            let transition = try ledger.applyStateUpdate(
                StateUpdate(kind: kind, key: key, to: to, source: "\(key):\(to)", occurredAt: time, subject: subject))
            #expect(transition.outcome == .applied, "\(key) → \(to)")
        }
        for (key, path) in [
            ("message-1", ["submitted", "pended", "adjudicated", "paid", "reversed"]),
            ("message-2", ["submitted", "acknowledged"]), ("message-3", ["submitted", "rejected"]),
            ("message-4", ["submitted", "paperClaimRequested"]),
        ] {
            for state in path { try move(.claim, key, state, claim) }
        }
        for state in ["submitted", "accepted", "inProduction", "shipped", "delivered"] {
            try move(.labOrder, "LO-1001", state, ["orderId": "LO-1001"])
        }
        let events = try ledger.statusEvents()
        #expect(events.count == 16)
        var types: Set<String> = []
        for event in events {
            let body = try #require(try JSONSerialization.jsonObject(with: Data(event.payload)) as? [String: Any])
            #expect(OpenAPIContract.shared.problems(withWebhook: "statusEvent", body: body) == [], "\(body)")
            types.insert(event.type)
        }
        #expect(
            types == [
                "claim.submitted", "claim.pended", "claim.acknowledged", "claim.adjudicated", "claim.paid",
                "claim.rejected", "claim.reversed", "claim.paperClaimRequested", "labOrder.statusChanged",
            ])
        // The check can fail: a member the schema does not name, or a type outside its enum.
        var wrong = try #require(try JSONSerialization.jsonObject(with: Data(events[0].payload)) as? [String: Any])
        wrong["patient"] = "x"
        wrong["type"] = "claim.lost"
        #expect(OpenAPIContract.shared.problems(withWebhook: "statusEvent", body: wrong).count == 2)
    }
}
