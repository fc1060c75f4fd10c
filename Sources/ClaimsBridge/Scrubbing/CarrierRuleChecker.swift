import Foundation

/// Runs a transaction's ``CarrierRules`` over the field spans of one message.
///
/// The same walk serves reading (spans of a decoded message) and writing (spans of the bytes just written,
/// plus the model document, so that a value left out is reported as missing rather than as the blanks or
/// zeros the writer put in its place). Only a broken rule allocates: the problem and its sentence.
///
/// The checker keeps plain pointers to the mapping's tables, not the mapping itself: copying a ``Mapping``
/// (some twenty reference-counted members) for every message cost more than the checks.
struct CarrierRuleChecker {
    /// Unowned: the checker lives only while its mapping (which holds the rules) and context are in use.
    unowned(unsafe) let rules: CarrierRules
    let message: UnsafeBufferPointer<UInt8>
    let record: DecodedRecord.View
    /// Added to span offsets for ``CarrierProblem/byteOffset``; nil when writing.
    let baseOffset: Int?
    /// The model document's values when writing (as pointers: retaining the object per check cost a fifth of
    /// the checks' time).
    let model: ModelValues.SlotView?
    unowned(unsafe) let context: CarrierRuleContext
    private let fields: UnsafeMutablePointer<LayoutTables.Field>
    private let groups: UnsafeMutablePointer<LayoutTables.Group>
    private let ranges: UnsafeMutablePointer<CarrierRules.ValueRange>
    private let pool: UnsafeMutablePointer<UInt8>
    private let sources: UnsafeMutablePointer<Mapping.Source>
    private let mappingRules: UnsafeMutablePointer<MappingTables.Rule>

    init(
        rules: CarrierRules, mapping: Mapping, message: UnsafeBufferPointer<UInt8>, record: DecodedRecord.View,
        baseOffset: Int?, model: ModelValues?, context: CarrierRuleContext
    ) {
        self.rules = rules
        self.message = message
        self.record = record
        self.baseOffset = baseOffset
        self.model = model?.slotView
        self.context = context
        fields = mapping.layout.tables.fields.base
        groups = mapping.layout.tables.groups.base
        ranges = rules.ranges.base
        pool = rules.pool.base
        sources = mapping.sourceTable.base
        mappingRules = mapping.tables.rules.base
    }

    /// Every broken rule, at most one per field and instance (the first rule listed wins), in the order of the
    /// rules and then of the instances.
    /// - Parameter mapping: the mapping the checker was made for (for the sentences of broken rules).
    func problems(of mapping: Mapping) -> [CarrierProblem] {
        var failed: [(check: Int, instance: Int, span: Int)] = []
        let checks = rules.checks.base
        let (today, todayDigits) = context.todayWithDigits
        let plan = model == nil ? rules.readingPlan : rules.writingPlan
        let pass = Pass(
            steps: plan.steps.base, required: plan.required.base, shortSets: plan.shortSets.base,
            rootSpan: record.rootSpan, spanOffset: record.spanOffset, spanLength: record.spanLength,
            groupStart: record.groupStart, groupCount: record.groupCount, bytes: message.baseAddress!, model: model,
            today: today, todayDigits: todayDigits)
        let segments = plan.segments.base
        for segmentIndex in 0..<plan.segments.count {
            let segment = segments[segmentIndex]
            // Written twice so that each copy is compiled for where its spans are found.
            if segment.group < 0 {
                check(segment, atRoot: true, base: 0, instance: 0, pass, into: &failed)
                continue
            }
            // The span of the instance's first field.
            var base = Int(pass.groupStart[Int(segment.group)])
            for instance in 0..<Int(pass.groupCount[Int(segment.group)]) {
                check(segment, atRoot: false, base: base, instance: instance, pass, into: &failed)
                base &+= Int(segment.stride)
            }
        }
        let generalRuns = rules.generalRuns.base
        for index in 0..<rules.generalRuns.count {
            generalRun(generalRuns[index], checks: checks, runChecks: rules.runChecks.base, today: today, into: &failed)
        }
        guard !failed.isEmpty else { return [] }
        failed.sort { ($0.check, $0.instance) < ($1.check, $1.instance) }
        return failed.map { problem(checks[$0.check], span: $0.span, instance: $0.instance, mapping: mapping) }
    }

