/// What a receiver checks in each record of a tree format (RAMQ's `DP` claims), compiled from a rules file
/// named by the mapping's `carrierRules:` (see `Docs/scrubbing.md`, "RAMQ rules").
///
/// The rules run on the partner record (the element tree), so reading a batch and writing one apply the same
/// rules: a record written from a claim is checked before it is sent, a record read is checked before it is
/// translated. Each rule has a stable code (`RQ07`) and a sentence a billing clerk can act on.
package struct TreeRules: Sendable {
    /// What one rule tests.
    package enum Check: Sendable {
        /// The attribute (or, without one, the element) is there and not empty.
        case required
        /// The value has one of these forms: `A` a capital letter, `9` a digit, anything else itself.
        case pattern([String])
        /// The value is one of these values or inclusive ranges (`low` and `high` of the same length).
        case values([(low: String, high: String)])
        /// Letters from this set, each at most once.
        case letters(Set<UInt8>)
        /// A date not after today.
        case notAfterToday
        /// A date not after the date in another attribute (of the same element, or else of the record).
        case notAfterAttribute(String)
        /// A whole number at least this.
        case minimum(Int)
        /// Digits only, at least this many.
        case digits(Int)
        /// At least this many elements match the rule's selector in the record.
        case atLeast(Int)
    }

    /// One rule. Immutable and shared, so that checking a record goes through the rules without copying them.
    package final class Rule: Sendable {
        /// The stable rule code, e.g. `RQ07`.
        package let code: String
        /// The element the rule is about (`DP`, `PERS_ASSU`, `ACTE`), and when it applies to one.
        package let element: String
        package let when: TreeMapping.Condition?
        /// The attribute checked; nil for a rule about the element itself.
        package let attribute: String?
        package let check: Check
        /// The problem code: `missingValue`, `notAccepted`, `dateInFuture`, `datesOutOfOrder`.
        package let problem: BridgeError.Code
        /// The clerk's sentence, with `{value}` and `{other}` placeholders.
        package let says: String
        /// Where the rule is written, `rules.yaml:LINE`.
        package let source: String

        package init(
            code: String, element: String, when: TreeMapping.Condition?, attribute: String?, check: Check,
            problem: BridgeError.Code, says: String, source: String
        ) {
            self.code = code
            self.element = element
            self.when = when
            self.attribute = attribute
            self.check = check
            self.problem = problem
            self.says = says
            self.source = source
        }
    }

    /// The rules file and its name (`rules:`).
    package var file: String
    package var name: String
    /// The rules in file order.
    package let rules: [Rule]
    /// The rules about elements themselves (`atLeast`, or `required` without an attribute), by their positions
    /// in ``rules``: a record is checked against them once all its elements are counted.
    let countedRules: [Int]
    /// The rules laid out along the mapping's element rules, starting at the record's.
    let plan: TreeRulePlan

    /// Rules for the records of the mapping whose record rule is `record`.
    package init(file: String, name: String, rules: [Rule], record: TreeMapping.ElementRule) {
        self.file = file
        self.name = name
        self.rules = rules
        countedRules = rules.indices.filter { index in
            if case .atLeast = rules[index].check { return true }
            return rules[index].attribute == nil
        }
        let slots = Dictionary(uniqueKeysWithValues: countedRules.enumerated().map { ($1, $0) })
        plan = TreeRulePlan.build(record, rules: rules, slots: slots)
    }

    /// The rule codes, in file order.
    package var codes: [String] { rules.map(\.code) }
}
