/// A transaction's checks laid out for one pass over a message: the checks of the root fields, then, for each
/// group, the checks of one instance, run once per instance. Each step carries where its field (and the field
/// its condition or comparison names) lies within the root or an instance, its blank byte, and, for a field of
/// one byte, the set it must be in as a table of the 256 bytes, so that checking a field costs a few loads and
/// compares, without looking anything up in the layout.
///
/// The checks of one field stay together and in listing order; the first that fails skips the rest of the
/// field's checks (one problem per field and instance). A field whose only check is an unconditional
/// `required` is a ``Required`` item, checked first and on its own. A field whose checks relate it to a field
/// of another group in a way that does not follow the field's own instances (a root field compared with a
/// procedure line) is left to the general walk (``CarrierRules/generalRuns``).
package final class CarrierRulePlan: Sendable {
    /// One check as the pass runs it.
    package struct Step: BitwiseCopyable {
        package var kind: CarrierRules.Kind
        package var condition: CarrierRules.ConditionKind
        /// The field's blank byte (a space for text, `0` otherwise) and the condition field's.
        package var pad: UInt8
        package var conditionPad: UInt8
        /// Whether ``conditionSlot`` and ``otherSlot`` are root fields (looked up by field index) rather than
        /// places within the same instance.
        package var conditionAtRoot: Bool
        package var otherAtRoot: Bool
        /// A `required` check whose zeros are a value (`zeroIsAValue` on a field that is not text).
        package var zeroIsAValue: Bool
        package var field: Int32
        /// The field's place: its index at the root, or its place within one instance of its group.
        package var slot: Int32
        package var conditionSlot: Int32
        /// For `notAfter: FIELD`, the other field's place.
        package var otherSlot: Int32
        /// For `notAfter: FIELD` on a root field naming a field of a group: the group, whose first instance
        /// holds the other field (``otherSlot`` is then its place within an instance); -1 otherwise.
        package var otherGroup: Int32
        /// An unconditional `required` check listed just before this one on the same field (zeros are blank),
        /// run first: its index into ``CarrierRules/checks``, or -1.
        package var requiredCheck: Int32
        package var argument: Int32
        package var setStart: Int32
        package var setCount: Int32
        package var conditionSetStart: Int32
        package var conditionSetCount: Int32
        /// For `in` on a field of one or two bytes: the set as a ``CarrierRulePlan/ShortSets`` table of the
        /// values that pass (a blank text field included); -1 otherwise.
        package var shortSet: Int32
        /// The same for a `when: {field, in/notIn}` naming a field of one or two bytes: the values in the set.
        package var conditionShortSet: Int32
        /// For `letters`: bit `byte - 64` for each letter allowed.
        package var letters: UInt64
        /// Index into ``CarrierRules/checks``.
        package var check: Int32
        /// How many steps after this one belong to the same field (skipped when this one fails).
        package var rest: Int32
    }

    /// A field whose only check is an unconditional `required` (zeros are blank).
    package struct Required: BitwiseCopyable {
        package var field: Int32
        package var slot: Int32
        package var check: Int32
        package var pad: UInt8
    }

    /// The checks of the root (`group` -1) or of one instance of a group.
    package struct Segment: BitwiseCopyable {
        package var group: Int32
        /// Ranges of ``CarrierRulePlan/required`` and ``CarrierRulePlan/steps``.
        package var requiredStart: Int32
        package var requiredCount: Int32
        package var start: Int32
        package var count: Int32
        /// The fields of one instance of the group.
        package var stride: Int32
    }

    package let required: FlatTable<Required>
    package let steps: FlatTable<Step>
    package let segments: FlatTable<Segment>
    package let shortSets: FlatTable<UInt64>

    private init(
        required: FlatTable<Required>, steps: FlatTable<Step>, segments: FlatTable<Segment>, shortSets: FlatTable<UInt64>
    ) {
        self.required = required
        self.steps = steps
        self.segments = segments
        self.shortSets = shortSets
    }

    /// Lays out `runs` (checks grouped by field) for checking messages read (`writing` false) or written;
    /// returns the plan and the runs it could not take.
    static func make(
        runs: [CarrierRules.FieldRun], order: [Int32], checks: [CarrierRules.Check], ranges: [CarrierRules.ValueRange],
        pool: [UInt8], layout: RecordLayout, writing: Bool
    ) -> (plan: CarrierRulePlan, general: [CarrierRules.FieldRun]) {
        var general: [CarrierRules.FieldRun] = []
        var byGroup: [Int: [CarrierRules.FieldRun]] = [:]
        for run in runs {
            let fieldGroup = layout.fields[Int(run.field)].group ?? -1
            let members = order[Int(run.start)..<Int(run.start + run.count)].map { checks[Int($0)] }
            let fits = members.allSatisfy { check in
                if Int(check.group) != fieldGroup {
                    // A root field against the first instance of a group, as the general walk compares it.
                    return fieldGroup == -1 && run.group == -1 && check.kind == .notAfterField
                        && check.condition == .always
                }
                return (check.condition == .always || Self.reachable(Int(check.conditionField), from: fieldGroup, layout))
                    && (check.kind != .notAfterField || Self.reachable(Int(check.argument), from: fieldGroup, layout))
            }
            if fits { byGroup[fieldGroup, default: []].append(run) } else { general.append(run) }
        }
        var required: [Required] = []
        var steps: [Step] = []
        var segments: [Segment] = []
        var shortSets = ShortSets(ranges: ranges)
        for group in byGroup.keys.sorted() {
            let requiredStart = required.count
            let start = steps.count
            let range = group >= 0 ? layout.groups[group].fields : 0..<0
            func place(_ field: Int) -> (slot: Int32, atRoot: Bool) {
                layout.fields[field].group == nil ? (Int32(field), true) : (Int32(field - range.lowerBound), false)
            }
            for run in byGroup[group]! {
                let field = layout.fields[Int(run.field)]
                // A `required` whose zeros are a value only finds a value the document leaves out: reading
                // has no document, so it cannot fail there.
                let kept = order[Int(run.start)..<Int(run.start + run.count)].filter { index in
                    let check = checks[Int(index)]
                    return writing || !(check.kind == .required && check.argument == 1 && !field.type.isText)
                }
                guard let firstIndex = kept.first else { continue }
                let first = checks[Int(firstIndex)]
                let plainRequired =
                    first.kind == .required && first.condition == .always && !(first.argument == 1 && !field.type.isText)
                if kept.count == 1 && plainRequired {
                    required.append(
                        Required(
                            field: run.field, slot: place(Int(run.field)).slot, check: firstIndex,
                            pad: field.type.padByte))
                    continue
                }
                var requiredCheck: Int32 = -1
                for (position, index) in kept.enumerated() {
                    let check = checks[Int(index)]
                    let zeroIsAValue = check.kind == .required && check.argument == 1 && !field.type.isText
                    if position == 0 && plainRequired {
                        requiredCheck = index
                        continue
                    }
                    let conditionField = check.condition == .always ? nil : layout.fields[Int(check.conditionField)]
                    let condition = conditionField == nil ? (slot: Int32(-1), atRoot: true) : place(Int(check.conditionField))
                    var other = (slot: Int32(-1), atRoot: true)
                    var otherGroup: Int32 = -1
                    if check.kind == .notAfterField {
                        if let group = layout.fields[Int(check.argument)].group, group != field.group {
                            otherGroup = Int32(group)
                            other = (Int32(Int(check.argument) - layout.groups[group].fields.lowerBound), false)
                        } else {
                            other = place(Int(check.argument))
                        }
                    }
                    let letters =
                        check.kind == .letters
                        ? CarrierRules.letterMask(pool[Int(check.setStart)..<Int(check.setStart + check.setCount)]) : 0
                    steps.append(
                        Step(
                            kind: check.kind, condition: check.condition, pad: field.type.padByte,
                            conditionPad: conditionField?.type.padByte ?? 0,
                            conditionAtRoot: condition.atRoot, otherAtRoot: other.atRoot, zeroIsAValue: zeroIsAValue,
                            field: run.field, slot: place(Int(run.field)).slot, conditionSlot: condition.slot,
                            otherSlot: other.slot, otherGroup: otherGroup, requiredCheck: requiredCheck,
                            argument: check.argument, setStart: check.setStart, setCount: check.setCount,
                            conditionSetStart: check.conditionSetStart, conditionSetCount: check.conditionSetCount,
                            shortSet: check.kind == .values
                                ? shortSets.add(check.setStart, check.setCount, width: field.width, blankPasses: field.type.isText)
                                : -1,
                            conditionShortSet: check.condition == .valueIn || check.condition == .valueNotIn
                                ? shortSets.add(
                                    check.conditionSetStart, check.conditionSetCount, width: conditionField!.width,
                                    blankPasses: false)
                                : -1,
                            letters: letters, check: index, rest: Int32(kept.count - position - 1)))
                    requiredCheck = -1
                }
            }
            segments.append(
                Segment(
                    group: Int32(group), requiredStart: Int32(requiredStart),
                    requiredCount: Int32(required.count - requiredStart), start: Int32(start),
                    count: Int32(steps.count - start), stride: Int32(range.count)))
        }
        let plan = CarrierRulePlan(
            required: FlatTable(required), steps: FlatTable(steps), segments: FlatTable(segments),
            shortSets: FlatTable(shortSets.words))
        return (plan, general)
    }

    /// Whether a field is at the root or in `group`, so that its span is found from an instance of `group`.
    private static func reachable(_ field: Int, from group: Int, _ layout: RecordLayout) -> Bool {
        let other = layout.fields[field].group ?? -1
        return other == -1 || other == group
    }

    /// Sets of values of one or two bytes as tables: for each first byte, a row of four words saying, bit by
    /// bit, which second bytes complete a value of the set. A field of one byte has a single row (its first
    /// byte being the value). A table starts with one word holding the field's width, then, for two bytes, 256
    /// row numbers (one word each, 0 for a first byte no value starts with), then the rows. Each value is
    /// decided with ``CarrierRules/ValueRange/set(_:start:count:contains:)``, so the table says exactly what
    /// the ranges say.
    package struct ShortSets {
        let ranges: FlatTable<CarrierRules.ValueRange>
        var words: [UInt64] = []

        init(ranges: [CarrierRules.ValueRange]) { self.ranges = FlatTable(ranges) }

        /// Adds a set's table for a field of `width` bytes; returns where it starts, or -1 for other widths.
        mutating func add(_ start: Int32, _ count: Int32, width: Int, blankPasses: Bool) -> Int32 {
            guard width == 1 || width == 2 else { return -1 }
            let first = words.count
            words.append(UInt64(width))
            if width == 1 {
                words += [0, 0, 0, 0]
                for byte in 0...255 where holds([UInt8(byte)], start, count, blankPasses) {
                    words[first + 1 + (byte >> 6)] |= 1 << UInt64(byte & 63)
                }
                return Int32(first)
            }
            let rowTable = words.count
            words += [UInt64](repeating: 0, count: 256)
            for value in candidates(start, count, blankPasses) where holds([UInt8(value >> 8), UInt8(value & 0xFF)], start, count, blankPasses) {
                let high = value >> 8
                if words[rowTable + high] == 0 {
                    words[rowTable + high] = UInt64(words.count)
                    words += [0, 0, 0, 0]
                }
                let row = Int(words[rowTable + high])
                words[row + ((value & 0xFF) >> 6)] |= 1 << UInt64(value & 63)
            }
            return Int32(first)
        }

        /// Every two-byte value that can be in the set: those of its ranges, a one-byte value followed by a
        /// space (trailing spaces are not part of a value), and two spaces.
        private func candidates(_ start: Int32, _ count: Int32, _ blankPasses: Bool) -> Set<Int> {
            var values: Set<Int> = [0x2020]
            for index in Int(start)..<Int(start + count) {
                let range = ranges[index]
                switch range.length {
                case 2: values.formUnion(Int(range.low >> 48)...Int(range.high >> 48))
                case 1: for byte in Int(range.low >> 56)...Int(range.high >> 56) { values.insert(byte << 8 | 0x20) }
                default: break
                }
            }
            return values
        }

        private func holds(_ value: [UInt8], _ start: Int32, _ count: Int32, _ blankPasses: Bool) -> Bool {
            if blankPasses && value.allSatisfy({ $0 == 0x20 }) { return true }
            return value.withUnsafeBufferPointer {
                CarrierRules.ValueRange.set(ranges.base, start: start, count: count, contains: $0)
            }
        }
    }
}
