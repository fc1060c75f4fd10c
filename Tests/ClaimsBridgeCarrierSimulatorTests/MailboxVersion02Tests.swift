import ClaimsBridge
import ClaimsBridgeCarrierSimulator
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
@testable import ClaimsBridgeWatcher
import Foundation
import Logging
import Testing

/// Version 02 mailboxes: the request for pended claims (04, 42 bytes, no A05) and the three ways a version 02
/// carrier says the mailbox is empty (CDAnet notes 5.2).
@Suite("Version 02 mailbox")
struct MailboxVersion02Tests {
    static let mailbox: WatchConfiguration.Mailbox = {
        var mailbox = WatchConfiguration.Mailbox(
            name: "v02", destination: "carrier", replies: "replies", transactionPrefix: "            ",
            softwareSystemId: "CB1", carrierId: "000000", providerNumber: "123456789", officeNumber: "0001")
        mailbox.version = "02"
        return mailbox
    }()

    @Test("The version 02 request is written as a 42-byte 04 without A05")
    func request() throws {
        var json = String(decoding: Watcher.outstandingTransactionsRequest(Self.mailbox), as: UTF8.self)
        #expect(!json.contains("carrierId"))
        json = json.replacingOccurrences(of: "\"version\":\"02\"", with: "\"officeSequenceNumber\":\"000205\",\"version\":\"02\"")
        var input = MemoryInput(Array(json.utf8))
        var output = MemoryOutput()
        var refusals: [String] = []
        _ = try ModelWritePipeline(catalog: Fixtures.catalog).run(input: &input, output: &output) {
            refusals.append($0.error.reason)
        }
        #expect(refusals.isEmpty, "\(refusals)")
        let written = output.bytes.filter { $0 != 0x0A }
        #expect(written.count == 42)
        #expect(String(decoding: written[18..<22], as: UTF8.self) == "0204")
    }

    @Test("An 11 with error 049 or 004 ends the poll; an 11 with another error is a released answer")
    func endOfMailbox() throws {
        let answer = try Fixtures.bytes("cdanet/v02/11-claim-response.txt").filter { $0 != 0x0A && $0 != 0x0D }
        #expect(try Watcher.mailboxEndAnswer(answer, version: "02", catalog: Fixtures.catalog) == nil)
        for code in ["049", "004"] {
            let end = Array(answer.dropLast(3)) + Array(code.utf8)
            #expect(try Watcher.mailboxEndAnswer(end, version: "02", catalog: Fixtures.catalog) != nil, "\(code)")
            #expect(try Watcher.mailboxEndAnswer(end, version: "04", catalog: Fixtures.catalog) == nil, "only a 14 ends a 04 poll")
        }
    }

    @Test("An answer echoing the request's A02 answers the request itself (a refusal); a released one does not")
    func refusalIsTheRequestsOwnAnswer() throws {
        let request = try Fixtures.bytes("cdanet/v02/04-pended-claims-request.txt").filter { $0 != 0x0A && $0 != 0x0D }
        let released = try Fixtures.bytes("cdanet/v02/11-claim-response.txt").filter { $0 != 0x0A && $0 != 0x0D }
        #expect(!Watcher.answersRequestItself(released, request: request))
        let refusal = Array(released[..<12]) + Array(request[12..<18]) + Array(released[18...])
        #expect(Watcher.answersRequestItself(refusal, request: request))
        #expect(try Watcher.mailboxEndAnswer(refusal, version: "02", catalog: Fixtures.catalog) == nil, "error 038 is no end marker")
    }

