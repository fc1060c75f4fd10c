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
    let rules: CarrierRules
    let message: UnsafeBufferPointer<UInt8>
    let record: DecodedRecord.View
    /// Added to span offsets for ``CarrierProblem/byteOffset``; nil when writing.
    let baseOffset: Int?
    /// The model document's values when writing (as pointers: retaining the object per check cost a fifth of
    /// the checks' time).
    let model: ModelValues.SlotView?
    let context: CarrierRuleContext
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
        let runs = rules.runs.base
        let runChecks = rules.runChecks.base
        let today = context.today
        // The pointers in locals, so that the loop keeps them in registers.
        let rootSpan = record.rootSpan
        let groupCount = record.groupCount
        let spanOffset = record.spanOffset
        let spanLength = record.spanLength
        let bytes = message.baseAddress!
        for runIndex in 0..<rules.runs.count {
            let run = runs[runIndex]
            let instances = run.group < 0 ? 1 : Int(groupCount[Int(run.group)])
            var instance = 0
            while instance < instances {
                let span = run.group < 0 ? Int(rootSpan[Int(run.field)]) : spanIndex(run.field, instance)
                if span >= 0 && run.isPlainRequired {
                    let start = bytes + Int(spanOffset[span])
                    var blank = true
                    for offset in 0..<Int(spanLength[span]) where start[offset] != run.pad {
                        blank = false
                        break
                    }
                    if blank || (model != nil && !isGiven(run.field, instance, model!)) {
                        failed.append((Int(runChecks[Int(run.start)]), instance, span))
                    }
                } else if span >= 0 {
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
        guard !failed.isEmpty else { return [] }
        failed.sort { ($0.check, $0.instance) < ($1.check, $1.instance) }
        return failed.map { problem(checks[$0.check], span: $0.span, instance: $0.instance, mapping: mapping) }
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
            return isBlank(value, type) || lettersFit(value, check.pointee)
        case .pattern:
            return isBlank(value, type) || matchesPattern(value, check.pointee)
        case .notAfterToday:
            guard let date = number(value), date > 0 else { return true }
            return date <= today
        case .notAfterField:
            let other = spanIndex(check.pointee.argument, instance)
            guard let date = number(value), date > 0, other >= 0, let limit = number(bytes(other)), limit > 0 else {
                return true
            }
            return date <= limit
        case .sequence:
            return number(value) == instance + 1
        case .minimum:
            return (number(value) ?? 0) >= Int(check.pointee.argument)
        case .upperCase:
            for byte in value {
                if byte &- UInt8(ascii: "a") < 26 { return false }
                if byte >= 0x80 && Self.smallHighLetters[Int(byte &- 0x80)] { return false }
            }
            return true
        }
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

    /// The value without trailing spaces, packed; nil when longer than eight bytes.
    private func inSet(_ bytes: UnsafeBufferPointer<UInt8>, start: Int32, count: Int32) -> Bool {
        var length = bytes.count
        while length > 0 && bytes[length &- 1] == UInt8(ascii: " ") { length &-= 1 }
        guard length <= 8 else { return false }
        var packed: UInt64 = 0
        for index in 0..<length { packed = packed << 8 | UInt64(bytes[index]) }
        packed = length == 0 ? 0 : packed << (8 &* UInt64(8 &- length))
        // The last range starting at or before the value (ranges are sorted by width, then value).
        let width = Int32(length)
        var low = Int(start)
        var high = Int(start &+ count)
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

    private func lettersFit(_ bytes: UnsafeBufferPointer<UInt8>, _ check: CarrierRules.Check) -> Bool {
        var seen: UInt64 = 0
        var ended = false
        for byte in bytes {
            if byte == UInt8(ascii: " ") {
                ended = true
                continue
            }
            guard !ended, byte >= 64, byte < 128 else { return false }
            var allowed = false
            for index in Int(check.setStart)..<Int(check.setStart &+ check.setCount) where pool[index] == byte {
                allowed = true
            }
            let bit = UInt64(1) << UInt64(byte &- 64)
            guard allowed, seen & bit == 0 else { return false }
            seen |= bit
        }
        return true
    }

    private func matchesPattern(_ bytes: UnsafeBufferPointer<UInt8>, _ check: CarrierRules.Check) -> Bool {
        var length = bytes.count
        while length > 0 && bytes[length &- 1] == UInt8(ascii: " ") { length &-= 1 }
        patterns: for index in Int(check.setStart)..<Int(check.setStart &+ check.setCount) {
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
    private func number(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
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
