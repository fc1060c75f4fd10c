import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// A message is read only if it can be written back as received: a value its mapping always writes in
/// normal form (`normalize:`), such as a middle initial in capitals, is refused when it is not in that form.
@Suite struct CDAnetReversibleReadTests {
    @Test func aLowerCaseInitialIsRefusedNotChangedOnTheWayBack() throws {
        var message = try Fixtures.bytes("cdanet/v02/00-eligibility.txt")
        message[message.count - 1] = UInt8(ascii: "m")
        let reject = try Self.refusedAsNotReversible(message, field: "D04")
        #expect(reject.error.reason.contains("in capitals"))
        #expect(!reject.diagnostic(inputName: "stdin").contains("\"m\""))
    }

    /// The fuzzer's finding (`Fuzz/Regressions/cdanet-roundtrip/crash-a1a33f10…`): a mailbox indicator (A11) `O`,
    /// the French alias of `Y`, was read as `itemsWaiting` and written back as `Y`.
    @Test func aCodeReadThroughAnAliasIsRefused() throws {
        let message = try Fixtures.bytes("cdanet/v04/14-outstanding-transactions-ack.txt")
        let a11 = try #require(Self.mailboxIndicatorOffset(in: message))
        #expect(message[a11] == UInt8(ascii: "N") || message[a11] == UInt8(ascii: "Y"))
        var aliased = message
        aliased[a11] = UInt8(ascii: "O")
        let reject = try Self.refusedAsNotReversible(aliased, field: "A11")
        #expect(reject.error.reason.contains("alias"))
        // The code itself is read and written back as received.
        aliased[a11] = UInt8(ascii: "Y")
        let json = try Translate.cdanet(aliased).output
        #expect(try Translate.json(json).output == aliased)
    }

    /// Translates `message`, expects it to be one reject that could not be written back, found in `field`.
    static func refusedAsNotReversible(_ message: [UInt8], field: String) throws -> RejectedMessage {
        let run = try Translate.cdanet(message)
        #expect(run.summary.translated == 0)
        let reject = try #require(run.rejects.first)
        #expect(reject.original == message)
        #expect(reject.error.code == .notReversible)
        #expect(reject.error.location.fieldID == field)
        return reject
    }

    /// Where A11 is in a version 04 message: after A01–A07 and the fixed fields before it in the layout.
    static func mailboxIndicatorOffset(in message: [UInt8]) -> Int? {
        let layout = Fixtures.catalog.mapping(version: 4, transaction: 14)?.layout
        guard let layout, let index = layout.fields.firstIndex(where: { $0.id == "A11" }) else { return nil }
        return layout.leadingFieldOffset(of: index)
    }

    @Test func theSameInitialInCapitalsIsRead() throws {
        let run = try Translate.cdanet(try Fixtures.bytes("cdanet/v02/00-eligibility.txt"))
        #expect(run.summary.translated == 1)
        #expect(run.rejects.isEmpty)
    }

    /// The reserved gap before G01 in a claim reversal is always written as zeros: anything else is refused.
    @Test func reservedBytesThatAreNotTheirFillAreRefused() throws {
        var message = try Fixtures.bytes("cdanet/v04/02-claim-reversal.txt")
        #expect(message[144..<150].allSatisfy { $0 == UInt8(ascii: "0") })
        message.replaceSubrange(144..<150, with: Array("ITRANS".utf8))
        let run = try Translate.cdanet(message)
        #expect(run.summary.translated == 0)
        let reject = try #require(run.rejects.first)
        #expect(reject.error.code == .unexpectedConstant)
        #expect(reject.error.location.byteOffset == 144)
        #expect(reject.error.reason.contains("reserved"))
    }

    /// A positive amount is written without a sign, so an amount with a `+` sign is refused on reading; a
    /// negative amount keeps its `-`.
    @Test func anAmountWithAPlusSignIsRefused() throws {
        let eob = try Fixtures.bytes("cdanet/v04/21-eob-basic.txt")
        let amount = try #require(Self.firstAmount(in: eob))
        var signed = eob
        signed[amount] = UInt8(ascii: "+")
        let run = try Translate.cdanet(signed)
        #expect(run.summary.translated == 0)
        #expect(run.rejects.first?.error.code == .notDigits)
        #expect(run.rejects.first?.error.reason.contains("minus sign") == true)
    }

    /// Zero is written without a sign, so a negative zero is refused too.
    @Test func aNegativeZeroAmountIsRefused() throws {
        let eob = try Fixtures.bytes("cdanet/v04/21-eob-basic.txt")
        let amount = try #require(Self.firstAmount(in: eob))
        let layout = Fixtures.catalog.mapping(version: 4, transaction: 21)!.layout
        let width = layout.fields.first { $0.type == .money && $0.group == nil }!.width
        var negativeZero = eob
        negativeZero.replaceSubrange(amount..<(amount + width), with: [UInt8(ascii: "-")] + Array(repeating: UInt8(ascii: "0"), count: width - 1))
        let run = try Translate.cdanet(negativeZero)
        #expect(run.summary.translated == 0)
        #expect(run.rejects.first?.error.code == .notDigits)
    }

    /// The offset of the first byte of the first money field of a message, found through its layout.
    static func firstAmount(in message: [UInt8]) -> Int? {
        let layout = Fixtures.catalog.mapping(version: 4, transaction: 21)!.layout
        let record = DecodedRecord()
        message.withUnsafeBufferPointer { try? FixedWidthDecoder(layout: layout).decode($0, baseOffset: 0, into: record) }
        for (index, field) in layout.fields.enumerated() where field.type == .money && field.group == nil {
            if let range = record.range(of: index, instance: 0), range.count > 1 { return range.lowerBound }
        }
        return nil
    }
}
