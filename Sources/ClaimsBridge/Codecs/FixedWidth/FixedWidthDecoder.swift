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
        _ message: UnsafeBufferPointer<UInt8>, baseOffset: Int, into record: inout DecodedRecord
    ) throws(BridgeError) {
        record.reset(for: layout)
        var position = 0
        for item in layout.items {
            switch item {
            case .field(let field):
                record.rootSpan[field] = Int32(record.spans.count)
                try readField(field, message, &position, baseOffset, &record)
            case .group(let group):
                let spec = layout.groups[group]
                let count = record.controlValues[spec.control]
                record.groupStart[group] = Int32(record.spans.count)
                record.groupCount[group] = Int32(count)
                for _ in 0..<count {
                    for field in spec.fields {
                        try readField(field, message, &position, baseOffset, &record)
                    }
                }
            }
        }
        if position != message.count {
            let lengthField = layout.fields[layout.lengthField]
            throw BridgeError(
                .lengthMismatch,
                "the message length \(lengthField.id) says \(message.count) bytes, but the message content ends after \(position) bytes",
                at: .init(byteOffset: baseOffset + position, fieldID: lengthField.id, fieldName: lengthField.name))
        }
    }

    @inline(__always)
    private func readField(
        _ index: Int, _ message: UnsafeBufferPointer<UInt8>, _ position: inout Int, _ baseOffset: Int,
        _ record: inout DecodedRecord
    ) throws(BridgeError) {
        let field = layout.fields[index]
        let width = field.lengthSource.map { record.controlValues[$0] } ?? field.width
        guard position + width <= message.count else {
            let available = message.count - position
            let reason =
                field.isVariable
                ? "\(layout.fields[field.lengthSource!].id) says this field is \(width) bytes, but only \(max(available, 0)) bytes remain in the message"
                : "the message ends inside this field: it needs \(width) bytes, \(max(available, 0)) remain"
            throw BridgeError(.truncatedMessage, reason, at: location(field, baseOffset + position))
        }
        let bytes = UnsafeBufferPointer(rebasing: message[position..<(position + width)])
        record.spans.append(.init(offset: Int32(position), length: Int32(width)))
        if !field.isFiller && !field.isEmbedded {
            switch field.type.check(bytes) {
            case .valid: break
            case .badByte(let at):
                throw BridgeError(
                    field.type == .numeric || field.type == .date || field.type == .money
                        ? .notDigits
                        : (field.type.isText && field.type != .alphanumeric && field.type != .alphanumericExtended
                            ? .notLetters : .notPrintable),
                    "must hold \(field.type.expectation), but character \(at + 1) of \(width) is not allowed"
                        + shown(field, bytes),
                    at: location(field, baseOffset + position + at))
            case .badDate(let why):
                throw BridgeError(
                    .invalidDate,
                    field.isPersonal
                        ? "is not a valid date (YYYYMMDD)" : "is not a valid date: \(why)" + shown(field, bytes),
                    at: location(field, baseOffset + position))
            }
        }
        position += width
        if field.role != .data {
            try readControl(field, bytes, baseOffset + position - width, &record, index)
        }
    }

    private func readControl(
        _ field: LayoutField, _ bytes: UnsafeBufferPointer<UInt8>, _ offset: Int, _ record: inout DecodedRecord,
        _ index: Int
    ) throws(BridgeError) {
        let value = Int(digits: bytes, 0, bytes.count)
        switch field.role {
        case .count(let group):
            guard case .repeating(let minimum, let maximum) = layout.groups[group].kind,
                (minimum...maximum).contains(value)
            else {
                let spec = layout.groups[group]
                throw BridgeError(
                    .countOutOfRange,
                    "says there are \(value) \(Self.words(spec.name)); this message allows \(Self.range(spec.kind))",
                    at: location(field, offset))
            }
        case .flag(let group):
            guard value == 0 || value == 1 else {
                throw BridgeError(
                    .invalidFlag,
                    "must be 0 or 1 (whether the \(Self.words(layout.groups[group].name)) block follows), but it is \(value)",
                    at: location(field, offset))
            }
        case .length, .messageLength, .data:
            break
        }
        record.controlValues[index] = value
    }

    private func location(_ field: LayoutField, _ offset: Int) -> BridgeError.Location {
        .init(byteOffset: offset, fieldID: field.id, fieldName: field.name)
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
