import ClaimsBridgeTestSupport
import Testing

@testable import ClaimsBridge

/// A message cut short by about the length of the message after it decodes with that message in its text fields
/// and is followed by a header, so nothing after it looks wrong: the whole message inside it, ending where it
/// ends (or where the next message with the batch's prefix starts), is the next message.
@Suite struct CDAnetWholeMessageInsideTests {
    typealias Cases = CDAnetResyncSurveyCasesTests

    /// An e-mail (24) whose tail was cut off by exactly the length of the payment reconciliation request after it.
    @Test func aMessageCutShortByTheNextOnesLengthDoesNotSwallowIt() throws {
        let damaged = Array(Cases.fixture("v04/24-email").dropLast(77))
        try Cases.expectOnlyTheDamagedMessageIsLost(
            damaged, then: [Cases.fixture("v04/06-payment-reconciliation-request"), Cases.fixture("v04/21-eob-basic")])
    }

    /// The same with a letter of the e-mail replaced too, and a claim response after it: the message inside need
    /// not be the last in the batch.
    @Test func aDamagedMessageCutShortByTheNextOnesLengthDoesNotSwallowIt() throws {
        let email = Cases.fixture("v04/24-email")
        let response = Cases.fixture("v04/19-attachment-acknowledgement")
        let damaged = Array(Cases.edit(email, at: 112, removing: 1, inserting: "X").dropLast(response.count))
        try Cases.expectOnlyTheDamagedMessageIsLost(damaged, then: [response, Cases.fixture("v04/01-claim-basic")])
    }

    /// An eligibility response cut short by the length of a request and of the start of a damaged response after
    /// it: the request inside it ends where a header with the batch's prefix starts.
    @Test func aMessageInsideEndingAtTheNextDamagedOneIsTheNextMessage() throws {
        let response = Cases.fixture("v04/18-eligibility-response")
        let request = Cases.fixture("v04/06-payment-reconciliation-request")
        let cutNext = Array(Cases.fixture("v02/10-eligibility-response").prefix(54))
        let damaged = Array(response.prefix(response.count - request.count - cutNext.count))
        let after = Cases.fixture("v04/21-eob-basic")
        let segments: [CDAnetBatchAudit.Segment] = [
            .init(bytes: damaged, isControl: false), .init(bytes: request, isControl: true),
            .init(bytes: cutNext, isControl: false), .init(bytes: after, isControl: true),
        ]
        for chunkSize in [97, 64 * 1024] {
            let result = CDAnetBatchAudit(catalog: Fixtures.catalog).audit(segments, chunkSize: chunkSize)
            #expect(result.controlsLost == 0, "chunk size \(chunkSize)")
            #expect(result.invented == 0, "chunk size \(chunkSize)")
            #expect(result.unaccountedBytes == 0, "chunk size \(chunkSize)")
        }
        let run = try Translate.cdanet(segments.flatMap(\.bytes))
        #expect(run.summary.translated == 2)
        #expect(run.rejects.map(\.original) == [damaged, cutNext])
    }

    /// A claim acknowledgement cut short by 155 bytes, then the same acknowledgement: read with the length its A07
    /// gives, it ends with the first 155 bytes of the next one, so its embedded EOB (G40) holds the start of its own
    /// EOB and then those bytes. An embedded message that does not decode makes the message a damaged one, and the
    /// next acknowledgement is found where it starts, with its own EOB.
    @Test func aMessageWhoseEmbeddedMessageDoesNotDecodeDoesNotSwallowTheNextOne() throws {
        let acknowledgement = Cases.fixture("v04/11-claim-acknowledgement-embedded")
        let damaged = Array(acknowledgement.dropLast(155))
        try Cases.expectOnlyTheDamagedMessageIsLost(damaged, then: [acknowledgement, Cases.fixture("v04/21-eob-basic")])
    }

    /// A COB claim's embedded EOB ends where the claim ends: it is the claim's, not a message inside it.
    @Test func anEmbeddedMessageIsNotAMessageInside() throws {
        let claim = Cases.fixture("v04/07-cob-claim")
        let acknowledgement = Cases.fixture("v04/11-claim-acknowledgement-embedded")
        let run = try Translate.cdanet(claim + acknowledgement + claim)
        #expect(run.summary.translated == 3)
        #expect(run.rejects.isEmpty)
    }
}
