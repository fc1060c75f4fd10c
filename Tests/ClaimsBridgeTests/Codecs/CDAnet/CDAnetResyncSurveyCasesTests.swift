import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// Cases the mutation survey (`claimsbridge-mutation-survey`, seed 13) found: a damaged message, then an undamaged
/// one that used to be lost in the damaged one's reject or read wrongly, or an embedded message read as a message.
/// Each is the fixture with the survey's edits.
@Suite struct CDAnetResyncSurveyCasesTests {
    static func fixture(_ path: String) -> [UInt8] { (try? Fixtures.bytes("cdanet/\(path).txt")) ?? [] }

    /// `bytes` with `count` bytes at `offset` replaced by `replacement` (which may be shorter or longer).
    static func edit(_ bytes: [UInt8], at offset: Int, removing count: Int, inserting replacement: String) -> [UInt8] {
        var copy = bytes
        copy.replaceSubrange(offset..<(offset + count), with: Array(replacement.utf8))
        return copy
    }

    /// Frames `damaged` followed by `controls`, and checks that every control is read as sent, nothing is
    /// invented, and the damaged message is exactly one reject.
    static func expectOnlyTheDamagedMessageIsLost(_ damaged: [UInt8], then controls: [[UInt8]]) throws {
        let segments = [CDAnetBatchAudit.Segment(bytes: damaged, isControl: false)]
            + controls.map { CDAnetBatchAudit.Segment(bytes: $0, isControl: true) }
        for chunkSize in [97, 64 * 1024] {
            let result = CDAnetBatchAudit(catalog: Fixtures.catalog).audit(segments, chunkSize: chunkSize)
            #expect(result.controlsLost == 0, "chunk size \(chunkSize)")
            #expect(result.invented == 0, "chunk size \(chunkSize)")
            #expect(result.unaccountedBytes == 0, "chunk size \(chunkSize)")
        }
        let run = try Translate.cdanet(damaged + Array(controls.joined()))
        #expect(run.summary.translated == controls.count)
        #expect(run.rejects.map(\.original) == [damaged])
    }

    /// A short request whose transaction code is unreadable, then the same request: a message that can embed
    /// another needs more fixed fields than the 63 bytes before the second one, so it is not embedded.
    @Test func aShortRequestWithAnUnreadableHeaderIsNotTakenToEmbedTheNextOne() throws {
        let request = Self.fixture("v04/04-outstanding-transactions")
        let damaged = Self.edit(request, at: 21, removing: 1, inserting: "X")
        try Self.expectOnlyTheDamagedMessageIsLost(damaged, then: [request, Self.fixture("v04/21-eob-basic")])
    }

    @Test func aShortSummaryRequestMissingAByteIsNotTakenToEmbedTheNextOne() throws {
        let request = Self.fixture("v04/05-summary-reconciliation-request")
        let damaged = Self.edit(request, at: 16, removing: 1, inserting: "")
        try Self.expectOnlyTheDamagedMessageIsLost(damaged, then: [request, request])
    }

    /// An eligibility response two bytes short that decodes by taking the next message's first two bytes: the
    /// bytes after it are the next header shifted by two, whose digits look like a version 02 eligibility header
    /// (A02 "020202", version 02, transaction 00, length 133). Such a
    /// header counts only when its message decodes, so the next message is found where it starts.
    @Test func aMessageDoesNotTakeTheFirstBytesOfTheNextOneWhenTheShiftedHeaderLooksValid() throws {
        var damaged = Self.edit(Self.fixture("v02/10-eligibility-response"), at: 81, removing: 2, inserting: "1")
        damaged.remove(at: 62)
        try Self.expectOnlyTheDamagedMessageIsLost(damaged, then: [Self.fixture("v02/02-claim-reversal")])
    }

    /// A message one byte short before a message with a blank prefix (A01 all spaces), which is followed by a
    /// message whose header is damaged: the blank-prefix message is still found where it starts.
    @Test func aBlankPrefixMessageBeforeADamagedHeaderIsNotTakenAsPadding() throws {
        var damaged = Self.fixture("v02/10-eligibility-response")
        damaged.remove(at: 67)
        let pended = Self.fixture("v02/04-pended-claims-request")
        let nextDamaged = Self.edit(Self.fixture("v04/04-outstanding-transactions"), at: 21, removing: 1, inserting: "X")
        let segments: [CDAnetBatchAudit.Segment] = [
            .init(bytes: damaged, isControl: false), .init(bytes: pended, isControl: true),
            .init(bytes: nextDamaged, isControl: false), .init(bytes: Self.fixture("v04/21-eob-basic"), isControl: true),
        ]
        let result = CDAnetBatchAudit(catalog: Fixtures.catalog).audit(segments)
        #expect(result.controlsLost == 0)
        #expect(result.invented == 0)
        let run = try Translate.cdanet(segments.flatMap(\.bytes))
        #expect(run.rejects.map(\.original) == [damaged, nextDamaged])
    }