    /// What one message's pass needs, as plain values and pointers.
    private struct Pass {
        let steps: UnsafeMutablePointer<CarrierRulePlan.Step>
        let required: UnsafeMutablePointer<CarrierRulePlan.Required>
        let shortSets: UnsafeMutablePointer<UInt64>
        let rootSpan: UnsafeMutablePointer<Int32>
        let spanOffset: UnsafeMutablePointer<Int32>
        let spanLength: UnsafeMutablePointer<Int32>
        let groupStart: UnsafeMutablePointer<Int32>
        let groupCount: UnsafeMutablePointer<Int32>
        let bytes: UnsafePointer<UInt8>
        let model: ModelValues.SlotView?
        let today: Int
        let todayDigits: UInt64
    }

    /// Runs a segment's checks on the root (`atRoot`, spans looked up by field) or on one instance of its
    /// group (spans at `base` plus the field's place).
    @inline(__always)
    private func check(
        _ segment: CarrierRulePlan.Segment, atRoot: Bool, base: Int, instance: Int, _ pass: Pass,
        into failed: inout [(check: Int, instance: Int, span: Int)]
    ) {
        let steps = pass.steps
        let required = pass.required
        let shortSets = pass.shortSets
        let rootSpan = pass.rootSpan
        let spanOffset = pass.spanOffset
        let spanLength = pass.spanLength
        let groupStart = pass.groupStart
        let groupCount = pass.groupCount
        let bytes = pass.bytes
        let model = pass.model
        let today = pass.today
        let todayDigits = pass.todayDigits
        // Fields that are only required.
        for index in Int(segment.requiredStart)..<Int(segment.requiredStart &+ segment.requiredCount) {
            let item = required + index
            let span = atRoot ? Int(rootSpan[Int(item.pointee.slot)]) : base &+ Int(item.pointee.slot)
            guard span >= 0 else { continue }
            let value = UnsafeBufferPointer(start: bytes + Int(spanOffset[span]), count: Int(spanLength[span]))
            if Self.isBlank(value, pad: item.pointee.pad, in: bytes)
                || (model != nil && !isGiven(item.pointee.field, instance, model!))
            {
                failed.append((Int(item.pointee.check), instance, span))
            }
        }
        var position = Int(segment.start)
        let end = position &+ Int(segment.count)
        while position < end {
            let step = steps + position
            let span = atRoot ? Int(rootSpan[Int(step.pointee.slot)]) : base &+ Int(step.pointee.slot)
            guard span >= 0 else {
                position &+= 1 &+ Int(step.pointee.rest)
                continue
            }
            let value = UnsafeBufferPointer(start: bytes + Int(spanOffset[span]), count: Int(spanLength[span]))
            let pad = step.pointee.pad
            if step.pointee.requiredCheck >= 0
                && (Self.isBlank(value, pad: pad, in: bytes)
                    || (model != nil && !isGiven(step.pointee.field, instance, model!)))
            {
                failed.append((Int(step.pointee.requiredCheck), instance, span))
                position &+= 1 &+ Int(step.pointee.rest)
                continue
            }
            if step.pointee.condition != .always {
                let conditionSpan =
                    step.pointee.conditionAtRoot
                    ? Int(rootSpan[Int(step.pointee.conditionSlot)]) : base &+ Int(step.pointee.conditionSlot)
                var holds: Bool
                switch step.pointee.condition {
                case .always:
                    holds = true
                case .present, .absent:
                    let blank =
                        conditionSpan < 0
                        || Self.isBlank(
                            UnsafeBufferPointer(
                                start: bytes + Int(spanOffset[conditionSpan]), count: Int(spanLength[conditionSpan])),
                            pad: step.pointee.conditionPad, in: bytes)
                    holds = blank == (step.pointee.condition == .absent)
                case .valueIn, .valueNotIn:
                    var found = false
                    if conditionSpan >= 0 {
                        let other = UnsafeBufferPointer(
                            start: bytes + Int(spanOffset[conditionSpan]), count: Int(spanLength[conditionSpan]))
                        if step.pointee.conditionShortSet >= 0,
                            let inShortSet = Self.shortSet(shortSets, step.pointee.conditionShortSet, has: other)
                        {
                            found = inShortSet
                        } else {
                            found = inSet(
                                other, start: step.pointee.conditionSetStart, count: step.pointee.conditionSetCount)
                        }
                    }
                    holds = found == (step.pointee.condition == .valueIn)
                }
                if !holds {
                    position &+= 1
                    continue
                }
            }
            // The tests of `passes(_:span:instance:today:)`, written out here so that they are inlined.
            var passed = true
            switch step.pointee.kind {
            case .required:
                if let model, !isGiven(step.pointee.field, instance, model) {
                    passed = false
                } else {
                    passed = step.pointee.zeroIsAValue || !Self.isBlank(value, pad: pad, in: bytes)
                }
            case .values:
                if step.pointee.shortSet >= 0, let found = Self.shortSet(shortSets, step.pointee.shortSet, has: value) {
                    passed = found
                } else if pad != UInt8(ascii: " ") || !Self.isBlank(value, pad: pad, in: bytes) {
                    passed = inSet(value, start: step.pointee.setStart, count: step.pointee.setCount)
                }
            case .letters:
                passed = Self.isBlank(value, pad: pad, in: bytes) || Self.lettersFit(value, step.pointee.letters)
            case .pattern:
                passed =
                    Self.isBlank(value, pad: pad, in: bytes)
                    || matchesPattern(value, start: step.pointee.setStart, count: step.pointee.setCount)
            case .notAfterToday:
                if let digits = Self.packedDate(value) {
                    passed = digits <= todayDigits
                } else if let date = Self.number(value) {
                    passed = date <= today
                }
            case .notAfterField:
                var other: Int
                if step.pointee.otherGroup >= 0 {
                    let group = Int(step.pointee.otherGroup)
                    other = groupCount[group] > 0 ? Int(groupStart[group]) &+ Int(step.pointee.otherSlot) : -1
                } else {
                    other =
                        step.pointee.otherAtRoot
                        ? Int(rootSpan[Int(step.pointee.otherSlot)]) : base &+ Int(step.pointee.otherSlot)
                }
                if other >= 0 {
                    passed = Self.notAfter(value, self.bytes(other))
                }
            case .sequence:
                passed = Self.number(value) == instance &+ 1
            case .minimum:
                passed = (Self.number(value) ?? 0) >= Int(step.pointee.argument)
            case .upperCase:
                passed = Self.hasNoSmallLetter(value)
            }
            if passed {
                position &+= 1
            } else {
                failed.append((Int(step.pointee.check), instance, span))
                position &+= 1 &+ Int(step.pointee.rest)
            }
        }
    }

