/// What a carrier checks in one transaction, compiled from a `rules.yaml` section against the transaction's
/// layout (see `Docs/scrubbing.md`).
///
/// The checks are plain values in flat tables and run on the wire bytes of a message, so that reading
/// (a decoded message) and writing (the bytes just written) apply exactly the same rules.
package final class CarrierRules: Sendable {
    /// What one check tests.
    package enum Kind: UInt8, BitwiseCopyable {
        /// The field must not be blank (spaces, or zeros for a number or date).
        case required
        /// The value must be one of a set of values and ranges.
        case values
        /// Letters from a set, each at most once, left-justified.
        case letters
        /// The value must match one of a set of patterns (`A` a capital letter, `9` a digit).
        case pattern
        /// A date not after today.
        case notAfterToday
        /// A date not after another date field.
        case notAfterField
        /// In a repeating group, instance `n` holds the number `n + 1`.
        case sequence
        /// A number at least `argument`.
        case minimum
        /// No small letter (ASCII or accented), for values the mapping capitalises when writing.
        case upperCase
    }

    /// When a check applies.
    package enum ConditionKind: UInt8, BitwiseCopyable {
        case always, valueIn, valueNotIn, present, absent
    }

    /// One compiled check. Sets are ranges of ``ranges``; patterns and letter sets are ranges of ``pool``.
    package struct Check: BitwiseCopyable {
        package var kind: Kind
        package var condition: ConditionKind
        package var field: Int32
        /// The repeating or conditional group whose instances the check runs over, or -1 for the root.
        package var group: Int32
        /// The other field (`notAfterField`), the minimum, 1 for a `required` field whose zeros are a value
        /// (`zeroIsAValue`), or -1.
        package var argument: Int32
        package var setStart: Int32
        package var setCount: Int32
        package var conditionField: Int32
        package var conditionSetStart: Int32
        package var conditionSetCount: Int32
        /// Index into ``details``.
        package var detail: Int32
    }

    /// A value or an inclusive range of values of the same length, packed big-endian so that comparing the
    /// numbers compares the text.
    package struct ValueRange: BitwiseCopyable {
        package var low: UInt64
        package var high: UInt64
        package var length: Int32
    }

    /// What a problem found by a check says, kept apart from the hot tables.
    package struct Detail: Sendable {
        /// The CDAnet error code (G08) a carrier would answer with.
        package var cdanetCode: String
        /// The ClaimsBridge problem code, e.g. `missingValue`.
        package var problem: BridgeError.Code
        /// The clerk's sentence, with `{name}`, `{value}`, `{other}`, `{otherName}` and `{allowed}` placeholders.
        package var says: String
        /// What is allowed, in words, for `{allowed}`.
        package var allowed: String
        /// Where the rule is written, `rules.yaml:LINE`.
        package var source: String
    }

    /// The checks of one field, run together: the field's span and bytes are found once per instance, and the
    /// first check that fails ends the run (one problem per field and instance).
    package struct FieldRun: BitwiseCopyable {
        package var field: Int32
        package var group: Int32
        /// The range of ``CarrierRules/runChecks`` (indexes into ``CarrierRules/checks``, in listing order).
        package var start: Int32
        package var count: Int32
        /// The run is one unconditional `required` check (zeros are blank): checked inline, without the
        /// general dispatch, since most checks are of this kind.
        package var isPlainRequired: Bool
        /// The field's blank byte: a space for text, `0` for numbers, dates and amounts.
        package var pad: UInt8
    }

    /// The rules file and its name, e.g. `cdanet-v04`.
    package let file: String
    package let name: String
    package let checks: FlatTable<Check>
    package let ranges: FlatTable<ValueRange>
    package let pool: FlatTable<UInt8>
    package let details: [Detail]
    /// For each layout field: the CDAnet code for "missing or invalid", or nil.
    package let fieldCodes: [String?]
    /// For each layout group: how one instance is named in sentences, e.g. `procedure line`.
    package let groupLabels: [String]
    /// Control fields (counts) whose minimum a rule checks, so the writer reports instead of stopping.
    package let checkedCounts: Set<Int>
    /// The checks grouped by field, in the order each field is first listed.
    package let runs: FlatTable<FieldRun>
    package let runChecks: FlatTable<Int32>

    package init(
        file: String, name: String, checks: [Check], ranges: [ValueRange], pool: [UInt8], details: [Detail],
        fieldCodes: [String?], groupLabels: [String], fieldPads: [UInt8]
    ) {
        self.file = file
        self.name = name
        self.checks = FlatTable(checks)
        self.ranges = FlatTable(ranges)
        self.pool = FlatTable(pool)
        self.details = details
        self.fieldCodes = fieldCodes
        self.groupLabels = groupLabels
        self.checkedCounts = Set(checks.filter { $0.kind == .minimum }.map { Int($0.field) })
        var order: [Int32] = []
        var runs: [FieldRun] = []
        var placed = [Bool](repeating: false, count: checks.count)
        for (index, check) in checks.enumerated() where !placed[index] {
            let start = order.count
            for other in index..<checks.count where !placed[other] && checks[other].field == check.field {
                placed[other] = true
                order.append(Int32(other))
            }
            let count = order.count - start
            let plain = count == 1 && check.kind == .required && check.condition == .always && check.argument != 1
            runs.append(
                FieldRun(
                    field: check.field, group: check.group, start: Int32(start), count: Int32(count),
                    isPlainRequired: plain, pad: fieldPads[Int(check.field)]))
        }
        self.runs = FlatTable(runs)
        self.runChecks = FlatTable(order)
    }

    /// The CDAnet codes these rules can answer with, sorted.
    package var coveredCodes: [String] {
        Array(Set(details.map(\.cdanetCode) + fieldCodes.compactMap { $0 })).sorted()
    }
}

extension CarrierRules.ValueRange {
    /// Packs up to eight bytes big-endian; nil when longer.
    package static func pack(_ bytes: some Collection<UInt8>) -> UInt64? {
        guard bytes.count <= 8 else { return nil }
        var value: UInt64 = 0
        for byte in bytes { value = value << 8 | UInt64(byte) }
        return value << (8 * UInt64(8 - bytes.count))
    }
}
