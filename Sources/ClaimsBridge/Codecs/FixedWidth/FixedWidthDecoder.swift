/// Reads one fixed-width message into a ``DecodedRecord``, checking every field against its type.
///
/// Works on bytes only. Count, flag and length fields are read first and drive the repeats, blocks and
/// variable-length fields that follow. The whole message must be consumed: trailing bytes mean the message
/// length field disagrees with the content.
package struct FixedWidthDecoder {
    package let layout: RecordLayout

    package init(layout: RecordLayout) { self.layout = layout }

    /// Decodes `message` into `record`.
    /// - Parameters:
    ///   - message: exactly one message.
    ///   - baseOffset: the message's byte offset in the input, so errors point into the input.
    /// - Throws: ``BridgeError`` naming the field, its byte offset and what is wrong.
    package func decode(
        _ message: UnsafeBufferPointer<UInt8>, baseOffset: Int, into record: DecodedRecord
    ) throws(BridgeError) {
        let fieldCount = layout.fields.count
        record.reset(for: layout, spans: 2 * message.count + fieldCount)
        var state = State(
            fields: layout.tables.fields.base, spanOffset: record.spanOffset, spanLength: record.spanLength,
            controlValues: record.controlValues, allowed: FieldType.allowedBytes.base)
        defer { record.spanCount = state.spanCount }
        let rootSpan = record.rootSpan
        let groupStart = record.groupStart
        let groupCount = record.groupCount
        let groups = layout.tables.groups.base
        let items = layout.tables.items
        for itemIndex in 0..<items.count {
            let item = Int(items.base[itemIndex])
            if item >= 0 {
                rootSpan[item] = Int32(state.spanCount)
                try readField(item, &state, message, baseOffset, record)
            } else {
                let group = -item - 1
                let spec = groups[group]
                let count = state.controlValues[Int(spec.control)]
                groupStart[group] = Int32(state.spanCount)
                groupCount[group] = Int32(count)
                let first = Int(spec.firstField)
                let end = first + Int(spec.fieldCount)
                for _ in 0..<count {
                    for field in first..<end {
                        try readField(field, &state, message, baseOffset, record)
                    }
                }
            }
        }
        if state.position != message.count {
            let lengthField = layout.fields[layout.lengthField]
            throw BridgeError(
                .lengthMismatch,
                "the message length \(lengthField.id) says \(message.count) bytes, but the message content ends after \(state.position) bytes",
                at: .init(byteOffset: baseOffset + state.position, fieldID: lengthField.id, fieldName: lengthField.name)
            )
        }
    }

    /// The decoder's position and the record's storage, as locals for the inner loop.
    private struct State {
        let fields: UnsafeMutablePointer<LayoutTables.Field>
        let spanOffset: UnsafeMutablePointer<Int32>
        let spanLength: UnsafeMutablePointer<Int32>
        let controlValues: UnsafeMutablePointer<Int>
        let allowed: UnsafeMutablePointer<UInt8>
        var spanCount = 0
        var position = 0
    }

    @inline(__always)
    private func readField(
        _ index: Int, _ state: inout State, _ message: UnsafeBufferPointer<UInt8>, _ baseOffset: Int,
        _ record: DecodedRecord
    ) throws(BridgeError) {
        let field = state.fields[index]
        let position = state.position
        let width = field.lengthSource >= 0 ? state.controlValues[Int(field.lengthSource)] : Int(field.width)
        guard width <= message.count &- position else {
            throw truncated(index, width: width, available: message.count - position, at: baseOffset + position)
        }
        let bytes = UnsafeBufferPointer(start: message.baseAddress! + position, count: width)
        state.spanOffset[state.spanCount] = Int32(truncatingIfNeeded: position)
        state.spanLength[state.spanCount] = Int32(truncatingIfNeeded: width)
        state.spanCount &+= 1
        if !field.isFiller && !field.isEmbedded {
            let check = field.type.check(bytes, allowed: state.allowed)
            if check != .valid { throw invalid(index, check, bytes, at: baseOffset + position) }
        }
        state.position = position &+ width
        if field.role != .data {
            state.controlValues[index] = try readControl(index, field, bytes, baseOffset + position)
        }
    }

    private func readControl(
        _ index: Int, _ field: LayoutTables.Field, _ bytes: UnsafeBufferPointer<UInt8>, _ offset: Int
    ) throws(BridgeError) -> Int {
        let value = Int(digits: bytes, 0, bytes.count)
        switch field.role {
        case .count:
            let spec = layout.groups[Int(field.roleTarget)]
            guard case .repeating(let minimum, let maximum) = spec.kind, (minimum...maximum).contains(value) else {
                throw BridgeError(
                    .countOutOfRange,
                    "says there are \(value) \(Self.words(spec.name)); this message allows \(Self.range(spec.kind))",
                    at: location(index, offset))
            }
        case .flag:
            guard value == 0 || value == 1 else {
                throw BridgeError(
                    .invalidFlag,
                    "must be 0 or 1 (whether the \(Self.words(layout.groups[Int(field.roleTarget)].name)) block follows), but it is \(value)",
                    at: location(index, offset))
            }
        case .length, .messageLength, .data:
            break
        }
        return value
    }

    @inline(never)
    private func truncated(_ index: Int, width: Int, available: Int, at offset: Int) -> BridgeError {
        let field = layout.fields[index]
        let reason =
            field.isVariable
            ? "\(layout.fields[field.lengthSource!].id) says this field is \(width) bytes, but only \(max(available, 0)) bytes remain in the message"
            : "the message ends inside this field: it needs \(width) bytes, \(max(available, 0)) remain"
        return BridgeError(.truncatedMessage, reason, at: location(index, offset))
    }

    @inline(never)
    private func invalid(
        _ index: Int, _ check: FieldCheck, _ bytes: UnsafeBufferPointer<UInt8>, at offset: Int
    ) -> BridgeError {
        let field = layout.fields[index]
        switch check {
        case .badByte(let at):
            let code: BridgeError.Code =
                switch field.type {
                case .numeric, .date, .money: .notDigits
                case .alpha, .alphaExtended: .notLetters
                case .alphanumeric, .alphanumericExtended: .notPrintable
                }
            return BridgeError(
                code,
                "must hold \(field.type.expectation), but character \(at + 1) of \(bytes.count) is not allowed"
                    + shown(field, bytes),
                at: location(index, offset + at))
        case .badDate(let why):
            return BridgeError(
                .invalidDate,
                field.isPersonal
                    ? "is not a valid date (YYYYMMDD)" : "is not a valid date: \(why)" + shown(field, bytes),
                at: location(index, offset))
        case .valid:
            return BridgeError(.notPrintable, "is not valid", at: location(index, offset))
        }
    }

    private func location(_ index: Int, _ offset: Int) -> BridgeError.Location {
        let field = layout.fields[index]
        return .init(byteOffset: offset, fieldID: field.id, fieldName: field.name)
    }

    /// ` (found "…")` for fields that are not personal data; nothing for personal data.
    private func shown(_ field: LayoutField, _ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard !field.isPersonal else { return "" }
        var utf8: [UInt8] = []
        for byte in bytes {
            if byte < 0x20 || byte == 0x7F {
                utf8.append(contentsOf: Array("\\x\(String(byte, radix: 16))".utf8))
            } else {
                CodePage850.appendUTF8(of: byte, to: &utf8)
            }
        }
        return " (found \"\(String(decoding: utf8, as: UTF8.self))\")"
    }

    /// `procedureLines` → `procedure lines`.
    static func words(_ name: String) -> String {
        var result = ""
        for character in name {
            if character.isUppercase {
                result.append(" ")
                result.append(contentsOf: character.lowercased())
            } else {
                result.append(character)
            }
        }
        return result
    }

    static func range(_ kind: LayoutGroup.Kind) -> String {
        switch kind {
        case .repeating(let minimum, let maximum): return "\(minimum) to \(maximum)"
        case .conditional: return "0 or 1"
        }
    }
}
