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

    /// Model types sent by the office; every other type is a carrier's response.
    static let requestTypes: Set<String> = [
        "claim", "predetermination", "cobClaim", "claimReversal", "eligibilityRequest", "outstandingTransactionsRequest",
        "summaryReconciliationRequest", "paymentReconciliationRequest", "attachment",
    ]

    /// Reads the identity from one model JSON line; nil when the line is not a model message.
    static func read(_ line: UnsafeRawBufferPointer, tape: inout JSONTape) -> MessageIdentity? {
        do { try tape.parse(line) } catch { return nil }
        guard tape.kind(tape.root) == .object, let type = tape.stringMember(tape.root, "type") else { return nil }
        let routing = tape.member(tape.root, "routing")
        let treating = tape.member(tape.root, "providers").flatMap { tape.member($0, "treating") }
        return MessageIdentity(
            type: type, isRequest: requestTypes.contains(type),
            version: routing.flatMap { tape.stringMember($0, "version") } ?? "",
            officeSequenceNumber: routing.flatMap { tape.stringMember($0, "officeSequenceNumber") } ?? "",
            carrierId: routing.flatMap { tape.stringMember($0, "carrierId") } ?? "",
            providerNumber: treating.flatMap { tape.stringMember($0, "cdaNumber") } ?? "",
            officeNumber: treating.flatMap { tape.stringMember($0, "officeNumber") } ?? "")
    }
}

extension JSONTape {
    /// The text of a string member of `object`, or nil when absent or not a string.
    func stringMember(_ object: Int, _ key: String) -> String? {
        guard kind(object) == .object, let value = member(object, key), kind(value) == .string else { return nil }
        return withStringBytes(value) { String(decoding: $0, as: UTF8.self) }
    }
}
