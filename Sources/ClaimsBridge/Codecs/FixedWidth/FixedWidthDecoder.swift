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
        let end = try walk(message, baseOffset: baseOffset, into: record, checkingValues: true)
        if end != message.count {
            let lengthField = layout.fields[layout.lengthField]
            throw BridgeError(
                .lengthMismatch,
                "the message length \(lengthField.id) says \(message.count) bytes, but the message content ends after \(end) bytes",
                at: .init(byteOffset: baseOffset + end, fieldID: lengthField.id, fieldName: lengthField.name)
            )
        }
    }

    /// Where a message of this layout starting at `bytes[0]` ends according to its count, flag and length
    /// fields alone, whatever its message length field and data fields hold. Used to find the extent of a
    /// damaged message; the spans of the walk are left in `record`.
    package func structuralEnd(of bytes: UnsafeBufferPointer<UInt8>, scratch record: DecodedRecord) -> StructuralEnd {
        do {
            return .length(try walk(bytes, baseOffset: 0, into: record, checkingValues: false))
        } catch {
            return error.code == .truncatedMessage ? .runsPast : .unreadable
        }
    }

    /// The outcome of ``structuralEnd(of:scratch:)``.
    package enum StructuralEnd: Equatable {
        case length(Int)
        /// The structure needs more bytes than given.
        case runsPast
        /// A count, flag or length field does not hold a usable number.
        case unreadable
    }

    /// Reads the fields in order and returns the position after the last one.
    private func walk(
        _ message: UnsafeBufferPointer<UInt8>, baseOffset: Int, into record: DecodedRecord, checkingValues: Bool
    ) throws(BridgeError) -> Int {
        record.reset(for: layout, spans: layout.tables.maximumSpanCount)
        var state = State(
            fields: layout.tables.fields.base, spanOffset: record.spanOffset, spanLength: record.spanLength,
            controlValues: record.controlValues, allowed: FieldType.allowedBytes.base, checkingValues: checkingValues)
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
                // The span storage holds every group at its maximum count (see `maximumSpanCount`).
                guard count >= 0, count <= Int(spec.maximum) else {
                    throw BridgeError(
                        .countOutOfRange, "a repeat count is outside its range",
                        at: .init(byteOffset: baseOffset + state.position))
                }
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
        return state.position
    }

    /// The decoder's position and the record's storage, as locals for the inner loop.
    private struct State {
        let fields: UnsafeMutablePointer<LayoutTables.Field>
        let spanOffset: UnsafeMutablePointer<Int32>
        let spanLength: UnsafeMutablePointer<Int32>
        let controlValues: UnsafeMutablePointer<Int>
        let allowed: UnsafeMutablePointer<UInt8>
        /// False for a structural walk: only count, flag and length fields are checked.
        let checkingValues: Bool
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
        if !field.isFiller && !field.isEmbedded && (state.checkingValues || (field.role != .data && field.role != .messageLength)) {
            let check = field.type.check(bytes, allowed: state.allowed)
            if check != .valid { throw invalid(index, check, bytes, at: baseOffset + position) }
        } else if field.isFiller && state.checkingValues, let bad = bytes.firstIndex(where: { $0 != field.fill }) {
            throw reservedBytes(field, at: baseOffset + position + bad)
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

    /// A reserved gap (a filler) holding something other than its fill: it is always written with its fill, so
    /// the message could not be written back as received.
    @inline(never)
    private func reservedBytes(_ field: LayoutTables.Field, at offset: Int) -> BridgeError {
        let fill = field.fill == UInt8(ascii: " ") ? "spaces" : "\"\(Character(UnicodeScalar(field.fill)))\""
        return BridgeError(
            .unexpectedConstant,
            "these \(field.width) reserved bytes must all be \(fill), so the message could not be written back as received",
            at: .init(byteOffset: offset))
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
                "must hold \(field.type.expectation), but character \(at + 1) of \(bytes.count) is not allowed",
                at: location(index, offset + at), found: found(field, bytes))
        case .badDate(let why):
            return BridgeError(
                .invalidDate, field.isPersonal ? "is not a valid date (YYYYMMDD)" : "is not a valid date: \(why)",
                at: location(index, offset), found: found(field, bytes))
        case .valid:
            return BridgeError(.notPrintable, "is not valid", at: location(index, offset))
        }
    }

    private func location(_ index: Int, _ offset: Int) -> BridgeError.Location {
        let field = layout.fields[index]
        return .init(byteOffset: offset, fieldID: field.id, fieldName: field.name)
    }

    /// The field's bytes as text, for ``BridgeError/found`` (shown only with `--show-personal-data`).
    private func found(_ field: LayoutField, _ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var utf8: [UInt8] = []
        for byte in bytes.prefix(BridgeError.maximumFoundLength + 1) {
            if byte < 0x20 || byte == 0x7F {
                utf8.append(contentsOf: Array("\\x\(String(byte, radix: 16))".utf8))
            } else {
                CodePage850.appendUTF8(of: byte, to: &utf8)
            }
        }
        return String(decoding: utf8, as: UTF8.self)
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