    /// An eligibility response with a damaged prefix byte, one byte short, after a version 02 request with a blank
    /// prefix (A01 all spaces): it decodes by taking the next message's first byte, and the next message is found
    /// one byte earlier by the network's prefix, which the blank one did not replace as the batch's.
    @Test func theBatchsPrefixOutlastsARequestWithABlankPrefix() throws {
        var damaged = Self.edit(Self.fixture("v02/10-eligibility-response"), at: 1, removing: 1, inserting: "1")
        damaged.remove(at: 80)
        let segments: [CDAnetBatchAudit.Segment] = [
            .init(bytes: Self.fixture("v04/21-eob-basic"), isControl: true),
            .init(bytes: Self.fixture("v02/04-pended-claims-request"), isControl: true),
            .init(bytes: damaged, isControl: false),
            .init(bytes: Self.fixture("v04/08-eligibility-plan-record"), isControl: true),
        ]
        let result = CDAnetBatchAudit(catalog: Fixtures.catalog).audit(segments)
        #expect(result.controlsLost == 0)
        #expect(result.invented == 0)
        let run = try Translate.cdanet(segments.flatMap(\.bytes))
        #expect(run.rejects.map(\.original) == [damaged])
    }

    /// A predetermination EOB with an unreadable amount, cut short 4 bytes less than the 77-byte request after it:
    /// its A07 says it ends about where the request does, and its validation code (G30) ends in "0077", 4 bytes
    /// before its G39 (which says 0000). Those digits are not G39 moved by inserted bytes, since the message is
    /// not 4 bytes longer than its A07 says but shorter, so the request is not taken for an embedded message.
    @Test func aValidationCodeBesideAZeroEmbeddedLengthDoesNotMakeTheNextMessageEmbedded() throws {
        var damaged = Self.fixture("v04/23-predetermination-eob")
        damaged[62] = UInt8(ascii: "X")
        damaged.removeLast(damaged.count - 240)
        try Self.expectOnlyTheDamagedMessageIsLost(
            damaged, then: [Self.fixture("v04/06-payment-reconciliation-request"), Self.fixture("v04/21-eob-basic")])
    }

    /// A claim acknowledgement missing its first prefix byte, with an unreadable length: its count fields and
    /// embedded length (G39) are all one byte early, and read there they end exactly with the embedded EOB.
    @Test func anEmbeddedEOBIsFoundAfterADeletionBeforeTheCountFields() throws {
        var damaged = Self.edit(Self.fixture("v04/11-claim-acknowledgement-embedded"), at: 31, removing: 1, inserting: ",")
        damaged.remove(at: 2)
        try Self.expectOnlyTheDamagedMessageIsLost(damaged, then: [Self.fixture("v02/21-eob")])
    }

    /// A predetermination EOB cut short, before a 42-byte request: its length field says it ends about where the
    /// request does, but its embedded-length field (G39) says 0, so the request is not embedded in it. Only G39
    /// near its own place counts, not any digits in the message that spell 42.
    @Test func digitsAwayFromTheEmbeddedLengthDoNotMakeTheNextMessageEmbedded() throws {
        var damaged = Self.fixture("v04/23-predetermination-eob")
        damaged[105] = UInt8(ascii: "X")
        damaged.insert(UInt8(ascii: " "), at: 71)
        damaged.removeLast(damaged.count - 280)
        try Self.expectOnlyTheDamagedMessageIsLost(
            damaged, then: [Self.fixture("v02/04-pended-claims-request"), Self.fixture("v04/21-eob-basic")])
    }

    /// A claim acknowledgement whose G39 says 569 instead of 269: its walk runs past the end, but its length
    /// field says it ends exactly where the EOB after its fixed fields does, and G39 is off by one digit.
    @Test func anEmbeddedEOBIsFoundWhenItsLengthFieldIsOffByOneDigit() throws {
        let damaged = Self.edit(Self.fixture("v04/11-claim-acknowledgement-embedded"), at: 152, removing: 1, inserting: "5")
        try Self.expectOnlyTheDamagedMessageIsLost(damaged, then: [Self.fixture("v04/21-eob-basic")])
    }

