import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// After a damaged message the reader finds the next real message: nothing embedded is taken for a message,
/// good messages after a bad one are not swallowed, and unreadable bytes are reported in bounded pieces.
@Suite struct CDAnetResyncTests {
    static func fixture(_ name: String) -> [UInt8] { (try? Fixtures.bytes("cdanet/v04/\(name).txt")) ?? [] }
    static let eob = fixture("21-eob-basic")

    /// A copy of `bytes` with `replacement` written at `offset`.
    static func with(_ bytes: [UInt8], _ replacement: String, at offset: Int) -> [UInt8] {
        var copy = bytes
        copy.replaceSubrange(offset..<(offset + replacement.utf8.count), with: Array(replacement.utf8))
        return copy
    }

    @Test(arguments: [("07-cob-claim", 36), ("11-claim-acknowledgement-embedded", 28)])
    func anEmbeddedMessageIsNeverReadAsAMessage(_ name: String, _ byte: Int) throws {
        let input = Self.with(Self.fixture(name), "X", at: byte)
        let run = try Translate.cdanet(input)
        #expect(run.summary.translated == 0)
        #expect(run.rejects.count == 1)
        #expect(run.rejects.first?.original == input)
    }

    @Test func anEmbeddedMessageAfterADamagedHeaderIsNotReadEither() throws {
        // The COB claim's transaction code is unreadable, so its layout is unknown.
        let input = Self.with(Self.fixture("07-cob-claim"), "X", at: 20) + Self.eob
        let run = try Translate.cdanet(input, chunkSize: 97)
        #expect(run.summary.translated == 1)
        #expect(run.rejects.count == 1)
        #expect(run.rejects.first?.original.count == input.count - Self.eob.count)
    }

    @Test func aLengthTooLargeDoesNotSwallowTheMessagesAfterIt() throws {
        let claim = Self.fixture("01-claim-basic")
        let input = Self.with(claim, "99999", at: 32) + Array([[UInt8]](repeating: Self.eob, count: 10).joined())
        let run = try Translate.cdanet(input)
        #expect(run.summary.translated == 10)
        #expect(run.rejects.count == 1)
        #expect(run.rejects.first?.original.count == claim.count)
    }

    @Test func aBadPrefixByteDoesNotSwallowTheMessagesAfterIt() throws {
        var claim = Self.fixture("01-claim-basic")
        claim[3] = 0x01
        let input = claim + Array([[UInt8]](repeating: Self.eob, count: 600).joined())
        let run = try Translate.cdanet(input, chunkSize: 4096, readSize: 4096)
        #expect(run.summary.translated == 600)
        #expect(run.rejects.map(\.original) == [claim])
    }

    @Test func aDamagedAttachmentDoesNotSwallowTheMessagesAfterIt() throws {
        var attachment = Self.with(Self.fixture("09-attachment"), "9999999", at: 32)
        attachment[13] = UInt8(ascii: "X")
        let input = attachment + Array([[UInt8]](repeating: Self.eob, count: 2_000).joined())
        let run = try Translate.cdanet(input, chunkSize: 64 * 1024)
        #expect(run.summary.translated == 2_000)
        #expect(run.rejects.map(\.original.count) == [attachment.count])
    }

    @Test func aRunOfDigitsIsNotTakenForAMessage() throws {
        // Looks like a header (version 04, transaction 04, a length) but decodes as nothing.
        let digits = Array(String(repeating: "0404", count: 100).utf8)
        let input = digits + Self.eob + digits + Self.eob
        let run = try Translate.cdanet(input, chunkSize: 50)
        #expect(run.summary.translated == 2)
        #expect(run.rejects.map(\.original) == [digits, digits])
    }

    @Test func aDeletedByteCostsOnlyItsOwnMessage() throws {
        var claim = Self.fixture("01-claim-basic")
        claim.remove(at: 200)
        let input = Self.eob + claim + Self.eob
        let run = try Translate.cdanet(input)
        #expect(run.summary.translated == 2)
        #expect(run.rejects.map(\.original) == [claim])
    }

    @Test func anInsertedByteCostsOnlyItsOwnMessage() throws {
        var claim = Self.fixture("01-claim-basic")
        claim.insert(UInt8(ascii: " "), at: 200)
        let input = Self.eob + claim + Self.eob
        let run = try Translate.cdanet(input)
        #expect(run.summary.translated == 2)
        #expect(run.rejects.map(\.original) == [claim])
    }

