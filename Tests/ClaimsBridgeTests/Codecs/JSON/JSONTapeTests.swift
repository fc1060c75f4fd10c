import Testing

@testable import ClaimsBridge

@Suite struct JSONTapeTests {
    // MARK: - Helpers

    /// Parses `json` into `tape` and runs `body` while the document's memory is alive.
    static func withParsed<R>(_ json: [UInt8], tape: inout JSONTape, _ body: (JSONTape) throws -> R) throws -> R {
        try json.withUnsafeBytes { raw in
            try tape.parse(raw)
            return try body(tape)
        }
    }

    static func withParsed<R>(_ json: String, _ body: (JSONTape) throws -> R) throws -> R {
        var tape = JSONTape()
        return try withParsed(Array(json.utf8), tape: &tape, body)
    }

    static func syntaxError(_ json: [UInt8]) -> JSONSyntaxError? {
        var tape = JSONTape()
        do {
            try json.withUnsafeBytes { try tape.parse($0) }
            return nil
        } catch {
            #expect(tape.tokenCount == 0)
            return error as? JSONSyntaxError
        }
    }

    static func syntaxError(_ json: String) -> JSONSyntaxError? {
        syntaxError(Array(json.utf8))
    }

    static func string(_ tape: JSONTape, _ token: Int) -> String {
        tape.withStringBytes(token) { String(decoding: $0, as: UTF8.self) }
    }

    static func bytes(_ tape: JSONTape, _ token: Int) -> [UInt8] {
        tape.withStringBytes(token) { Array($0) }
    }

    static func number(_ tape: JSONTape, _ token: Int) -> String {
        tape.withNumberBytes(token) { String(decoding: $0, as: UTF8.self) }
    }

    static func string(_ tape: JSONTape, _ token: Int?) -> String? {
        token.map { string(tape, $0) }
    }

    static func number(_ tape: JSONTape, _ token: Int?) -> String? {
        token.map { number(tape, $0) }
    }

    // MARK: - Values

