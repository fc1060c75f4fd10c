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
    /// The checks laid out for one pass over a message read, and over one written (which also looks for
    /// values the document leaves out); ``generalRuns`` are the fields both leave out.
    package let readingPlan: CarrierRulePlan
    package let writingPlan: CarrierRulePlan
    package let generalRuns: FlatTable<FieldRun>

    package init(
        file: String, name: String, checks: [Check], ranges: [ValueRange], pool: [UInt8], details: [Detail],
        fieldCodes: [String?], groupLabels: [String], layout: RecordLayout
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
            runs.append(
                FieldRun(field: check.field, group: check.group, start: Int32(start), count: Int32(order.count - start)))
        }
        self.runs = FlatTable(runs)
        self.runChecks = FlatTable(order)
        let (readingPlan, general) = CarrierRulePlan.make(
            runs: runs, order: order, checks: checks, ranges: ranges, pool: pool, layout: layout, writing: false)
        self.readingPlan = readingPlan
        self.writingPlan =
            CarrierRulePlan.make(
                runs: runs, order: order, checks: checks, ranges: ranges, pool: pool, layout: layout, writing: true
            ).plan
        self.generalRuns = FlatTable(general)
    }

    /// The letters of a `letters:` check as a mask: bit `byte - 64` for each (only bytes 64–127 can pass).
    static func letterMask(_ letters: some Sequence<UInt8>) -> UInt64 {
        var mask: UInt64 = 0
        for byte in letters where byte >= 64 && byte < 128 { mask |= 1 << UInt64(byte &- 64) }
        return mask
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

extension CarrierRules.ValueRange {
    /// Whether a value (trailing spaces removed) is one of the values or ranges `start..<start + count` of
    /// `ranges` (sorted by width, then value); a value longer than eight bytes is in no set.
    static func set(
        _ ranges: UnsafeMutablePointer<CarrierRules.ValueRange>, start: Int32, count: Int32,
        contains bytes: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        var length = bytes.count
        while length > 0 && bytes[length &- 1] == UInt8(ascii: " ") { length &-= 1 }
        guard length <= 8 else { return false }
        var packed: UInt64 = 0
        for index in 0..<length { packed = packed << 8 | UInt64(bytes[index]) }
        packed = length == 0 ? 0 : packed << (8 &* UInt64(8 &- length))
        let width = Int32(length)
        // The last range starting at or before the value: counted for a few ranges, else a binary search.
        var low = Int(start)
        var high = Int(start &+ count)
        if count <= 4 {
            while low < high {
                let range = ranges[low]
                if range.length > width || (range.length == width && range.low > packed) { break }
                low &+= 1
            }
            high = low
        }
        while low < high {
            let middle = (low &+ high) >> 1
            let range = ranges[middle]
            if range.length < width || (range.length == width && range.low <= packed) {
                low = middle &+ 1
            } else {
                high = middle
            }
        }
        guard low > Int(start) else { return false }
        let range = ranges[low &- 1]
        return range.length == width && packed <= range.high
    }
}
