import ClaimsBridgeTestSupport
import Testing

@testable import ClaimsBridge

/// A damaged response whose embedded-length field (G39) and structure no longer point at its embedded EOB: the EOB
/// is recognised by what it shares with its carrier (the transaction it answers: A01, A02, B01, B02) and by
/// ending where the carrier's length field (A07) says the carrier ends. Neither witness alone is enough.
@Suite struct CDAnetEmbeddedIdentityTests {
    typealias Cases = CDAnetResyncSurveyCasesTests

    /// A maximal EOB missing two digits of its G39 ("0334" reads "0301"): the walk puts its embedded EOB where it
    /// is but says it is 301 bytes long, and A07 says 1314 for a message now 1312 bytes long.
    @Test func anEmbeddedEOBIsFoundByTheTransactionItAnswersWhenItsLengthFieldIsDamaged() throws {
        let damaged = Cases.edit(Cases.fixture("v04/21-eob-maximal"), at: 121, removing: 2, inserting: "")
        try Cases.expectOnlyTheDamagedMessageIsLost(damaged, then: [Cases.fixture("v04/21-eob-basic")])
    }

    /// A claim acknowledgement with one unreadable byte in A07 and a digit of G39 changed: no field says the
    /// embedded EOB's length, but it answers the same transaction, starts where the structure puts it, and ends
    /// where A07 (one byte unreadable) says.
    @Test func anEmbeddedEOBIsFoundWhenItsCarriersLengthFieldHasAnUnreadableByte() throws {
        var damaged = Cases.edit(Cases.fixture("v04/11-claim-acknowledgement-embedded"), at: 29, removing: 1, inserting: "X")
        damaged = Cases.edit(damaged, at: 151, removing: 1, inserting: "8")
        try Cases.expectOnlyTheDamagedMessageIsLost(
            damaged, then: [Cases.fixture("v04/24-email"), Cases.fixture("v04/21-eob-basic")])
    }

    /// A claim acknowledgement cut short by exactly the length of the next message, which answers the same
    /// transaction: the next message ends where the cut one's A07 says, but its structure puts the embedded EOB
    /// where the cut began, so the next message is not taken for it.
    @Test func aNextMessageEndingWhereTheCutOneSaysIsNotTakenForItsEmbeddedEOB() throws {
        let acknowledgement = Cases.fixture("v04/11-claim-acknowledgement")
        // The embedding acknowledgement, answering the same transaction (A02) as the next one, its total amount
        // (G04) unreadable.
        var carrier = Cases.edit(Cases.fixture("v04/11-claim-acknowledgement-embedded"), at: 12, removing: 6, inserting: "000101")
        carrier[141] = UInt8(ascii: "X")
        let damaged = Array(carrier.prefix(carrier.count - acknowledgement.count))
        try Cases.expectOnlyTheDamagedMessageIsLost(damaged, then: [acknowledgement, Cases.fixture("v04/21-eob-basic")])
    }

    /// A damaged maximal EOB followed by another one: the first one's embedded EOB is its, and the second one,
    /// right after it, answering the same transaction, is the next message, not a second embedded one.
    @Test func aMessageRightAfterTheEmbeddedOneIsTheNextMessage() throws {
        let eob = Cases.fixture("v04/21-eob-maximal")
        let damaged = Cases.edit(eob, at: 121, removing: 2, inserting: "")
        try Cases.expectOnlyTheDamagedMessageIsLost(damaged, then: [eob, eob])
    }
}
