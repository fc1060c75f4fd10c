import ClaimsBridgeTestSupport
import Testing

@testable import ClaimsBridge

/// A message that embeds another one (G40) damaged in more than one place: its embedded message must still be
/// recognised as its, not read as a message of its own, when the damage moved its count and length fields twice,
/// changed the transaction code its header names, or took a byte out of its length field (A07).
@Suite struct CDAnetDamagedCarrierTests {
    typealias Cases = CDAnetResyncSurveyCasesTests

    /// `bytes` with each edit applied, the edits given at offsets of the undamaged bytes (applied from the last).
    static func edits(_ bytes: [UInt8], _ edits: [(at: Int, removing: Int, inserting: String)]) -> [UInt8] {
        edits.sorted { $0.at > $1.at }.reduce(bytes) { Cases.edit($0, at: $1.at, removing: $1.removing, inserting: $1.inserting) }
    }

    /// A claim acknowledgement missing a byte of its length field (A07) and a byte of its disposition message
    /// (G07), with two more bytes replaced: its count fields and G39 are moved by one byte, then by two, so only
    /// undoing both moves makes its structure end with its embedded EOB.
    @Test func anEmbeddedEOBIsFoundWhenTwoDeletionsMovedItsCarriersFields() throws {
        let damaged = Self.edits(
            Cases.fixture("v04/11-claim-acknowledgement-embedded"),
            [(16, 1, "X"), (28, 1, ""), (60, 1, "X"), (123, 1, "")])
        try Cases.expectOnlyTheDamagedMessageIsLost(damaged, then: [Cases.fixture("v04/24-email")])
    }

    /// A claim acknowledgement missing a byte of its carrier ID (A05) and given a space in its disposition message
    /// (G07), its length field (A07) unreadable and a byte of its provider number (B01) replaced: G39 is where it
    /// belongs, but the count fields between the two edits are one byte early, so only undoing both moves (which
    /// add up to nothing) makes its structure end with its embedded EOB.
    @Test func anEmbeddedEOBIsFoundWhenADeletionAndAnInsertionMovedOnlyTheFieldsBetweenThem() throws {
        let damaged = Self.edits(
            Cases.fixture("v04/11-claim-acknowledgement-embedded"),
            [(24, 1, ""), (32, 1, "X"), (37, 1, "X"), (124, 0, " ")])
        try Cases.expectOnlyTheDamagedMessageIsLost(damaged, then: [Cases.fixture("v04/01-claim-basic")])
    }

    /// A claim acknowledgement whose transaction code (A04) reads 12, a claim reversal response, which embeds
    /// nothing: the layouts one byte away from what the header says are tried, by their structure.
    @Test func anEmbeddedEOBIsFoundWhenItsCarriersTransactionCodeIsDamaged() throws {
        let damaged = Self.edits(Cases.fixture("v04/11-claim-acknowledgement-embedded"), [(21, 1, "2")])
        try Cases.expectOnlyTheDamagedMessageIsLost(damaged, then: [Cases.fixture("v04/24-email")])
    }

    /// A COB claim with one digit of its transaction code replaced and a letter of the patient's name: its header
    /// names a predetermination (03), which embeds nothing.
    @Test func aCOBClaimsEmbeddedEOBIsFoundWhenItsTransactionCodeIsDamaged() throws {
        let damaged = Self.edits(Cases.fixture("v04/07-cob-claim"), [(21, 1, "3"), (130, 1, "X")])
        try Cases.expectOnlyTheDamagedMessageIsLost(damaged, then: [Cases.fixture("v04/01-claim-basic")])
    }

    /// A COB claim missing one digit of its length field (A07, which then reads "0051" and a letter) with two
    /// spaces inserted after G39: A07 says the claim's length once the missing digit is put back, and G39, one
    /// byte early as the deletion put it, says the embedded EOB's length exactly.
    @Test func anEmbeddedEOBIsFoundWhenItsCarriersLengthFieldLostADigit() throws {
        let damaged = Self.edits(Cases.fixture("v04/07-cob-claim"), [(34, 1, ""), (462, 0, " "), (678, 0, " ")])
        try Cases.expectOnlyTheDamagedMessageIsLost(damaged, then: [Cases.fixture("v04/01-claim-basic")])
    }

