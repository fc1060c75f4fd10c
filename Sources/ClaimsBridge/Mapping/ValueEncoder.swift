/// Turns one model value into a field's wire bytes, the inverse of what reading does.
package enum ValueEncoder {
    /// Writes the value at `token`.
    static func write(
        token: Int, in tape: JSONTape, rule: MappingTables.Rule, field: LayoutTables.Field, tables: MappingTables,
        to output: inout OutputBuffer
    ) throws(BridgeError) {
        let result: Result<Void, BridgeError>
        switch tape.kind(token) {
        case .string:
            result = tape.withStringBytes(token) { bytes in
                Result { () throws(BridgeError) in
                    try write(bytes, isNumber: false, rule: rule, field: field, tables: tables, to: &output)
                }
            }
        case .number:
            result = tape.withNumberBytes(token) { bytes in
                Result { () throws(BridgeError) in
                    try write(bytes, isNumber: true, rule: rule, field: field, tables: tables, to: &output)
                }
            }
        default:
            result = .failure(BridgeError(.wrongValueType, "must be \(expectation(rule, tables))"))
        }
        if case .failure(let error) = result {
            throw error.located(.init(byteOffset: tape.offset(token)))
        }
    }

    /// Writes a `default:` value from the mapping.
    static func write(
        literal: ModelLiteral, rule: MappingTables.Rule, field: LayoutTables.Field, tables: MappingTables,
        to output: inout OutputBuffer
    ) throws(BridgeError) {
        let (bytes, isNumber): ([UInt8], Bool) =
            switch literal {
            case .string(let bytes): (bytes, false)
            case .number(let bytes): (bytes, true)
            }
        let result = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(BridgeError) in
                try write(buffer, isNumber: isNumber, rule: rule, field: field, tables: tables, to: &output)
            }
        }
        try result.get()
    }

    private static func expectation(_ rule: MappingTables.Rule, _ tables: MappingTables) -> String {
        switch rule.transform {
        case .text: return "text"
        case .digits: return "a string of digits"
        case .integer: return "a whole number"
        case .money: return "an amount such as \"125.50\""
        case .date: return "a date such as \"2026-11-25\""
        case .codes: return "one of: \(tables.codeTables[Int(rule.table)].nameList)"
        case .embedded: return "an object"
        }
    }

    @inline(__always)
    private static func write(
        _ bytes: UnsafeBufferPointer<UInt8>, isNumber: Bool, rule: MappingTables.Rule, field: LayoutTables.Field,
        tables: MappingTables, to output: inout OutputBuffer
    ) throws(BridgeError) {
        let width = Int(field.width)
        switch rule.transform {
        case .text:
            guard !isNumber else { throw BridgeError(.wrongValueType, "must be text (in quotes)") }
            if rule.normalize.isEmpty {
                try writeText(bytes, field: field, to: &output)
            } else {
                let normalized = rule.normalize.apply(to: bytes)
                let result = normalized.withUnsafeBufferPointer { text in
                    Result { () throws(BridgeError) in try writeText(text, field: field, to: &output) }
                }
                try result.get()
            }
        case .digits, .integer:
            guard !bytes.isEmpty, bytes.allSatisfy(\.isDigit) else {
                throw BridgeError(.wrongValueType, "must be \(expectation(rule, tables)) (digits only)")
            }
            var start = 0
            if rule.transform == .integer {
                while start < bytes.count - 1 && bytes[start] == UInt8(ascii: "0") { start += 1 }
            }
            let digits = bytes.count - start
            guard digits <= width else {
                throw BridgeError(.valueTooLong, "has \(digits) digits; the field holds at most \(width)")
            }
            output.append(repeating: UInt8(ascii: "0"), count: width - digits)
            output.append(UnsafeBufferPointer(rebasing: bytes[start...]))
        case .money:
            try writeMoney(bytes, width: width, to: &output)
        case .date:
            guard !isNumber, bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else {
                throw BridgeError(.wrongValueType, "must be a date written YYYY-MM-DD")
            }
            guard !bytes.allSatisfy({ $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: "-") }) else {
                throw BridgeError(
                    .invalidDate, "is 0000-00-00, which is not a date; leave the key out when there is none")
            }
            let start = output.count
            for i in [0, 1, 2, 3, 5, 6, 8, 9] { output.append(bytes[i]) }
            let check = field.type.check(output.suffix(from: start))
            if check != .valid {
                output.truncate(to: start)
                throw BridgeError(.invalidDate, "is not a real calendar date (YYYY-MM-DD)")
            }
        case .codes:
            let table = tables.tables[Int(rule.table)]
            var found = -1
            if !isNumber {
                for index in Int(table.entryStart)..<Int(table.entryStart + table.entryCount) {
                    let entry = tables.entries[index]
                    if tables.poolEquals(entry.nameStart, entry.nameLength, bytes) {
                        found = index
                        break
                    }
                }
            }
            guard found >= 0 else {
                throw BridgeError(.unknownCode, "must be one of: \(tables.codeTables[Int(rule.table)].nameList)")
            }
            let entry = tables.entries[found]
            let code = UnsafeBufferPointer(start: tables.pool.base + Int(entry.codeStart), count: Int(entry.codeLength))
            guard code.count <= width else {
                throw BridgeError(.valueTooLong, "the code for this name does not fit the field")
            }
            if field.type.isText {
                output.append(code)
                output.append(repeating: field.type.padByte, count: width - code.count)
            } else {
                output.append(repeating: field.type.padByte, count: width - code.count)
                output.append(code)
            }
        case .embedded:
            throw BridgeError(.wrongValueType, "must be an object")
        }
    }

    @inline(__always)
    private static func writeText(
        _ utf8: UnsafeBufferPointer<UInt8>, field: LayoutTables.Field, to output: inout OutputBuffer
    ) throws(BridgeError) {
        let start = output.count
        let isVariable = field.lengthSource >= 0
        if let bad = CodePage850.encodeUTF8(utf8, into: &output) {
            output.truncate(to: start)
            throw notEncodable(utf8, bad)
        }
        let length = output.count - start
        if !isVariable && length > Int(field.width) {
            output.truncate(to: start)
            throw BridgeError(.valueTooLong, "is \(length) characters long; the field holds at most \(field.width)")
        }
        let check = field.type.check(output.suffix(from: start))
        if case .badByte(let index) = check {
            output.truncate(to: start)
            throw BridgeError(
                field.type == .alpha || field.type == .alphaExtended ? .notLetters : .notPrintable,
                "character \(index + 1) is not allowed: the field holds \(field.type.expectation)")
        }
        if !isVariable {
            output.append(repeating: UInt8(ascii: " "), count: Int(field.width) - length)
        }
    }

    @inline(never)
    private static func notEncodable(_ utf8: UnsafeBufferPointer<UInt8>, _ bad: Int) -> BridgeError {
        let position = utf8[..<bad].reduce(0) { $0 + (($1 & 0xC0) == 0x80 ? 0 : 1) } + 1
        return BridgeError(
            .notEncodable,
            "character \(position) cannot be sent: CDAnet text uses code page 850, which does not have it")
    }

    /// `"125.50"`, `"125.5"`, `"125"`, `125.5` or `-5` → zero-filled cents with an optional leading `-`.
    @inline(__always)
    private static func writeMoney(
        _ bytes: UnsafeBufferPointer<UInt8>, width: Int, to output: inout OutputBuffer
    ) throws(BridgeError) {
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        // Up to 18 digits of cents, built without allocating.
        var cents: UInt64 = 0
        var digits = 0
        var fraction = -1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "."), fraction < 0 {
                fraction = 0
            } else if byte.isDigit {
                if fraction >= 0 { fraction += 1 }
                digits += 1
                guard digits <= 18 else { throw BridgeError(.valueTooLong, "is larger than the field can hold") }
                cents = cents * 10 + UInt64(byte &- UInt8(ascii: "0"))
            } else {
                throw BridgeError(.invalidMoney, "must be an amount such as \"125.50\"")
            }
            index += 1
        }
        guard digits > 0, fraction != 0 else {
            throw BridgeError(.invalidMoney, "must be an amount such as \"125.50\"")
        }
        guard fraction <= 2 else {
            throw BridgeError(.invalidMoney, "has more than two decimals; amounts are in whole cents")
        }
        for _ in 0..<(2 - max(fraction, 0)) { cents *= 10 }
        if cents == 0 { negative = false }
        let room = width - (negative ? 1 : 0)
        var limit: UInt64 = 1
        for _ in 0..<room { limit = limit &* 10 }
        guard cents < limit else {
            throw BridgeError(.valueTooLong, "is larger than the field can hold (\(room) digits of cents)")
        }
        if negative { output.append(UInt8(ascii: "-")) }
        output.append(repeating: UInt8(ascii: "0"), count: room)
        var i = output.count - 1
        while cents > 0 {
            output[i] = UInt8(ascii: "0") &+ UInt8(cents % 10)
            cents /= 10
            i -= 1
        }
    }
}
