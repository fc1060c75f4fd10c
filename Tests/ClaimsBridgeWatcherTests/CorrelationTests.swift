import ClaimsBridge
@testable import ClaimsBridgeWatcher
import ClaimsBridgeTestSupport
import Foundation
import Testing

@Suite("Sequence numbers and correlation")
struct CorrelationTests {
    static let routes = """
        state: state
        delivery: delivery.yaml
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

    /// The claim fixture's JSON with its A02 and A09 taken out (or emptied).
    func claimWithoutNumbers(emptied: Bool) throws -> [UInt8] {
        var text = String(decoding: try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json"), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"officeSequenceNumber\":\"000101\",", with: emptied ? "\"officeSequenceNumber\":\"\"," : "")
        text = text.replacingOccurrences(of: ",\"carrierTransactionCounter\":\"00101\"", with: emptied ? ",\"carrierTransactionCounter\":\"\"" : "")
        #expect(!text.contains("000101"))
        return Array(text.utf8)
    }

    @Test(
        "Missing office sequence numbers and transaction counters are allocated from the ledger, never twice",
        arguments: LedgerEngine.allCases)
    func allocation(_ engine: LedgerEngine) async throws {
        let harness = try WatchHarness(engine, routesYAML: Self.routes)
        try harness.drop("a.jsonl", try claimWithoutNumbers(emptied: false))
        try harness.drop("b.jsonl", try claimWithoutNumbers(emptied: true))
        try await harness.drain()

        let original = try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")
        let outputs = harness.files(in: harness.output).sorted()
        #expect(outputs.count == 2)
        var numbers: [String] = []
        for name in outputs {
            let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: harness.output + "/" + name)))
            #expect(bytes.count == original.count)
            // A02 is bytes 12..<18 and A09 bytes 38..<43 of a version 04 claim.
            numbers.append(String(decoding: bytes[12..<18], as: UTF8.self) + "/" + String(decoding: bytes[38..<43], as: UTF8.self))
            var expected = original
            expected.replaceSubrange(12..<18, with: bytes[12..<18])
            expected.replaceSubrange(38..<43, with: bytes[38..<43])
            #expect(bytes == expected, "only the allocated numbers differ from the fixture")
        }
        #expect(Set(numbers) == ["000001/00001", "000002/00002"])
    }

    @Test("A response is matched to its request; one with no request is kept and reported", arguments: LedgerEngine.allCases)
    func matching(_ engine: LedgerEngine) async throws {
        let harness = try WatchHarness(engine, routesYAML: Self.routes)
        try harness.drop("claim.jsonl", try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json"))
        try await harness.drain()
        let replies = harness.root + "/replies"
        try harness.drop("ack.txt", try Fixtures.bytes("cdanet/v04/11-claim-acknowledgement.txt"), into: replies)
        try harness.drop("reversal-response.txt", try Fixtures.bytes("cdanet/v04/12-claim-reversal-response.txt"), into: replies)
        try await harness.drain()

        let ledger = try harness.ledger()
        let chain = try ledger.chain(officeSequenceNumber: "000101", provider: "123456789")
        let claim = try #require(chain.first { $0.type == "claim" })
        let acknowledgement = try #require(chain.first { $0.type == "claimAcknowledgement" })
        #expect(claim.isRequest && claim.fileName == "claim.jsonl")
        #expect(acknowledgement.requestID == claim.messageID)
        let unmatched = try ledger.unmatchedResponses()
        #expect(unmatched.map(\.type) == ["claimReversalResponse"])
        // Kept: translated, delivered and archived like any other response.
        #expect(try ledger.countsByState() == [.delivered: 3])
    }
}
