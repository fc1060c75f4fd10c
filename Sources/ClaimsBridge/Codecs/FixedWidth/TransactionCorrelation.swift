/// How a layout's messages take part in request–response exchanges, as its layout file declares it:
/// which requests a response answers, and which header numbers a request's sender allocates.
///
/// ```yaml
/// direction: response
/// answers: ["01", "07"]        # transaction codes, same version
/// unsolicited: true            # may also come with no request (no warning when none matches)
///
/// direction: request
/// sequence: {A02: perOffice, A09: perOfficeAndCarrier}   # or `sequence: none`
/// ```
package struct TransactionCorrelation: Sendable, Equatable {
    /// For a response: the transaction codes, in the same version, of the requests it answers.
    package var answers: [String] = []
    /// For a response: whether it may arrive without any request, so that finding none is not a problem.
    package var mayBeUnsolicited = false
    /// For a request: the numbers allocated when the model leaves them out, in file order.
    package var sequences: [SequenceAllocation] = []

    package init(answers: [String] = [], mayBeUnsolicited: Bool = false, sequences: [SequenceAllocation] = []) {
        self.answers = answers
        self.mayBeUnsolicited = mayBeUnsolicited
        self.sequences = sequences
    }
}

/// A header number a request's sender allocates: its field, and what it counts per.
package struct SequenceAllocation: Sendable, Equatable {
    /// What one sequence of numbers is counted per.
    package enum Scope: String, Sendable, CaseIterable {
        /// One sequence per office (the treating provider's office number).
        case perOffice
        /// One sequence per office and carrier.
        case perOfficeAndCarrier
    }

    /// The field's ID, e.g. `A02`.
    package var fieldID: String
    package var scope: Scope
    /// The field's width: numbers run from 1 to 10^width − 1.
    package var width: Int

    package init(fieldID: String, scope: Scope, width: Int) {
        self.fieldID = fieldID
        self.scope = scope
        self.width = width
    }
}

extension TransactionCorrelation {
    /// Reads `answers`, `unsolicited` and `sequence` from a layout file's root.
    /// - Parameter fields: the layout's fields, to check that a sequence field is a numeric root field.
    /// - Throws: ``BridgeError`` at the offending line: a key on the wrong direction, a malformed code, an unknown
    ///   scope or field.
    static func load(_ root: ConfigNode, isRequest: Bool, fields: [LayoutField]) throws -> TransactionCorrelation {
        var correlation = TransactionCorrelation()
        if let node = root["answers"] {
            guard !isRequest else { throw node.error("`answers` belongs on a response layout") }
            for item in try node.items("`answers`") {
                let code = try item.string("a transaction code")
                guard code.utf8.count == 2, code.utf8.allSatisfy(\.isDigit) else {
                    throw item.error("`answers` lists two-digit transaction codes, e.g. \"01\"")
                }
                correlation.answers.append(code)
            }
        }
        if let node = root["unsolicited"] {
            guard !isRequest else { throw node.error("`unsolicited` belongs on a response layout") }
            correlation.mayBeUnsolicited = try node.bool("`unsolicited`")
        }
        if let node = root["sequence"] {
            guard isRequest else { throw node.error("`sequence` belongs on a request layout") }
            if node.scalar == "none" { return correlation }
            for entry in try node.entries("`sequence` (or `none`)") {
                let scopeText = try entry.value.string("a sequence scope")
                guard let scope = SequenceAllocation.Scope(rawValue: scopeText) else {
                    throw entry.value.error("a sequence is counted perOffice or perOfficeAndCarrier, not \(scopeText)")
                }
                guard let field = fields.first(where: { $0.id == entry.key && $0.group == nil && !$0.isFiller }),
                    field.type == .numeric, field.width > 0
                else {
                    throw entry.keyNode.error("\(entry.key) is not a numeric field at the root of this layout")
                }
                correlation.sequences.append(SequenceAllocation(fieldID: entry.key, scope: scope, width: field.width))
            }
        }
        return correlation
    }
}
