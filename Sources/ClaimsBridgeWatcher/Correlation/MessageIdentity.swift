import ClaimsBridge

/// What identifies a message for correlation: its type and direction, and the header values a carrier's
/// response repeats from the request (office sequence number A02, carrier A05, treating provider B01).
/// Holds no personal data.
public struct MessageIdentity: Sendable, Equatable {
    public var type: String
    public var isRequest: Bool
    public var version: String
    public var officeSequenceNumber: String
    public var carrierId: String
    public var providerNumber: String
    public var officeNumber: String
    /// For a response: the request types it answers (from the layouts' `answers:`).
    public var answers: [String] = []
    /// For a response: whether it may come without a request (a layout's `unsolicited: true`).
    public var mayBeUnsolicited = false
    /// For a response: its status (G05 as a code name, e.g. `accepted`), when it has one.
    public var status: String?
    /// The carrier's reference of a response (G01), or for a reversal the reference of the claim it reverses.
    public var carrierReference: String?
    /// For an explanation of benefits: the amount payable (`totals.payable`).
    public var payable: String?
    /// For a payment or summary reconciliation: its payment reference and the claims it pays.
    public var paymentReference: String?
    public var payments: [PaymentLine] = []

    /// One claim a reconciliation pays: the claim's header values and the amount.
    public struct PaymentLine: Sendable, Equatable {
        public var carrierId: String
        public var officeSequenceNumber: String
        public var providerNumber: String
        /// The carrier's reference of the claim's answer (G01), e.g. `CT26031200001`.
        public var transactionReference: String
        public var amount: String
    }

    /// Reads the identity from one model JSON line; nil when the line is not a model message. Whether its type is
    /// a request, and what it answers, come from `rules`.
    static func read(
        _ line: UnsafeRawBufferPointer, tape: inout JSONTape, rules: TransactionRules
    ) -> MessageIdentity? {
        do { try tape.parse(line) } catch { return nil }
        guard tape.kind(tape.root) == .object, let type = tape.stringMember(tape.root, "type") else { return nil }
        let routing = tape.member(tape.root, "routing")
        let treating = tape.member(tape.root, "providers").flatMap { tape.member($0, "treating") }
        let role = rules.role(of: type)
        var identity = MessageIdentity(
            type: type, isRequest: role.isRequest,
            version: routing.flatMap { tape.stringMember($0, "version") } ?? "",
            officeSequenceNumber: routing.flatMap { tape.stringMember($0, "officeSequenceNumber") } ?? "",
            carrierId: routing.flatMap { tape.stringMember($0, "carrierId") } ?? "",
            providerNumber: treating.flatMap { tape.stringMember($0, "cdaNumber") } ?? "",
            officeNumber: treating.flatMap { tape.stringMember($0, "officeNumber") } ?? "", answers: role.answers,
            mayBeUnsolicited: role.mayBeUnsolicited, status: tape.stringMember(tape.root, "status"))
        identity.carrierReference =
            tape.stringMember(tape.root, "transactionReference")
            ?? tape.stringMember(tape.root, "originalTransactionReference")
        identity.payable = tape.member(tape.root, "totals").flatMap { tape.stringMember($0, "payable") }
        identity.paymentReference = tape.member(tape.root, "payment").flatMap { tape.stringMember($0, "reference") }
        if let payments = tape.member(tape.root, "payments"), tape.kind(payments) == .array {
            for line in tape.elements(payments) where tape.kind(line) == .object {
                identity.payments.append(
                    PaymentLine(
                        carrierId: tape.stringMember(line, "carrierId") ?? "",
                        officeSequenceNumber: tape.stringMember(line, "officeSequenceNumber") ?? "",
                        providerNumber: tape.member(line, "provider").flatMap { tape.stringMember($0, "cdaNumber") } ?? "",
                        transactionReference: tape.stringMember(line, "transactionReference") ?? "",
                        amount: tape.stringMember(line, "amount") ?? ""))
            }
        }
        return identity
    }
}

extension JSONTape {
    /// The text of a string member of `object`, or nil when absent or not a string.
    func stringMember(_ object: Int, _ key: String) -> String? {
        guard kind(object) == .object, let value = member(object, key), kind(value) == .string else { return nil }
        return withStringBytes(value) { String(decoding: $0, as: UTF8.self) }
    }
}
