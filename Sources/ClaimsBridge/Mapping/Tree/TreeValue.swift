/// A JSON value whose object members keep their order and whose numbers keep their literal text.
///
/// Used by the tree mappings (XML and JSON partner formats) for the model side and for partner JSON.
/// Numbers are never converted to floating point, so amounts stay exact.
package enum TreeValue: Sendable, Equatable {
    case object([Member])
    case array([TreeValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    /// One member of an object.
    package struct Member: Sendable, Equatable {
        package var key: String
        package var value: TreeValue
        package init(_ key: String, _ value: TreeValue) {
            self.key = key
            self.value = value
        }
    }

    /// The member `key` of an object, or nil.
    package subscript(key: String) -> TreeValue? {
        guard case .object(let members) = self, let index = Self.index(of: key, in: members) else { return nil }
        return members[index].value
    }

    /// Where `key` is among `members`, looked up by index so that no member is copied on the way, and with the
    /// lengths compared first, which tells most different keys apart at once.
    private static func index(of key: String, in members: [Member]) -> Int? {
        let length = key.utf8.count
        for index in members.indices where members[index].key.utf8.count == length && members[index].key == key {
            return index
        }
        return nil
    }

    /// The value at a dotted path below this object, or nil (`null` counts as absent).
    package func value(at path: ArraySlice<String>) -> TreeValue? {
        guard let first = path.first else {
            if case .null = self { return nil }
            return self
        }
        // The member is stepped into where it is, not copied out first.
        guard case .object(let members) = self, let index = Self.index(of: first, in: members) else { return nil }
        return members[index].value.value(at: path.dropFirst())
    }

    /// Every value reached by `path`, stepping into each element of the arrays met on the way.
    package func values(along path: ArraySlice<String>) -> [TreeValue] {
        var found: [TreeValue] = []
        _ = forEachValue(along: path) {
            found.append($0)
            return true
        }
        return found
    }

    /// Calls `body` with every value ``values(along:)`` gives, in order, without collecting them, until it
    /// returns false; returns false when it was stopped.
    package func forEachValue(along path: ArraySlice<String>, _ body: (TreeValue) -> Bool) -> Bool {
        switch self {
        case .array(let items):
            for item in items where !item.forEachValue(along: path, body) { return false }
            return true
        case .null where path.isEmpty: return true
        case .object(let members):
            guard let first = path.first else { return body(self) }
            // The member is stepped into where it is, not copied out first.
            guard let index = Self.index(of: first, in: members) else { return true }
            return members[index].value.forEachValue(along: path.dropFirst(), body)
        default:
            return path.isEmpty ? body(self) : true
        }
    }

    /// Sets the value at a dotted path, creating intermediate objects; new keys go last.
    package mutating func set(_ value: TreeValue, at path: ArraySlice<String>) {
        guard let first = path.first else {
            self = value
            return
        }
        var members: [Member]
        if case .object(let existing) = self {
            members = existing
            self = .null  // so that `members` is the array's only owner and is changed in place
        } else {
            members = []
            members.reserveCapacity(8)
        }
        if let index = Self.index(of: first, in: members) {
            if path.count == 1 {
                members[index].value = value
            } else {
                members[index].value.set(value, at: path.dropFirst())
            }
        } else if path.count == 1 {
            members.append(Member(first, value))
        } else {
            var child = TreeValue.null
            child.set(value, at: path.dropFirst())
            members.append(Member(first, child))
        }
        self = .object(members)
    }

    /// The text of a string or number.
    package var scalarText: String? {
        switch self {
        case .string(let text), .number(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        default: return nil
        }
    }

    /// `object`, `array`, `string`… for error messages.
    package var kindName: String {
        switch self {
        case .object: return "an object"
        case .array: return "a list"
        case .string: return "text"
        case .number: return "a number"
        case .bool: return "true/false"
        case .null: return "null"
        }
    }
}

extension TreeValue {
    /// Builds a value from a parsed tape (the tape's document must still be alive).
    package init(tape: JSONTape, token: Int) {
        switch tape.kind(token) {
        case .object:
            var members: [Member] = []
            members.reserveCapacity(tape.count(token))
            var iterator = tape.members(token)
            while let (key, value) = iterator.next() {
                let name = tape.withStringBytes(key) { String(decoding: $0, as: UTF8.self) }
                members.append(Member(name, TreeValue(tape: tape, token: value)))
            }
            self = .object(members)
        case .array:
            var items: [TreeValue] = []
            items.reserveCapacity(tape.count(token))
            var iterator = tape.elements(token)
            while let element = iterator.next() { items.append(TreeValue(tape: tape, token: element)) }
            self = .array(items)
        case .string: self = .string(tape.withStringBytes(token) { String(decoding: $0, as: UTF8.self) })
        case .number: self = .number(tape.withNumberBytes(token) { String(decoding: $0, as: UTF8.self) })
        case .true: self = .bool(true)
        case .false: self = .bool(false)
        case .null: self = .null
        }
    }

    /// Parses one JSON document.
    /// - Throws: ``JSONSyntaxError`` with the byte offset of the problem.
    package static func parse(_ bytes: UnsafeRawBufferPointer, tape: inout JSONTape) throws(JSONSyntaxError)
        -> TreeValue
    {
        try tape.parse(bytes)
        return TreeValue(tape: tape, token: tape.root)
    }

    /// Appends compact JSON, members in their order.
    package func appendJSON<Output: ByteAppending & ~Copyable>(to out: inout Output) {
        switch self {
        case .object(let members):
            // By index, so that no member is copied on the way.
            out.append(UInt8(ascii: "{"))
            for index in members.indices {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONWriter.appendString(members[index].key, to: &out)
                out.append(UInt8(ascii: ":"))
                members[index].value.appendJSON(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for index in items.indices {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                items[index].appendJSON(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .string(let text): JSONWriter.appendString(text, to: &out)
        case .number(let text): out.append(utf8: text)
        case .bool(let flag): out.append(flag ? "true" : "false")
        case .null: out.append("null")
        }
    }
}