    /// An email cut short by the length of the next message and ten bytes more, then that message, ten bytes of
    /// garbage and a message: the email decodes with the length its A07 gives, over both. The message inside it
    /// ends neither where the email ends nor where a header starts, so nothing says it is a message of its own: it
    /// is lost, but the email was sent where it is read, so the audit does not count it as a message invented.
    @Test func aDamagedMessageReadOverItsNeighbourIsALossNotAnInvention() {
        let email = Self.fixture("v04/24-email")
        let response = Self.fixture("v02/11-claim-response")
        let garbage = Array("XXXXXXXXXX".utf8)
        let damaged = Array(email.prefix(email.count - response.count - garbage.count))
        let result = CDAnetBatchAudit(catalog: Fixtures.catalog).audit([
            .init(bytes: damaged, isControl: false), .init(bytes: response, isControl: true),
            .init(bytes: garbage, isControl: false), .init(bytes: Self.fixture("v04/21-eob-basic"), isControl: true),
        ])
        #expect(result.controlsLost == 1)
        #expect(result.invented == 0)
    }

    /// A maximal EOB (its last byte a space), then a version 02 request with a blank prefix missing its first
    /// space (survey seed 13). The same bytes are the EOB missing one of its trailing spaces, then the request
    /// intact, and that is what is read: the EOB is lost, and the audit says no reader could have kept it.
    @Test func aControlLostToTheSameBytesAsAnIntactNeighbourIsCountedAmbiguous() {
        let eob = Self.fixture("v04/21-eob-maximal")
        let request = Self.fixture("v02/04-pended-claims-request")
        let audit = CDAnetBatchAudit(catalog: Fixtures.catalog)
        let result = audit.audit([
            .init(bytes: eob, isControl: true), .init(bytes: Array(request.dropFirst()), isControl: false, original: request),
        ])
        #expect(result.controlsLost == 1)
        #expect(result.controlsLostAmbiguously == 1)
        // The request damaged again near its end (seed 13: "same last 6"): the request read is not the one sent,
        // so the loss is the reader's.
        let twiceDamaged = Self.edit(Array(request.dropFirst()), at: 34, removing: 1, inserting: "X")
        let other = audit.audit([
            .init(bytes: eob, isControl: true), .init(bytes: twiceDamaged, isControl: false, original: request),
        ])
        #expect(other.controlsLost == 1)
        #expect(other.controlsLostAmbiguously == 0)
        // Without the original, nothing is known about what was sent.
        let unknown = audit.audit([.init(bytes: eob, isControl: true), .init(bytes: Array(request.dropFirst()), isControl: false)])
        #expect(unknown.controlsLostAmbiguously == 0)
    }

    /// What the survey's damage can make of a message: up to 6 bytes edited, then up to 200 cut off its tail.
    /// A claim acknowledgement with a byte of its prefix changed whose embedded EOB lost bytes of its header, then
    /// another acknowledgement: the damaged one, read at its stated length, takes the next one's first bytes and
    /// decodes, but what its G40 holds is no message, so the next message is looked for inside it, and found.
    @Test(arguments: [(158, 1), (158, 2), (172, 5)])
    func aMessageWhoseEmbeddedMessageIsNotOneLooksForTheNextInsideIt(_ offset: Int, _ count: Int) throws {
        var damaged = Self.edit(
            Self.fixture("v04/11-claim-acknowledgement-embedded"), at: offset, removing: count, inserting: "")
        damaged = Self.edit(damaged, at: 11, removing: 1, inserting: "5")
        try Self.expectOnlyTheDamagedMessageIsLost(
            damaged, then: [Self.fixture("v04/11-claim-acknowledgement"), Self.fixture("v04/21-eob-basic")])
        let run = try Translate.cdanet(damaged + Self.fixture("v04/11-claim-acknowledgement"))
        #expect(run.rejects.first?.error.reason.contains("G40") == true)
    }

    @Test func theMutatorsReachIsKnown() {
        let message = Self.fixture("v04/07-cob-claim")
        var edited = message
        edited.remove(at: 10)
        edited.insert(UInt8(ascii: " "), at: 500)
        edited[700] = UInt8(ascii: "X")
        #expect(CDAnetMutator.couldDamage(message, into: edited[...]))
        #expect(CDAnetMutator.couldDamage(message, into: edited.dropLast(200)))
        #expect(!CDAnetMutator.couldDamage(message, into: edited.dropLast(220)))
        var tooMany = message
        for index in stride(from: 100, to: 800, by: 100) { tooMany[index] = UInt8(ascii: "#") }
        #expect(!CDAnetMutator.couldDamage(message, into: tooMany[...]))
        #expect(!CDAnetMutator.couldDamage(message, into: Self.fixture("v04/01-claim-maximal")[...]))
    }
}
