/// Turns one model value into a field's wire bytes, the inverse of what reading does.
package enum ValueEncoder {
    /// Writes the value at `token`.
    static func write(
        token: Int, in tape: JSONTape, rule: MappingRule, field: LayoutField, to output: inout [UInt8]
    ) throws(BridgeError) {
        let kind = tape.kind(token)
        let at = BridgeError.Location(byteOffset: tape.offset(token))
        do throws(BridgeError) {
            switch kind {
            case .string:
                let failure = tape.withStringBytes(token) { bytes in
                    Result { () throws(BridgeError) in
                        try write(bytes, isNumber: false, rule: rule, field: field, to: &output)
                    }
                }
                try failure.get()
            case .number:
                let failure = tape.withNumberBytes(token) { bytes in
                    Result { () throws(BridgeError) in
                        try write(bytes, isNumber: true, rule: rule, field: field, to: &output)
                    }
                }
                try failure.get()
            default:
                throw BridgeError(.wrongValueType, "must be \(expectation(rule.transform))")
            }
        } catch {
            throw error.located(at)
        }
    }

    /// Writes a `default:` value from the mapping.
    static func write(
        literal: ModelLiteral, rule: MappingRule, field: LayoutField, to output: inout [UInt8]
    ) throws(BridgeError) {
        switch literal {
        case .string(let bytes):
            try bytes.withUnsafeBufferPointer { (buffer) throws(BridgeError) in
                try write(buffer, isNumber: false, rule: rule, field: field, to: &output)
            }
        case .number(let bytes):
            try bytes.withUnsafeBufferPointer { (buffer) throws(BridgeError) in
                try write(buffer, isNumber: true, rule: rule, field: field, to: &output)
            }
        }
    }

    private static func expectation(_ transform: Transform) -> String {
        switch transform {
        case .text: return "text"
        case .digits: return "a string of digits"
        case .integer: return "a whole number"
        case .money: return "an amount such as \"125.50\""
        case .date: return "a date such as \"2026-11-25\""
        case .codes(let table): return "one of: \(table.nameList)"
        case .embedded: return "an object"
        }
    }

    private static func write(
        _ bytes: UnsafeBufferPointer<UInt8>, isNumber: Bool, rule: MappingRule, field: LayoutField,
        to output: inout [UInt8]
    ) throws(BridgeError) {
        switch rule.transform {
        case .text:
            guard !isNumber else { throw BridgeError(.wrongValueType, "must be text (in quotes)") }
            try writeText(bytes, field: field, to: &output)
        case .digits, .integer:
            if case .integer = rule.transform, !isNumber, !bytes.isEmpty {
                // A string of digits is accepted for integers too.
            }
            guard !bytes.isEmpty, bytes.allSatisfy(\.isDigit) else {
                throw BridgeError(.wrongValueType, "must be \(expectation(rule.transform)) (digits only)")
            }
            var start = 0
            if case .integer = rule.transform {
                while start < bytes.count - 1 && bytes[start] == UInt8(ascii: "0") { start += 1 }
            }
            let digits = bytes.count - start
            guard digits <= field.width else {
                throw BridgeError(.valueTooLong, "has \(digits) digits; the field holds at most \(field.width)")
            }
            output.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: field.width - digits))
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        case .money:
            try writeMoney(bytes, field: field, to: &output)
        case .date:
            guard !isNumber, bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else {
                throw BridgeError(.wrongValueType, "must be a date written YYYY-MM-DD")
            }
            let start = output.count
            for i in [0, 1, 2, 3, 5, 6, 8, 9] { output.append(bytes[i]) }
            let check = output.withUnsafeBufferPointer {
                field.type.check(UnsafeBufferPointer(rebasing: $0[start...]))
            }
            if check != .valid {
                output.removeSubrange(start...)
                throw BridgeError(.invalidDate, "is not a real calendar date (YYYY-MM-DD)")
            }
        case .codes(let table):
            guard !isNumber, let entry = table.entry(forName: bytes) else {
                throw BridgeError(.unknownCode, "must be one of: \(table.nameList)")
            }
            let code = table.entries[entry].code
            guard code.count <= field.width else {
                throw BridgeError(.valueTooLong, "the code for this name does not fit the field")
            }
            let padding = repeatElement(field.type.padByte, count: field.width - code.count)
            if field.type.isText {
                output.append(contentsOf: code)
                output.append(contentsOf: padding)
            } else {
                output.append(contentsOf: padding)
                output.append(contentsOf: code)
            }
        case .embedded:
            throw BridgeError(.wrongValueType, "must be an object")
        }
    }

    private static func writeText(
        _ utf8: UnsafeBufferPointer<UInt8>, field: LayoutField, to output: inout [UInt8]
    ) throws(BridgeError) {
        let start = output.count
        if let bad = CodePage850.encodeUTF8(utf8, into: &output) {
            output.removeSubrange(start...)
            let position = utf8[..<bad].reduce(0) { $0 + (($1 & 0xC0) == 0x80 ? 0 : 1) } + 1
            throw BridgeError(
                .notEncodable,
                "character \(position) cannot be sent: CDAnet text uses code page 850, which does not have it")
        }
        let length = output.count - start
        if !field.isVariable {
            guard length <= field.width else {
                output.removeSubrange(start...)
                throw BridgeError(
                    .valueTooLong, "is \(length) characters long; the field holds at most \(field.width)")
            }
        }
        let check = output.withUnsafeBufferPointer { field.type.check(UnsafeBufferPointer(rebasing: $0[start...])) }
        if case .badByte(let index) = check {
            output.removeSubrange(start...)
            throw BridgeError(
                field.type == .alpha || field.type == .alphaExtended ? .notLetters : .notPrintable,
                "character \(index + 1) is not allowed: the field holds \(field.type.expectation)")
        }
        if !field.isVariable {
            output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: field.width - length))
        }
    }

    /// `"125.50"`, `"125.5"`, `"125"`, `125.5` or `-5` → zero-filled cents with an optional leading `-`.
    private static func writeMoney(
        _ bytes: UnsafeBufferPointer<UInt8>, field: LayoutField, to output: inout [UInt8]
    ) throws(BridgeError) {
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var cents: [UInt8] = []
        var fraction = -1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "."), fraction < 0 {
                fraction = 0
            } else if byte.isDigit {
                if fraction >= 0 { fraction += 1 }
                cents.append(byte)
            } else {
                throw BridgeError(.invalidMoney, "must be an amount such as \"125.50\"")
            }
            index += 1
        }
        guard !cents.isEmpty, fraction != 0 else {
            throw BridgeError(.invalidMoney, "must be an amount such as \"125.50\"")
        }
        guard fraction <= 2 else {
            throw BridgeError(.invalidMoney, "has more than two decimals; amounts are in whole cents")
        }
        for _ in 0..<(2 - max(fraction, 0)) { cents.append(UInt8(ascii: "0")) }
        while cents.count > 1 && cents[0] == UInt8(ascii: "0") { cents.removeFirst() }
        if cents == [UInt8(ascii: "0")] { negative = false }
        let room = field.width - (negative ? 1 : 0)
        guard cents.count <= room else {
            throw BridgeError(.valueTooLong, "is larger than the field can hold (\(room) digits of cents)")
        }
        if negative { output.append(UInt8(ascii: "-")) }
        output.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: room - cents.count))
        output.append(contentsOf: cents)
    }
}