    @Test("ITRANS's plain `NO MORE ITEMS` after A01 is accepted as a reply and ends the poll")
    func noMoreItems() throws {
        let text = Array("            NO MORE ITEMS".utf8)
        #expect(CarrierReply.saysNoMoreItems(text))
        let reply = try CarrierReply(checking: text, statusCode: 200, elapsedSeconds: 0)
        #expect(reply.transactionCode.isEmpty)
        #expect(!CarrierReply.saysNoMoreItems(Array("ITRANS000001NO MORE".utf8)))
        #expect(throws: TransportError.self) {
            _ = try CarrierReply(checking: Array("            SOMETHING ELSE".utf8), statusCode: 200, elapsedSeconds: 0)
        }
    }

    @Test("Routes file: a version 02 mailbox needs no carrier; a version 02 reconciliation is refused, saying why")
    func configuration() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("v02-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func load(_ section: String) throws -> WatchConfiguration {
            try """
                delivery: delivery.yaml
                routes:
                  - {name: replies, inbox: replies, from: cdanet, to: json, deliver: [practice]}
                \(section)

                """.write(toFile: folder + "/routes.yaml", atomically: true, encoding: .utf8)
            return try WatchConfiguration.load(path: folder + "/routes.yaml", knownTransports: ["practice", "carrier"])
        }
        let entry = "{name: old, destination: carrier, replies: replies, transactionPrefix: \"            \", softwareSystemId: CB1, provider: \"123456789\", office: \"0001\", version: \"02\"}"
        let loaded = try load("mailboxes:\n  - \(entry)")
        #expect(loaded.mailboxes.first?.version == "02")
        #expect {
            _ = try load("reconciliations:\n  - \(entry)")
        } throws: { error in
            "\(error)".contains("routes.yaml:5") && "\(error)".contains("version 02 has no reconciliation")
        }
        let reconciliation = try load(
            "reconciliations:\n  - "
                + entry.replacingOccurrences(of: "version: \"02\"", with: "carrierId: \"000125\", send: [payment], daysBack: 0"))
        #expect(reconciliation.reconciliations.first?.requests == [.payment])
        #expect(reconciliation.reconciliations.first?.daysBack == 0)
        #expect {
            _ = try load("reconciliations:\n  - " + entry.replacingOccurrences(of: "version: \"02\"", with: "carrierId: \"000125\", send: [refund]"))
        } throws: { error in
            "\(error)".contains("may list payment (06) and summary (05)")
        }
    }

    @Test("Against the simulator: a pended version 02 claim's EOB is released by a version 02 poll and moves the claim")
    func pendedVersion02AnswerIsReleased() async throws {
        // The plan GRP5520ADM answers a claim "held, reply later" and keeps its EOB in the mailbox; version 02's
        // policy number (C01) holds 8 characters, so it is GRP5520 here.
        let claim = String(decoding: try Fixtures.bytes("cdanet/v02/01-claim.expected.json"), as: UTF8.self)
            .replacingOccurrences(of: "GRP4471", with: "GRP5520")
        let plans = SimulatorWatch.examplePlans.replacingOccurrences(of: "policy: GRP5520ADM", with: "policy: GRP5520")
        #expect(plans.contains("policy: GRP5520\n"))
        try await SimulatorWatch.withRunning(plans: plans, claims: ["claim.jsonl": claim]) { watch in
            // The claim goes out as version 02; its 11 "held, reply later" comes back (read by the second run).
            try await watch.drain()
            try await watch.drain()
            let ledger = try watch.ledger()
            #expect(try watch.claimState("000202", in: ledger) == "pended")
            // A version 02 poll: the 04 releases the 21, then the 11 with error 049 says nothing more is held.
            watch.configuration.mailboxes = [Self.mailbox]
            try await watch.drain()
            #expect(try watch.claimState("000202", in: ledger) == "adjudicated")
            let chain = try ledger.chain(officeSequenceNumber: "000202").map(\.type)
            #expect(chain == ["claim", "claimAcknowledgement", "explanationOfBenefits"], "\(chain)")
            let files = try ledger.files(route: "mailbox:v02", limit: 100)
            #expect(files.filter { $0.name.hasPrefix("mailbox-v02-") }.count == 2, "the EOB, then nothing more")
            #expect(files.filter { $0.name.hasPrefix("mailbox-answer-") }.count == 1, "the end answer is kept")
            // The released answer is the version 02 EOB, in the version the claim was sent in.
            let practice = try FileManager.default.contentsOfDirectory(atPath: watch.root + "/practice")
            let released = try #require(practice.first { $0.hasPrefix("mailbox-v02-") })
            let eob = try String(contentsOfFile: watch.root + "/practice/" + released, encoding: .utf8)
            #expect(eob.contains("\"type\":\"explanationOfBenefits\""))
            #expect(eob.contains("\"version\":\"02\""))
            #expect(eob.contains("\"officeSequenceNumber\":\"000202\""))
            // A second poll finds the mailbox empty: one request, answered by error 049.
            try await watch.drain()
            #expect(try ledger.files(route: "mailbox:v02", limit: 100).filter { $0.name.hasPrefix("mailbox-v02-") }.count == 3)
            #expect(try watch.claimState("000202", in: ledger) == "adjudicated")
        }
    }

    @Test("Against the simulator: a version 02 poll ends on its 11 with error 049; a version 04 carrier's refusal ends it too")
    func pollAgainstSimulator() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("v02-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/replies", withIntermediateDirectories: true)
        let plans = try String(
            contentsOf: Fixtures.root.appendingPathComponent("Examples/simulator/plans.yaml"), encoding: .utf8)
        let simulator = CarrierSimulator(table: try PlanTable.parse(yaml: plans), catalog: Fixtures.catalog)
        try await simulator.withRunning { port in
            var configuration = WatchConfiguration(
                stateDirectory: root + "/state",
                routes: [
                    Route(
                        name: "replies", inbox: root + "/replies", readiness: .stableFor(.zero),
                        translation: .cdanetToJSON, transports: [])
                ])
            var refused = Self.mailbox
            refused.name = "refused"
            refused.version = "04"
            refused.carrierId = "610099"  // another carrier: the simulator refuses the 04 itself
            configuration.mailboxes = [Self.mailbox, refused]
            let watcher = Watcher(
                configuration: configuration, resources: TranslationResources(catalog: Fixtures.catalog),
                transports: ["carrier": try CarrierTransport(url: "http://127.0.0.1:\(port)/cdanet", tls: TLSOptions())],
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            try await watcher.run(drain: true)
            let ledger = try Ledger(path: root + "/state/ledger.sqlite")
            for name in ["v02", "refused"] {
                let files = try ledger.files(route: "mailbox:\(name)", limit: 100)
                #expect(files.filter { $0.name.hasPrefix("mailbox-\(name)-") }.count == 1, "one request, then the end")
                #expect(files.filter { $0.name.hasPrefix("mailbox-answer-") }.count == 1, "its answer is kept")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/replies").filter { !$0.hasPrefix(".") }
                .allSatisfy { !$0.hasPrefix("mailbox-") }, "nothing was released")
        }
    }
}
