import ClaimsBridge
import ClaimsBridgeCarrierSimulator
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
@testable import ClaimsBridgeWatcher
import Foundation
import Logging
import Testing

/// The watcher asks a carrier's mailbox for the answers it holds (04 → released answers → 14).
@Suite("Mailbox polling")
struct MailboxPollingTests {
    static let sunlife = WatchConfiguration.Mailbox(
        name: "sunlife", destination: "carrier", replies: "replies", transactionPrefix: "ITRANS000001",
        softwareSystemId: "CB1", carrierId: "000125", providerNumber: "123456789", officeNumber: "0001")

    @Test(
        "A pended claim's EOB is fetched from the mailbox, matched to the claim, and moves it to adjudicated",
        arguments: StorageEngine.allCases)
    func pendedAnswerIsFetched(_ engine: StorageEngine) async throws {
        // The plan GRP5520ADM answers a claim with a pended acknowledgement and keeps its EOB in the mailbox.
        let claim = String(decoding: try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json"), as: UTF8.self)
            .replacingOccurrences(of: "GRP4471", with: "GRP5520ADM")
        let claims = ["claim.jsonl": claim]
        try await SimulatorWatch.withRunning(engine, plans: SimulatorWatch.examplePlans, claims: claims) { watch in
            // The claim goes out and its pended acknowledgement comes back (read by the second run).
            try await watch.drain()
            try await watch.drain()
            let ledger = try watch.ledger()
            #expect(try watch.claimState("000101", in: ledger) == "pended")
            // A run that polls asks the mailbox first: the EOB comes out, then "no more".
            watch.configuration.mailboxes = [Self.sunlife]
            try await watch.drain()
            #expect(try watch.claimState("000101", in: ledger) == "adjudicated")
            let chain = try ledger.chain(officeSequenceNumber: "000101").map(\.type)
            #expect(chain == ["claim", "claimAcknowledgement", "explanationOfBenefits"], "\(chain)")
            let requests = try ledger.files(route: "mailbox:sunlife", limit: 100).filter { $0.name.hasPrefix("mailbox-sunlife-") }
            #expect(requests.count == 2, "the EOB, then nothing more")
        }
    }

    @Test("An answer the mailbox releases for a claim this ledger never sent is recorded as unmatched, and moves nothing")
    func unmatchedAnswerIsRecorded() async throws {
        let claim = String(decoding: try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json"), as: UTF8.self)
            .replacingOccurrences(of: "GRP4471", with: "GRP5520ADM")
        try await SimulatorWatch.withRunning(plans: SimulatorWatch.examplePlans, claims: ["claim.jsonl": claim]) { watch in
            // Another installation (its own ledger) sends the claim and reads its pended acknowledgement.
            let elsewhere = WatchConfiguration(stateDirectory: watch.root + "/elsewhere", routes: watch.configuration.routes)
            try await watch.drain(elsewhere)
            try await watch.drain(elsewhere)
            // This one polls the office's mailbox and gets that claim's EOB.
            watch.configuration.mailboxes = [Self.sunlife]
            try await watch.drain()
            let ledger = try watch.ledger()
            #expect(try ledger.unmatchedResponses().map(\.type) == ["explanationOfBenefits"])
            #expect(try watch.claimKey("000101", in: ledger) == nil)
            #expect(try ledger.files(route: "mailbox:sunlife", limit: 100).filter { $0.name.hasPrefix("mailbox-sunlife-") }.count == 2)
            #expect(try watch.claimState("000101", in: try Ledger(path: elsewhere.stateDirectory + "/ledger.sqlite")) == "pended")
        }
    }

    @Test("A mailbox names a carrier destination and a route of the routes file, each checked at its line")
    func configuration() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mailbox-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func routes(_ mailbox: String) throws -> WatchConfiguration {
            try """
                delivery: delivery.yaml
                routes:
                  - {name: replies, inbox: replies, from: cdanet, to: json, deliver: [practice]}
                mailboxes:
                  - \(mailbox)

                """.write(toFile: folder + "/routes.yaml", atomically: true, encoding: .utf8)
            return try WatchConfiguration.load(path: folder + "/routes.yaml", knownTransports: ["practice", "carrier"])
        }
        let good = "{name: n, destination: carrier, replies: replies, transactionPrefix: ITRANS000001, softwareSystemId: CB1, carrierId: \"999999\", provider: \"123456789\", office: \"0001\", everySeconds: 600}"
        let loaded = try routes(good)
        #expect(loaded.mailboxes.first?.interval == .seconds(600))
        #expect(loaded.mailboxes.first?.carrierId == "999999")
        for (bad, words) in [
            (good.replacingOccurrences(of: "destination: carrier", with: "destination: nowhere"), "not a destination"),
            (good.replacingOccurrences(of: "replies: replies", with: "replies: other"), "must name a route"),
            (good.replacingOccurrences(of: "\"123456789\"", with: "\"12345\""), "must be 9 digits"),
        ] {
            #expect {
                _ = try routes(bad)
            } throws: { error in
                "\(error)".contains("routes.yaml:5") && "\(error)".contains(words)
            }
        }
    }
}