    /// Whether a value of one or two bytes is in a set of ``CarrierRulePlan/shortSets`` starting at `table`;
    /// nil when the value is not as long as the set's field (a variable field).
    @inline(__always)
    private static func shortSet(
        _ words: UnsafeMutablePointer<UInt64>, _ table: Int32, has value: UnsafeBufferPointer<UInt8>
    ) -> Bool? {
        let header = words + Int(table)
        guard value.count == Int(header[0]) else { return nil }
        if value.count == 1 { return has(header + 1, value[0]) }
        let row = Int(header[1 &+ Int(value[0])])
        return row != 0 && has(words + row, value[1])
    }

    /// Whether a field holds only its blank byte. A short field is read as the one word ending with it when
    /// the message has that many bytes before its end.
    @inline(__always)
    private static func isBlank(
        _ value: UnsafeBufferPointer<UInt8>, pad: UInt8, in message: UnsafePointer<UInt8>
    ) -> Bool {
        let count = value.count
        let start = value.baseAddress!
        if count > 0 && start[0] != pad { return false }
        guard count < 8, count > 0, start - message >= 8 &- count else { return isBlank(value, pad: pad) }
        let word = UInt64(littleEndian: UnsafeRawPointer(start + count - 8).loadUnaligned(as: UInt64.self))
        let padWord = UInt64(pad) &* 0x0101_0101_0101_0101
        return (word ^ padWord) & (~UInt64(0) << UInt64(8 &* (8 &- count))) == 0
    }