    @Test func rootScalars() throws {
        try Self.withParsed(#"  "abc"  "#) { tape in
            #expect(tape.kind(tape.root) == .string)
            #expect(Self.string(tape, tape.root) == "abc")
            #expect(tape.offset(tape.root) == 2)
            #expect(tape.tokenCount == 1)
        }
        try Self.withParsed("125.50") { tape in
            #expect(tape.kind(0) == .number)
            #expect(Self.number(tape, 0) == "125.50")
        }
        try Self.withParsed("\r\n\ttrue\n") { #expect($0.kind(0) == .true) }
        try Self.withParsed("false") { #expect($0.kind(0) == .false) }
        try Self.withParsed("null") { #expect($0.kind(0) == .null) }
        try Self.withParsed(#""""#) { tape in
            #expect(Self.bytes(tape, 0) == [])
        }
    }

    @Test func nestedObjectsAndArrays() throws {
        let json = #"""
            {"claim": {"id": "C-1", "lines": [{"code": "01201", "fee": 125.50},
                                              {"code": "02111", "fee": "12.5", "tags": []}],
                       "empty": {}, "flags": [true, false, null]},
             "count": 2}
            """#
        try Self.withParsed(json) { tape in
            #expect(tape.kind(tape.root) == .object)
            #expect(tape.count(tape.root) == 2)
            let claim = try #require(tape.member(tape.root, "claim"))
            #expect(tape.kind(claim) == .object)
            #expect(tape.count(claim) == 4)
            #expect(Self.string(tape, tape.member(claim, "id")) == "C-1")

            let lines = try #require(tape.member(claim, "lines"))
            #expect(tape.kind(lines) == .array)
            #expect(tape.count(lines) == 2)
            let lineTokens = Array(tape.elements(lines))
            #expect(lineTokens.count == 2)
            let codes = lineTokens.map { Self.string(tape, tape.member($0, "code")!) }
            #expect(codes == ["01201", "02111"])
            let first = lineTokens[0], second = lineTokens[1]
            #expect(Self.number(tape, tape.member(first, "fee")) == "125.50")
            #expect(tape.member(second, "fee").map { tape.kind($0) } == .string)
            let tags = try #require(tape.member(second, "tags"))
            #expect(tape.kind(tags) == .array)
            #expect(tape.count(tags) == 0)
            #expect(Array(tape.elements(tags)).isEmpty)

            let empty = try #require(tape.member(claim, "empty"))
            #expect(tape.count(empty) == 0)
            #expect(Array(tape.members(empty)).isEmpty)
            #expect(tape.member(empty, "x") == nil)

            let flags = try #require(tape.member(claim, "flags"))
            #expect(tape.elements(flags).map { tape.kind($0) } == [.true, .false, .null])

            let count = try #require(tape.member(tape.root, "count"))
            #expect(Self.number(tape, count) == "2")
            #expect(tape.skip(tape.root) == tape.tokenCount)
            #expect(tape.skip(claim) == count - 1)  // the key "count" follows the claim object

            // Members in document order, keys included.
            let keys = tape.members(claim).map { Self.string(tape, $0.key) }
            #expect(keys == ["id", "lines", "empty", "flags"])
            for (key, value) in tape.members(claim) {
                #expect(tape.kind(key) == .string)
                #expect(tape.member(claim, Self.bytes(tape, key)) == value)
            }
            #expect(tape.member(tape.root, "missing") == nil)
            #expect(tape.member(tape.root, "clai") == nil)
            #expect(tape.member(tape.root, "claims") == nil)
        }
    }

    @Test func offsetsPointAtTokens() throws {
        try Self.withParsed(#"{"a": [1, "x", {"b": null}]}"#) { tape in
            #expect(tape.offset(tape.root) == 0)
            let (key, value) = try #require(Array(tape.members(tape.root)).first)
            #expect(tape.offset(key) == 1)
            #expect(tape.offset(value) == 6)
            let items = Array(tape.elements(value))
            #expect(items.map { tape.offset($0) } == [7, 10, 15])
            #expect(tape.member(items[2], "b").map { tape.offset($0) } == 21)
        }
    }

    @Test func nonContainerQueries() throws {
        try Self.withParsed(#"[1, {"a": 2}]"#) { tape in
            #expect(tape.member(tape.root, "a") == nil)
            #expect(Array(tape.members(tape.root)).isEmpty)
            let items = Array(tape.elements(tape.root))
            #expect(tape.count(items[0]) == 0)
            #expect(Array(tape.elements(items[0])).isEmpty)
            #expect(Array(tape.elements(items[1])).isEmpty)
            #expect(tape.member(items[1], "a") == items[1] + 2)
        }
    }

    @Test func duplicateKeysAreRefusedNamingTheKeyAndBothOffsets() throws {
        var tape = JSONTape()
        let document = Array(#"{"a": 1, "b": {"c": [1], "c": 2}, "a": 3}"#.utf8)
        do {
            try document.withUnsafeBytes { try tape.parse($0) }
            Issue.record("a repeated key was accepted")
        } catch let error as JSONSyntaxError {
            #expect(error.offset == 25)
            #expect(error.reason.contains(#"the key "c" appears twice"#))
            #expect(error.reason.contains("at byte 15 and byte 25"))
        }
    }

    @Test func duplicateKeysAreFoundAfterUnescapingAndInLargeObjects() throws {
        var tape = JSONTape()
        let escaped = Array(#"{"lastName": "A", "lastName": "B"}"#.utf8)
        #expect(throws: JSONSyntaxError.self) { try escaped.withUnsafeBytes { try tape.parse($0) } }
        let members = (0..<40).map { "\"k\($0)\": \($0)" } + [#""k7": 0"#]
        let large = Array(("{" + members.joined(separator: ",") + "}").utf8)
        do {
            try large.withUnsafeBytes { try tape.parse($0) }
            Issue.record("a repeated key in a large object was accepted")
        } catch let error as JSONSyntaxError {
            #expect(error.reason.contains(#"the key "k7" appears twice"#))
        }
        let distinct = Array(("{" + members.dropLast().joined(separator: ",") + "}").utf8)
        try distinct.withUnsafeBytes { try tape.parse($0) }
        #expect(tape.count(tape.root) == 40)
    }

    @Test func keysAreComparedAfterUnescaping() throws {
        try Self.withParsed(#"{"a\u0062c": 1, "caf\u00e9": 2, "long key with \"quotes\"": 3}"#) { tape in
            #expect(tape.member(tape.root, "abc") == 2)
            #expect(tape.member(tape.root, "a\\u0062c") == nil)
            #expect(tape.member(tape.root, Array("café".utf8)) == 4)
            #expect(tape.member(tape.root, #"long key with "quotes""#) == 6)
            let key: [UInt8] = Array("abc".utf8)
            let found = key.withUnsafeBufferPointer { tape.member(tape.root, $0) }
            #expect(found == 2)
            #expect(key.withUnsafeBufferPointer { tape.stringEquals(1, $0) })
        }
    }

    // MARK: - Strings

    @Test func escapes() throws {
        let json =
            #"["a\nb", "q\"q", "b\\s", "s\/l", "\u00e9t\u00E9", "\ud83d\ude00", "\b\f\r\t", "\u0000", "x\u20acy"]"#
        try Self.withParsed(json) { tape in
            let values = tape.elements(tape.root).map { Self.bytes(tape, $0) }
            #expect(
                values == [
                    Array("a\nb".utf8), Array("q\"q".utf8), Array("b\\s".utf8), Array("s/l".utf8),
                    Array("été".utf8), Array("😀".utf8), [0x08, 0x0C, 0x0D, 0x09], [0x00], Array("x€y".utf8),
                ])
            #expect(Array("😀".utf8) == [0xF0, 0x9F, 0x98, 0x80])
        }
    }

    @Test func longStringsWithEscapesAndUTF8() throws {
        let text = "Ünïcödé patient name — “quoted” 😀 and plain ASCII long enough to use the wide scan"
        let escaped = #"Line one\nLine two \"quoted\" \u00e9\u00e8 then plain ASCII long enough to use the wide scan\\"#
        try Self.withParsed("[\"\(text)\", \"\(escaped)\"]") { tape in
            let items = Array(tape.elements(tape.root))
            #expect(Self.string(tape, items[0]) == text)
            #expect(
                Self.string(tape, items[1])
                    == "Line one\nLine two \"quoted\" éè then plain ASCII long enough to use the wide scan\\")
        }
    }

    @Test func unescapedStringsAreServedFromTheDocument() throws {
        let json = Array(#"{"key": "value", "esc": "a\tb"}"#.utf8)
        var tape = JSONTape()
        try json.withUnsafeBytes { raw in
            try tape.parse(raw)
            let value = try #require(tape.member(tape.root, "key"))
            tape.withStringBytes(value) { bytes in
                #expect(UnsafeRawPointer(bytes.baseAddress!) == raw.baseAddress! + 9)
                #expect(bytes.count == 5)
            }
            let esc = try #require(tape.member(tape.root, "esc"))
            #expect(Self.string(tape, esc) == "a\tb")
        }
    }

    @Test func oneMegabyteString() throws {
        let size = 1 << 20
        var json: [UInt8] = [UInt8(ascii: "["), UInt8(ascii: "\"")]
        json.append(contentsOf: (0..<size).map { UInt8(ascii: "a") + UInt8($0 % 26) })
        json.append(contentsOf: Array(#"", ""#.utf8))
        // The same, with an escape every 1000 bytes and some UTF-8.
        var expected: [UInt8] = []
        for k in 0..<size / 1000 {
            let chunk = (0..<990).map { UInt8(ascii: "0") + UInt8(($0 + k) % 10) }
            json.append(contentsOf: chunk)
            expected.append(contentsOf: chunk)
            json.append(contentsOf: Array(#"\n\u00e9é"#.utf8))
            expected.append(contentsOf: Array("\néé".utf8))
        }
        json.append(contentsOf: Array("\"]".utf8))
        var tape = JSONTape()
        try Self.withParsed(json, tape: &tape) { tape in
            let items = Array(tape.elements(tape.root))
            #expect(items.count == 2)
            tape.withStringBytes(items[0]) { bytes in
                #expect(bytes.count == size)
                #expect(bytes.elementsEqual(json[2..<2 + size]))
            }
            #expect(Self.bytes(tape, items[1]) == expected)
        }
    }

    // MARK: - Numbers

    @Test func numbersStayLiteral() throws {
        let literals = [
            "125.50", "-3", "1e5", "0", "-0.0", "1E+10", "2.5e-3", "12345678901234567890.000000000000000001", "0.10",
        ]
        try Self.withParsed("[" + literals.joined(separator: ",") + "]") { tape in
            #expect(tape.elements(tape.root).map { Self.number(tape, $0) } == literals)
            #expect(tape.elements(tape.root).allSatisfy { tape.kind($0) == .number })
        }
        try Self.withParsed(#"{"fee":125.50}"#) { tape in
            #expect(Self.number(tape, tape.member(tape.root, "fee")) == "125.50")
        }
    }

    // MARK: - Nesting

    @Test func nestingUpTo64LevelsIsAccepted() throws {
        let deep = String(repeating: "[", count: 63) + #"{"a":1}"# + String(repeating: "]", count: 63)
        try Self.withParsed(deep) { tape in
            var token = tape.root
            for _ in 0..<63 { token = try #require(Array(tape.elements(token)).first) }
            #expect(tape.kind(token) == .object)
            #expect(Self.number(tape, tape.member(token, "a")) == "1")
        }
    }

    @Test func nestingDeeperThan64IsRejected() {
        let json = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(Self.syntaxError(json) == JSONSyntaxError(offset: 64, reason: "nesting deeper than 64 levels"))
        let objects = String(repeating: #"{"a":"#, count: 65) + "1" + String(repeating: "}", count: 65)
        #expect(Self.syntaxError(objects)?.offset == 64 * 5)
        // Very deep input fails fast without recursion.
        #expect(Self.syntaxError(String(repeating: "[", count: 100_000))?.offset == 64)
    }

    // MARK: - Rejections

    struct Rejection: Sendable, CustomTestStringConvertible {
        var json: String
        var offset: Int
        var reason: String
        init(_ json: String, _ offset: Int, _ reason: String) {
            self.json = json
            self.offset = offset
            self.reason = reason
        }
        var testDescription: String { "\(reason) @\(offset)" }
    }

    @Test(
        arguments: [
            // Trailing commas
            ("[1,2,]", 5, "trailing comma in an array"),
            (#"{"a":1,}"#, 7, "trailing comma in an object"),
            (#"{"a":1 , }"#, 9, "trailing comma in an object"),
            // Single quotes
            ("{'a':1}", 1, "strings must be in double quotes"),
            ("['a']", 1, "strings must be in double quotes"),
            // Comments
            ("[1, /* c */ 2]", 4, "comments are not allowed"),
            ("{// c\n}", 1, "comments are not allowed"),
            ("[1] // c", 4, "unexpected data after the JSON document"),
            // Numbers
            (#"{"a":01}"#, 5, "leading zeros are not allowed in numbers"),
            ("-01", 1, "leading zeros are not allowed in numbers"),
            ("NaN", 0, "expected a value (NaN and Infinity are not JSON)"),
            ("[Infinity]", 1, "expected a value (NaN and Infinity are not JSON)"),
            ("[-Infinity]", 2, "expected a digit after '-'"),
            ("-", 1, "expected a digit after '-'"),
            ("+1", 0, "numbers must not start with '+'"),
            (".5", 0, "numbers must start with a digit"),
            ("1.", 2, "expected a digit after the decimal point"),
            ("[1.e5]", 3, "expected a digit after the decimal point"),
            ("1e", 2, "expected a digit in the exponent"),
            ("1e+", 3, "expected a digit in the exponent"),
            ("0x10", 1, "unexpected data after the JSON document"),
            // Literals
            ("tru", 0, "invalid literal; expected true, false or null"),
            ("[fals]", 1, "invalid literal; expected true, false or null"),
            ("nul", 0, "invalid literal; expected true, false or null"),
            ("True", 0, "expected a value"),
            ("[truex]", 5, "expected ',' or ']' after an array element"),
            // Strings
            (#""abc"#, 0, "unterminated string"),
            (#"["ab\"#, 1, "unterminated string"),
            ("\"a\tb\"", 2, "unescaped control character in a string"),
            ("{\"a\":\"line\nbreak\"}", 10, "unescaped control character in a string"),
            (#""\x""#, 1, "invalid escape sequence"),
            (#""ab\u12G4""#, 3, "invalid \\u escape"),
            (#""\u12""#, 1, "invalid \\u escape"),
            (#""\ud83d""#, 1, "unpaired surrogate in a \\u escape"),
            (#""x\ude00""#, 2, "unpaired surrogate in a \\u escape"),
            (#""\ud83d\u0041""#, 1, "unpaired surrogate in a \\u escape"),
            (#""\ud83dabc""#, 1, "unpaired surrogate in a \\u escape"),
            // Structure
            ("", 0, "expected a value, found the end of the document"),
            ("   ", 3, "expected a value, found the end of the document"),
            ("[1,2", 4, "unterminated array"),
            ("[", 1, "unterminated array"),
            (#"{"a""#, 4, "unterminated object"),
            (#"{"a":1"#, 6, "unterminated object"),
            ("{", 1, "unterminated object"),
            (#"{"a" 1}"#, 5, "expected ':' after an object key"),
            (#"{"a":1 "b":2}"#, 7, "expected ',' or '}' after an object member"),
            ("[1 2]", 3, "expected ',' or ']' after an array element"),
            ("[1}", 2, "expected ',' or ']' after an array element"),
            (#"{"a":1]"#, 6, "expected ',' or '}' after an object member"),
            ("{1:2}", 1, "expected a string key"),
            ("[1,,2]", 3, "expected a value"),
            (#"{"a":}"#, 5, "expected a value"),
            ("]", 0, "expected a value"),
            (#"{"a":1} x"#, 8, "unexpected data after the JSON document"),
            ("1 2", 2, "unexpected data after the JSON document"),
            ("{}{}", 2, "unexpected data after the JSON document"),
            ("\u{FEFF}{}", 0, "expected a value"),
            ("\u{A0}1", 0, "expected a value"),
        ].map(Rejection.init))
    func rejects(_ rejection: Rejection) {
        #expect(
            Self.syntaxError(rejection.json) == JSONSyntaxError(offset: rejection.offset, reason: rejection.reason),
            "\(rejection.json.debugDescription)")
    }

    @Test func rejectsInvalidUTF8InStrings() {
        let cases: [([UInt8], Int)] = [
            ([0x22, 0x61, 0xC3, 0x28, 0x22], 2),  // missing continuation
            ([0x22, 0xC0, 0xAF, 0x22], 1),  // overlong
            ([0x22, 0xE0, 0x80, 0xAF, 0x22], 1),  // overlong 3-byte
            ([0x22, 0xED, 0xA0, 0x80, 0x22], 1),  // UTF-8 encoded surrogate
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1),  // above U+10FFFF
            ([0x22, 0x80, 0x22], 1),  // stray continuation
            ([0x22, 0xFF, 0x22], 1),
            ([0x22, 0xE2, 0x82], 1),  // truncated at the end
            (Array(#"["0123456789abcdef"#.utf8) + [0xFE] + Array(#"0123456789"]"#.utf8), 18),
            (Array(#""a\n0123456789"#.utf8) + [0xC3] + Array(#"""#.utf8), 14),  // after an escape
        ]
        for (json, offset) in cases {
            #expect(
                Self.syntaxError(json) == JSONSyntaxError(offset: offset, reason: "invalid UTF-8 in a string"),
                "\(json)")
        }
        // Valid 2-, 3- and 4-byte sequences pass.
        #expect(Self.syntaxError(Array("\"é€😀\u{10FFFF}\"".utf8)) == nil)
    }

    @Test func errorReasonsNeverQuoteTheDocument() {
        for json in [#"{"name": "SECRET" x}"#, #"{"SECRET": tSECRET}"#, #"["SECRET\q"]"#, "SECRET"] {
            let error = Self.syntaxError(json)
            #expect(error != nil)
            #expect(error?.reason.contains("SECRET") == false)
        }
    }

    @Test func manyTokens() throws {
        let count = 100_000
        let json = "[" + (0..<count).map { #"{"n": \#($0), "s": "v\u0041\#($0)"}"# }.joined(separator: ",") + "]"
        try Self.withParsed(json) { tape in
            #expect(tape.count(tape.root) == count)
            #expect(tape.tokenCount == 1 + 5 * count)
            var k = 0
            for element in tape.elements(tape.root) {
                if k % 9973 == 0 {
                    #expect(Self.number(tape, tape.member(element, "n")) == "\(k)")
                    #expect(Self.string(tape, tape.member(element, "s")) == "vA\(k)")
                }
                k += 1
            }
            #expect(k == count)
        }
    }

    // MARK: - Reuse

    @Test func copiesAndSequencesSurviveLaterParses() throws {
        let first = Array(#"[1, "a\nb", {"k": true}]"#.utf8)
        let second = Array(#"{"x": "y\tz", "w": [2]}"#.utf8)
        try first.withUnsafeBytes { a in
            try second.withUnsafeBytes { b in
                var tape = JSONTape()
                try tape.parse(a)
                let snapshot = tape
                let elements = tape.elements(tape.root)
                try tape.parse(b)
                #expect(elements.map { snapshot.kind($0) } == [.number, .string, .object])
                #expect(Self.string(snapshot, 2) == "a\nb")
                #expect(Self.string(tape, tape.member(tape.root, "x")) == "y\tz")
                #expect(tape.count(tape.root) == 2)
            }
        }
    }

    @Test func oneTapeParsesManyDocuments() throws {
        var tape = JSONTape()
        try Self.withParsed(Array(#"{"a": "x\ty", "b": [1, 2, 3]}"#.utf8), tape: &tape) { tape in
            #expect(tape.count(tape.root) == 2)
            #expect(Self.string(tape, tape.member(tape.root, "a")) == "x\ty")
        }
        #expect(tape.tokenCount == 8)

        try Self.withParsed(Array(#"["p\"q", 7]"#.utf8), tape: &tape) { tape in
            #expect(tape.kind(tape.root) == .array)
            #expect(tape.tokenCount == 3)
            let items = Array(tape.elements(tape.root))
            #expect(Self.string(tape, items[0]) == "p\"q")
            #expect(Self.number(tape, items[1]) == "7")
            #expect(tape.member(tape.root, "a") == nil)
        }

        let failure: JSONSyntaxError? = {
            do {
                try Array("[1,".utf8).withUnsafeBytes { try tape.parse($0) }
                return nil
            } catch {
                return error as? JSONSyntaxError
            }
        }()
        #expect(failure == JSONSyntaxError(offset: 3, reason: "expected a value, found the end of the document"))
        #expect(tape.tokenCount == 0)

        try Self.withParsed(Array("null".utf8), tape: &tape) { tape in
            #expect(tape.kind(tape.root) == .null)
            #expect(tape.tokenCount == 1)
        }
        for k in 0..<100 {
            let json = Array(#"{"id": \#(k), "name": "n\u00e9\#(k)"}"#.utf8)
            try Self.withParsed(json, tape: &tape) { tape in
                #expect(Self.number(tape, tape.member(tape.root, "id")) == "\(k)")
                #expect(Self.string(tape, tape.member(tape.root, "name")) == "né\(k)")
            }
        }
    }
}
