/// The rules of a ``TreeRules`` laid out along the mapping's element rules, worked out once when the rules are
/// loaded: each element rule carries the checks about its elements, with what they need (the date format of
/// an attribute, where the other date of a comparison is, the bytes of patterns and ranges) already found, so
/// that checking a record looks nothing up by name but the attributes of its elements.
package final class TreeRulePlan: Sendable {
    /// The mapping's rule for the elements this plan checks.
    let rule: TreeMapping.ElementRule
    /// The checks about these elements, in the rules file's order.
    let checks: [Check]
    /// The plans of the rule's children and of its `then` siblings, in the rule's order.
    let children: [TreeRulePlan]
    let then: [TreeRulePlan]

    /// One rule as it applies to the elements of one element rule, ready to run. A class with the check's
    /// parts as plain fields, so that going through the checks of every element copies one reference each
    /// and reads only what its test needs.
    final class Check: Sendable {
        /// The rule's position in ``TreeRules/rules``.
        let index: Int
        /// Which elements of the rule's name the rule is about.
        let when: TreeMapping.Condition?
        /// The attribute checked (nil for a rule about the element itself).
        let attribute: String?
        let test: Test
        /// `count`: the slot of the record's counts this element is counted in.
        let slot: Int
        /// `pattern`: the forms, `A` a capital letter, `9` a digit, any other byte itself.
        let forms: [[UInt8]]
        /// `values`: the values and inclusive ranges, each end of the value's length.
        let ranges: [(low: [UInt8], high: [UInt8])]
        /// `letters`: the letters allowed, each at most once.
        let letters: ByteSet
        /// `minimum`: the least number; `digits`: the least count of digits.
        let least: Int
        /// The dates: how this attribute is read as one, and for `notAfterAttribute`, the other attribute, whether
        /// it is the record's (not the same element's), and how it is read.
        let reading: DateReading
        let other: String
        let otherOnRecord: Bool
        let otherReading: DateReading

        /// Rule `rule` (at `index` in the rules) as it applies to the elements of `element`: the parts its test
        /// needs, the others left empty.
        init(
            _ rule: TreeRules.Rule, index: Int, on element: TreeMapping.ElementRule, test: Test, slot: Int = 0,
            forms: [[UInt8]] = [], ranges: [(low: [UInt8], high: [UInt8])] = [], letters: ByteSet = ByteSet([]),
            least: Int = 0, other: String = "", otherOnRecord: Bool = false, otherReading: DateReading = DateReading(nil)
        ) {
            self.index = index
            when = rule.when
            attribute = rule.attribute
            self.test = test
            self.slot = slot
            self.forms = forms
            self.ranges = ranges
            self.letters = letters
            self.least = least
            reading = DateReading(rule.attribute.flatMap { element.value(named: $0) })
            self.other = other
            self.otherOnRecord = otherOnRecord
            self.otherReading = otherReading
        }
    }

    /// What a check tests.
    enum Test: Sendable {
        /// A rule about the element itself (`required` without an attribute, `atLeast`): the element is counted.
        case count
        case required, pattern, values, letters, notAfterToday, notAfterAttribute, minimum, digits
    }

    /// How an attribute's text is read as a date: as its mapping reads it, or not at all (not a mapped value).
    final class DateReading: Sendable {
        private let format: TreeTransform.DateFormat?
        private let transform: TreeTransform?

        init(_ value: TreeMapping.ValueRule?) {
            if let value, case .date(let format) = value.transform {
                self.format = format
                transform = nil
            } else {
                format = nil
                transform = value?.transform
            }
        }

        /// The date `text` stands for, or nil when it is not one (another rule reports that).
        func date(_ text: String) -> CalendarDate? {
            if let format { return try? TreeTransform.calendarDate(text, format: format) }
            guard let transform, let read = try? transform.read(text), let iso = read.scalarText else { return nil }
            return CalendarDate(iso)
        }
    }

    /// A set of byte values, one bit each.
    struct ByteSet: Sendable {
        private var bits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

        init(_ bytes: Set<UInt8>) { for byte in bytes { insert(byte) } }

        func contains(_ byte: UInt8) -> Bool {
            let bit = UInt64(1) << UInt64(byte & 63)
            switch byte >> 6 {
            case 0: return bits.0 & bit != 0
            case 1: return bits.1 & bit != 0
            case 2: return bits.2 & bit != 0
            default: return bits.3 & bit != 0
            }
        }

        /// Adds `byte`; false when it was already there.
        @discardableResult
        mutating func insert(_ byte: UInt8) -> Bool {
            let bit = UInt64(1) << UInt64(byte & 63)
            let before: UInt64
            switch byte >> 6 {
            case 0: (before, bits.0) = (bits.0, bits.0 | bit)
            case 1: (before, bits.1) = (bits.1, bits.1 | bit)
            case 2: (before, bits.2) = (bits.2, bits.2 | bit)
            default: (before, bits.3) = (bits.3, bits.3 | bit)
            }
            return before & bit == 0
        }
    }

    private init(rule: TreeMapping.ElementRule, checks: [Check], children: [TreeRulePlan], then: [TreeRulePlan]) {
        self.rule = rule
        self.checks = checks
        self.children = children
        self.then = then
    }

    /// The plan of `rule` (the record's rule when `record` is nil) and of everything inside it; `slots` gives the
    /// count slot of each element-level rule, by its position in `rules`.
    static func build(
        _ rule: TreeMapping.ElementRule, record: TreeMapping.ElementRule? = nil, rules: [TreeRules.Rule],
        slots: [Int: Int]
    ) -> TreeRulePlan {
        let record = record ?? rule
        var checks: [Check] = []
        for (index, found) in rules.enumerated() where found.element == rule.name {
            checks.append(check(found, index, rule, record, slots))
        }
        return TreeRulePlan(
            rule: rule, checks: checks,
            children: rule.children.map { build($0, record: record, rules: rules, slots: slots) },
            then: rule.then.map { build($0, record: record, rules: rules, slots: slots) })
    }

    /// The check of `rule` (at `index` in the rules) on the elements of `element`, in a record of `record`.
    private static func check(
        _ rule: TreeRules.Rule, _ index: Int, _ element: TreeMapping.ElementRule, _ record: TreeMapping.ElementRule,
        _ slots: [Int: Int]
    ) -> Check {
        func plain(_ test: Test) -> Check { Check(rule, index: index, on: element, test: test) }
        if let slot = slots[index] { return Check(rule, index: index, on: element, test: .count, slot: slot) }
        switch rule.check {
        case .required, .atLeast: return plain(.required)
        case .pattern(let forms):
            return Check(rule, index: index, on: element, test: .pattern, forms: forms.map { Array($0.utf8) })
        case .values(let ranges):
            return Check(
                rule, index: index, on: element, test: .values,
                ranges: ranges.map { (Array($0.low.utf8), Array($0.high.utf8)) })
        case .letters(let allowed):
            return Check(rule, index: index, on: element, test: .letters, letters: ByteSet(allowed))
        case .notAfterToday: return plain(.notAfterToday)
        case .notAfterAttribute(let other):
            let onElement = element.value(named: other)
            let owner = onElement ?? record.value(named: other)
            return Check(
                rule, index: index, on: element, test: .notAfterAttribute, other: other, otherOnRecord: onElement == nil,
                otherReading: DateReading(owner))
        case .minimum(let least): return Check(rule, index: index, on: element, test: .minimum, least: least)
        case .digits(let least): return Check(rule, index: index, on: element, test: .digits, least: least)
        }
    }
}