    /// The same problems as ``problems(of:)``, found by the general walk alone (field by field, each check
    /// through the general dispatch): the reference the plan is tested against.
    func problemsByGeneralWalk(of mapping: Mapping) -> [CarrierProblem] {
        var failed: [(check: Int, instance: Int, span: Int)] = []
        let checks = rules.checks.base
        for index in 0..<rules.runs.count {
            generalRun(rules.runs[index], checks: checks, runChecks: rules.runChecks.base, today: context.today, into: &failed)
        }
        failed.sort { ($0.check, $0.instance) < ($1.check, $1.instance) }
        return failed.map { problem(checks[$0.check], span: $0.span, instance: $0.instance, mapping: mapping) }
    }

    /// Whether a byte is in a row of four words of a ``CarrierRulePlan/shortSets`` table.
    @inline(__always)
    private static func has(_ set: UnsafeMutablePointer<UInt64>, _ byte: UInt8) -> Bool {
        set[Int(byte >> 6)] & (1 << UInt64(byte & 63)) != 0
    }

    /// `letters:` with the letters allowed as a mask (bit `byte - 64`): each at most once, from the left.
    @inline(__always)
    private static func lettersFit(_ value: UnsafeBufferPointer<UInt8>, _ allowed: UInt64) -> Bool {
        var seen: UInt64 = 0
        var ended = false
        for byte in value {
            if byte == UInt8(ascii: " ") {
                ended = true
                continue
            }
            guard !ended, byte >= 64, byte < 128 else { return false }
            let bit = UInt64(1) << UInt64(byte &- 64)
            guard allowed & bit != 0, seen & bit == 0 else { return false }
            seen |= bit
        }
        return true
    }

    /// `notAfter: FIELD`: a date not after another; passes when either is not a number or is zero.
    @inline(__always)
    private static func notAfter(_ value: UnsafeBufferPointer<UInt8>, _ limit: UnsafeBufferPointer<UInt8>) -> Bool {
        if let date = packedDate(value), let last = packedDate(limit) {
            return date == zeroDate || last == zeroDate || date <= last
        }
        guard let date = Self.number(value), date > 0, let last = Self.number(limit), last > 0 else { return true }
        return date <= last
    }

    /// Eight digits as one big-endian word, so that comparing words compares the numbers; nil for any other
    /// value (which the caller then reads digit by digit).
    @inline(__always)
    private static func packedDate(_ value: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard value.count == 8 else { return nil }
        let word = UnsafeRawPointer(value.baseAddress!).loadUnaligned(as: UInt64.self).bigEndian
        let ones: UInt64 = 0x0101_0101_0101_0101
        // Every byte 0x30–0x39: high nibble 3, and adding 6 keeps it 3.
        guard word & (ones &* 0xF0) == ones &* 0x30, (word &+ ones &* 0x06) & (ones &* 0xF0) == ones &* 0x30 else {
            return nil
        }
        return word
    }

    /// `00000000` packed.
    private static let zeroDate: UInt64 = 0x3030_3030_3030_3030

    /// The checks of a field the plan leaves out, run over the instances of its first check's group.
    private func generalRun(
        _ run: CarrierRules.FieldRun, checks: UnsafeMutablePointer<CarrierRules.Check>,
        runChecks: UnsafeMutablePointer<Int32>, today: Int, into failed: inout [(check: Int, instance: Int, span: Int)]
    ) {
        let instances = run.group < 0 ? 1 : Int(record.groupCount[Int(run.group)])
        var instance = 0
        while instance < instances {
            let span = run.group < 0 ? Int(record.rootSpan[Int(run.field)]) : spanIndex(run.field, instance)
            if span >= 0 {
                for position in Int(run.start)..<Int(run.start &+ run.count) {
                    let index = Int(runChecks[position])
                    let check = checks + index
                    if check.pointee.condition != .always && !conditionHolds(check, instance) { continue }
                    if passes(check, span: span, instance: instance, today: today) { continue }
                    failed.append((index, instance, span))
                    break
                }
            }
            instance &+= 1
        }
    }