    @Test func randomBytesAreRejectedInBoundedPiecesThenRefused() throws {
        var generator = SeededRandom(for: "randomBytesAreRejectedInBoundedPiecesThenRefused")
        let garbage = (0..<(3 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var source = MemoryInput(garbage + Self.eob)
        var sink = MemoryOutput()
        var rejects: [RejectedMessage] = []
        let started = ContinuousClock.now
        #expect(throws: BridgeError(.unrecognisedData, "")) {
            _ = try CDAnetReadPipeline(catalog: Fixtures.catalog).run(input: &source, output: &sink) {
                rejects.append($0)
            }
        }
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(rejects.allSatisfy { $0.original.count <= 64 * 1024 + 100 })
        let rejected = rejects.reduce(0) { $0 + $1.original.count }
        #expect(rejected > 1 << 20 && rejected < 2 << 20)
    }

    @Test func zeroBytesAreRefusedPromptly() throws {
        var source = MemoryInput([UInt8](repeating: 0, count: 8 << 20))
        var sink = MemoryOutput()
        var count = 0
        let error = #expect(throws: BridgeError.self) {
            _ = try CDAnetReadPipeline(catalog: Fixtures.catalog).run(input: &source, output: &sink) { _ in count += 1 }
        }
        #expect(error?.reason.contains("does not look like a CDAnet file") == true)
        #expect(count <= 17)
    }

    @Test func withoutALimitEveryUnreadableByteIsKeptInPieces() throws {
        let garbage = [UInt8](repeating: UInt8(ascii: "?"), count: 300_000)
        var source = MemoryInput(garbage + Self.eob)
        var sink = MemoryOutput()
        var rejects: [RejectedMessage] = []
        var pipeline = CDAnetReadPipeline(catalog: Fixtures.catalog)
        pipeline.maximumUnreadableBytes = nil
        let summary = try pipeline.run(input: &source, output: &sink) { rejects.append($0) }
        #expect(summary.translated == 1)
        #expect(rejects.map(\.original.count) == [65_536, 65_536, 65_536, 65_536, 37_856])
        #expect(rejects.map(\.messageOffset) == [0, 65_536, 131_072, 196_608, 262_144])
    }

    @Test func aMisalignedValueIsNotShownUnlessAskedFor() throws {
        // A09 (carrier transaction counter, not personal) gets a letter: a shifted message looks just like this.
        var claim = Self.fixture("01-claim-basic")
        claim[40] = UInt8(ascii: "A")
        let run = try Translate.cdanet(claim)
        let reject = try #require(run.rejects.first)
        let found = try #require(reject.error.found)
        #expect(!reject.diagnostic(inputName: "stdin").contains(found))
        #expect(!String(decoding: reject.jsonLine, as: UTF8.self).contains("found"))
        #expect(reject.diagnostic(inputName: "stdin", showingFound: true).contains("(found \"\(found)\")"))
    }

    @Test func echoedValuesAndReasonsAreBounded() {
        let long = String(repeating: "9", count: 1_000_000)
        let error = BridgeError(.notDigits, long, found: long)
        #expect(error.found!.count < BridgeError.maximumFoundLength + 40)
        #expect(error.description(showingFound: true).count < BridgeError.maximumReasonLength + 200)
    }

    @Test func spanStorageComesFromTheLayout() throws {
        for mapping in Fixtures.catalog.mappings {
            let layout = mapping.layout
            let groups = layout.groups.reduce(0) { $0 + $1.maximumCount * $1.fields.count }
            #expect(layout.tables.maximumSpanCount == layout.fields.filter { $0.group == nil }.count + groups)
        }
        // The largest message of each kind decodes within that storage.
        let run = try Translate.cdanet(Self.fixture("01-claim-maximal") + Self.fixture("21-eob-maximal"))
        #expect(run.rejects.isEmpty)
    }

    /// A message one byte short whose text ends in spaces, before a message with a blank prefix (A01 all spaces):
    /// the short message must not take the next one's first space as its own last byte.
    @Test func aShortMessageDoesNotTakeTheFirstSpaceOfABlankPrefix() throws {
        var damaged = try Fixtures.bytes("cdanet/v02/10-eligibility-response.txt")
        damaged.remove(at: 67)
        let control = try Fixtures.bytes("cdanet/v02/04-pended-claims-request.txt")
        let result = CDAnetBatchAudit(catalog: Fixtures.catalog).audit(
            [.init(bytes: damaged, isControl: false), .init(bytes: control, isControl: true)])
        #expect(result.controlsLost == 0)
        #expect(result.invented == 0)
        #expect(result.unaccountedBytes == 0)
        let run = try Translate.cdanet(damaged + control)
        #expect(run.rejects.map(\.original) == [damaged])
    }

    /// A predetermination EOB one byte short, before a 77-byte message: its validation code holds "0077" near its
    /// embedded-length field (G39, "0000"), which must not make the next message look embedded in it.
    @Test func digitsNearTheEmbeddedLengthDoNotMakeTheNextMessageEmbedded() throws {
        var damaged = Self.fixture("23-predetermination-eob")
        damaged.remove(at: 188)
        let control = Self.fixture("06-payment-reconciliation-request")
        let result = CDAnetBatchAudit(catalog: Fixtures.catalog).audit(
            [.init(bytes: damaged, isControl: false), .init(bytes: control, isControl: true)])
        #expect(result.controlsLost == 0)
        #expect(result.invented == 0)
        let run = try Translate.cdanet(damaged + control)
        #expect(run.rejects.map(\.original) == [damaged])
    }
}