    /// A predetermination acknowledgement missing a digit of its length field ("00232" reads "0022" and a letter),
    /// followed by a message that is not embedded: A07 with a digit missing fits many lengths (922 among them, about
    /// where the next message ends), so without G39 saying the next message's length it is not taken for embedded.
    @Test func aMessageAfterACarrierWhoseLengthFieldLostADigitIsStillRead() throws {
        let damaged = Self.edits(
            Cases.fixture("v04/13-predetermination-acknowledgement"), [(31, 1, ""), (138, 1, ""), (163, 0, " ")])
        try Cases.expectOnlyTheDamagedMessageIsLost(damaged, then: [Cases.fixture("v04/03-predetermination")])
    }

    /// A maximal EOB missing the second digit of its format version (A03): its header reads "0210", a version 02
    /// eligibility response, which embeds nothing; one byte deleted from "0421" gives the same bytes.
    @Test func anEmbeddedEOBIsFoundWhenItsCarriersVersionLostADigit() throws {
        let damaged = Self.edits(Cases.fixture("v04/21-eob-maximal"), [(19, 1, "")])
        try Cases.expectOnlyTheDamagedMessageIsLost(damaged, then: [Cases.fixture("v04/24-email")])
    }

    /// A COB claim whose G39 has one digit changed ("0255" reads "0295") and a space deleted further on: A07 says
    /// a byte more than there is, G39 is one digit from the embedded EOB's length, and the
    /// claim's structure puts the EOB where it is.
    @Test func anEmbeddedEOBIsFoundWhenItsLengthHasADigitChangedAndAByteMovedAfterIt() throws {
        let damaged = Self.edits(Cases.fixture("v04/07-cob-claim"), [(346, 1, "9"), (634, 1, "")])
        try Cases.expectOnlyTheDamagedMessageIsLost(damaged, then: [Cases.fixture("v04/01-claim-basic")])
    }

    /// A maximal EOB (G39 "0334") cut short by as many bytes as the next message holds (134): its A07 says where
    /// the next message ends and its G39 is one digit from that message's length, but its structure puts its
    /// embedded message where the cut began, so the next message is not taken for it.
    @Test func aMessageAfterACarrierCutShortByItsLengthIsStillRead() throws {
        let next = Cases.fixture("v04/14-outstanding-transactions-ack")
        let eob = Cases.fixture("v04/21-eob-maximal")
        #expect(next.count == 134)
        try Cases.expectOnlyTheDamagedMessageIsLost(Array(eob.prefix(eob.count - next.count)), then: [next])
    }

    /// A maximal EOB whose transaction code reads 24 (an email, which embeds nothing) with a space inserted after
    /// G39: its walk no longer ends with its embedded EOB, but A07 reads within a byte of the EOB's end, G39 says
    /// its length, and the walk puts G40 where it starts.
    @Test func anEmbeddedEOBIsFoundWhenItsCarriersCodeIsDamagedAndAByteInsertedAfterG39() throws {
        let damaged = Self.edits(Cases.fixture("v04/21-eob-maximal"), [(21, 1, "4"), (237, 0, " ")])
        try Cases.expectOnlyTheDamagedMessageIsLost(damaged, then: [Cases.fixture("v04/11-claim-acknowledgement")])
    }

    /// A predetermination EOB with a space inserted, a digit changed and its last four bytes gone, followed by a
    /// payment reconciliation request: the digits of an amount near its G39 spell the request's length, and a
    /// walk with two moves undone ends with it, but a request is never embedded (a message embeds an answer).
    @Test func aRequestAfterADamagedResponseIsNeverTakenForItsEmbeddedMessage() throws {
        let damaged = Self.edits(
            Cases.fixture("v04/23-predetermination-eob"), [(34, 0, " "), (155, 1, "4"), (309, 4, "")])
        try Cases.expectOnlyTheDamagedMessageIsLost(
            damaged, then: [Cases.fixture("v04/06-payment-reconciliation-request")])
    }
}