    /// Whether a field holds only its blank byte, compared eight bytes at a time.
    @inline(__always)
    private static func isBlank(_ value: UnsafeBufferPointer<UInt8>, pad: UInt8) -> Bool {
        let base = value.baseAddress!
        let padWord = UInt64(pad) &* 0x0101_0101_0101_0101
        var index = 0
        while index &+ 8 <= value.count {
            if UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self) != padWord { return false }
            index &+= 8
        }
        while index < value.count {
            if base[index] != pad { return false }
            index &+= 1
        }
        return true
    }

    @inline(__always)
    private func spanIndex(_ field: Int32, _ instance: Int) -> Int {
        record.spanIndex(of: Int(field), instance: instance, fields: fields, groups: groups)
    }

    @inline(__always)
    private func bytes(_ span: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(
            start: message.baseAddress! + Int(record.spanOffset[span]), count: Int(record.spanLength[span]))
    }

    private func conditionHolds(_ check: UnsafeMutablePointer<CarrierRules.Check>, _ instance: Int) -> Bool {
        let span = spanIndex(check.pointee.conditionField, instance)
        switch check.pointee.condition {
        case .always: return true
        case .present: return span >= 0 && !isBlank(bytes(span), fields[Int(check.pointee.conditionField)].type)
        case .absent: return span < 0 || isBlank(bytes(span), fields[Int(check.pointee.conditionField)].type)
        case .valueIn, .valueNotIn:
            let found =
                span >= 0
                && inSet(bytes(span), start: check.pointee.conditionSetStart, count: check.pointee.conditionSetCount)
            return found == (check.pointee.condition == .valueIn)
        }
    }

    private func passes(
        _ check: UnsafeMutablePointer<CarrierRules.Check>, span: Int, instance: Int, today: Int
    ) -> Bool {
        let value = bytes(span)
        let type = fields[Int(check.pointee.field)].type
        switch check.pointee.kind {
        case .required:
            if let model, !isGiven(check.pointee.field, instance, model) { return false }
            return (check.pointee.argument == 1 && !type.isText) || !isBlank(value, type)
        case .values:
            if type.isText && isBlank(value, type) { return true }
            return inSet(value, start: check.pointee.setStart, count: check.pointee.setCount)
        case .letters:
            return isBlank(value, type)
                || Self.lettersFit(
                    value,
                    CarrierRules.letterMask(
                        UnsafeBufferPointer(start: pool + Int(check.pointee.setStart), count: Int(check.pointee.setCount))))
        case .pattern:
            return isBlank(value, type)
                || matchesPattern(value, start: check.pointee.setStart, count: check.pointee.setCount)
        case .notAfterToday:
            guard let date = Self.number(value), date > 0 else { return true }
            return date <= today
        case .notAfterField:
            let other = spanIndex(check.pointee.argument, instance)
            guard let date = Self.number(value), date > 0, other >= 0, let limit = Self.number(bytes(other)), limit > 0 else {
                return true
            }
            return date <= limit
        case .sequence:
            return Self.number(value) == instance + 1
        case .minimum:
            return (Self.number(value) ?? 0) >= Int(check.pointee.argument)
        case .upperCase:
            return Self.hasNoSmallLetter(value)
        }
    }

    private static func hasNoSmallLetter(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in value {
            if byte &- UInt8(ascii: "a") < 26 { return false }
            if byte >= 0x80 && smallHighLetters[Int(byte &- 0x80)] { return false }
        }
        return true
    }

    /// For each code page 850 byte 0x80–0xFF: whether it is a small letter.
    private static let smallHighLetters: [Bool] = (0x80...0xFF).map {
        CodePage850.scalar(for: UInt8($0)).properties.isLowercase
    }

    /// Whether the model document gives a value (or the mapping a default) for a field.
    private func isGiven(_ field: Int32, _ instance: Int, _ model: ModelValues.SlotView) -> Bool {
        let source = sources[Int(field)]
        guard source.kind == .rule else { return true }
        let rule = mappingRules[Int(source.rule)]
        return rule.hasDefault || model.token(Int(rule.valueBase) + instance) >= 0
    }

    @inline(__always)
    private func isBlank(_ bytes: UnsafeBufferPointer<UInt8>, _ type: FieldType) -> Bool {
        let pad = type.padByte
        for byte in bytes where byte != pad { return false }
        return true
    }

    /// Whether the value (trailing spaces removed) is one of a set's values or ranges.
    @inline(__always)
    private func inSet(_ bytes: UnsafeBufferPointer<UInt8>, start: Int32, count: Int32) -> Bool {
        CarrierRules.ValueRange.set(ranges, start: start, count: count, contains: bytes)
    }

    private func matchesPattern(_ bytes: UnsafeBufferPointer<UInt8>, start setStart: Int32, count: Int32) -> Bool {
        var length = bytes.count
        while length > 0 && bytes[length &- 1] == UInt8(ascii: " ") { length &-= 1 }
        patterns: for index in Int(setStart)..<Int(setStart &+ count) {
            let pattern = ranges[index]
            guard Int(pattern.high) == length else { continue }
            let start = Int(pattern.low)
            for at in 0..<length {
                let byte = bytes[at]
                switch pool[start &+ at] {
                case UInt8(ascii: "A"): if byte &- UInt8(ascii: "A") >= 26 { continue patterns }
                case UInt8(ascii: "9"): if !byte.isDigit { continue patterns }
                case let literal: if byte != literal { continue patterns }
                }
            }
            return true
        }
        return false
    }

    /// The digits as a number; nil when not all digits or empty.
    @inline(__always)
    private static func number(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte.isDigit else { return nil }
            value = value &* 10 &+ Int(byte &- UInt8(ascii: "0"))
        }
        return value
    }

    @inline(never)
    private func problem(_ check: CarrierRules.Check, span: Int, instance: Int, mapping: Mapping) -> CarrierProblem {
        let detail = rules.details[Int(check.detail)]
        let spec = mapping.layout.fields[Int(check.field)]
        var sentence = detail.says
        sentence = fill(sentence, "{name}", spec.name)
        sentence = fill(sentence, "{allowed}", detail.allowed)
        sentence = fill(sentence, "{value}", shown(span, spec))
        if check.kind == .notAfterField {
            let other = mapping.layout.fields[Int(check.argument)]
            let otherSpan = spanIndex(check.argument, instance)
            sentence = fill(sentence, "{otherName}", other.name.prefix(1).lowercased() + other.name.dropFirst())
            sentence = fill(sentence, "{other}", otherSpan >= 0 ? shown(otherSpan, other) : nil)
        }
        if check.group >= 0, case .repeating = mapping.layout.groups[Int(check.group)].kind {
            sentence += " (\(rules.groupLabels[Int(check.group)]) \(instance + 1))"
        }
        return CarrierProblem(
            code: detail.problem, cdanetCode: detail.cdanetCode, fieldID: spec.id, fieldName: spec.name,
            modelPath: mapping.modelPath(ofField: Int(check.field), instance: instance),
            byteOffset: baseOffset.map { $0 + Int(record.spanOffset[span]) }, reason: sentence)
    }

    /// A value for a sentence: nil (left out) for personal data unless allowed, `YYYY-MM-DD` for dates.
    private func shown(_ span: Int, _ field: LayoutField) -> String? {
        if field.isPersonal && !context.showPersonalData { return nil }
        let value = bytes(span)
        var length = value.count
        while length > 0 && value[length - 1] == UInt8(ascii: " ") { length -= 1 }
        if length == 0 { return "(blank)" }
        var utf8: [UInt8] = []
        CodePage850.appendUTF8(of: UnsafeBufferPointer(rebasing: value[0..<length]), to: &utf8)
        var text = String(decoding: utf8, as: UTF8.self)
        if field.type == .date && length == 8 {
            text = "\(text.prefix(4))-\(text.dropFirst(4).prefix(2))-\(text.suffix(2))"
        }
        return "\"\(text)\""
    }

    /// Replaces ` placeholder` (with its leading space) by ` value`, or removes it when the value is hidden.
    private func fill(_ sentence: String, _ placeholder: String, _ value: String?) -> String {
        guard let value else {
            return sentence.replacingOccurrences(of: " " + placeholder, with: "")
                .replacingOccurrences(of: placeholder, with: "")
        }
        return sentence.replacingOccurrences(of: placeholder, with: value)
    }
}
