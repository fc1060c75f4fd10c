/// Writes embedded messages (G40) for a mapping: picks the embedded object's own mapping.
package protocol EmbeddedMessageWriter {
    /// Appends the complete message for the model object at `object`.
    func appendMessage(
        embedded object: Int, in tape: JSONTape, depth: Int, to output: inout [UInt8]
    ) throws(BridgeError)
}

extension Mapping {
    /// Appends the wire message for the model object at token `object` of `tape`.
    ///
    /// Count, flag and length fields are computed; the message length field is filled in last.
    /// - Throws: ``BridgeError`` naming the model path and field: a value missing, too long, of the wrong
    ///   kind, not in a code table, or a character the field cannot carry.
    package func appendMessage(
        from tape: JSONTape, object: Int, embedded: (any EmbeddedMessageWriter)?, depth: Int = 0,
        to output: inout [UInt8]
    ) throws(BridgeError) {
        if let notReversibleBecause { throw notReversibleBecause }
        try ModelKeyCheck(mapping: self, tape: tape).check(root: object)
        var writer = ModelMessageWriter(mapping: self, tape: tape, root: object, embedded: embedded, depth: depth)
        try writer.write(to: &output)
    }
}

/// Fills a layout's fields from one model object.
private struct ModelMessageWriter {
    let mapping: Mapping
    let layout: RecordLayout
    let tape: JSONTape
    let root: Int
    let embedded: (any EmbeddedMessageWriter)?
    let depth: Int
    /// The current element of each group while it is written.
    var element: [Int]
    /// The index of that element, for messages.
    var elementIndex: [Int]
    /// Bytes of a variable-length field, encoded early to fill its length field.
    var pending: [(field: Int, bytes: [UInt8])] = []

    init(mapping: Mapping, tape: JSONTape, root: Int, embedded: (any EmbeddedMessageWriter)?, depth: Int) {
        self.mapping = mapping
        self.layout = mapping.layout
        self.tape = tape
        self.root = root
        self.embedded = embedded
        self.depth = depth
        element = Array(repeating: -1, count: mapping.layout.groups.count)
        elementIndex = Array(repeating: 0, count: mapping.layout.groups.count)
    }

    mutating func write(to output: inout [UInt8]) throws(BridgeError) {
        guard tape.kind(root) == .object else {
            throw BridgeError(
                .wrongValueType, "a message must be a JSON object", at: .init(byteOffset: tape.offset(root)))
        }
        let start = output.count
        var lengthPosition = -1
        for item in layout.items {
            switch item {
            case .field(let field):
                if layout.fields[field].role == .messageLength { lengthPosition = output.count }
                try writeField(field, to: &output)
            case .group(let group):
                let elements = try groupElements(group)
                for (index, token) in elements.enumerated() {
                    element[group] = token
                    elementIndex[group] = index
                    for field in layout.groups[group].fields {
                        try writeField(field, to: &output)
                    }
                }
            }
        }
        let length = output.count - start
        let width = layout.lengthFieldWidth
        guard String(length).utf8.count <= width else {
            let field = layout.fields[layout.lengthField]
            throw BridgeError(
                .valueTooLong,
                "the message would be \(length) bytes, more than \(field.id) (\(width) digits) can state",
                at: .init(fieldID: field.id, fieldName: field.name))
        }
        writeNumber(length, width: width, at: lengthPosition, in: &output)
    }

    // MARK: Groups

    /// The model tokens a group is written from: array elements, or one object for a present block.
    private func groupElements(_ group: Int) throws(BridgeError) -> [Int] {
        let spec = layout.groups[group]
        guard let path = mapping.groupPaths[group] else {
            for rule in mapping.groupPresenceRules[group] where try valueToken(for: mapping.rules[rule]) != nil {
                return [root]
            }
            return []
        }
        guard let token = try resolve(path.keys, from: root, pathText: path.text) else { return [] }
        switch spec.kind {
        case .conditional:
            guard tape.kind(token) == .object else { throw wrongKind(path.text, token, expected: "an object") }
            return [token]
        case .repeating:
            guard tape.kind(token) == .array else { throw wrongKind(path.text, token, expected: "a list") }
            return Array(tape.elements(token))
        }
    }

    private func groupCount(_ group: Int) throws(BridgeError) -> Int {
        let count = try groupElements(group).count
        let spec = layout.groups[group]
        if case .repeating(let minimum, let maximum) = spec.kind {
            let path = mapping.groupPaths[group]?.text ?? spec.name
            let control = layout.fields[spec.control]
            if count > maximum {
                throw BridgeError(
                    .tooManyItems, "has \(count) entries; one message holds at most \(maximum)",
                    at: .init(fieldID: control.id, fieldName: control.name, modelPath: path))
            }
            if count < minimum {
                throw BridgeError(
                    .missingValue, "needs at least \(minimum) entr\(minimum == 1 ? "y" : "ies"), but has \(count)",
                    at: .init(fieldID: control.id, fieldName: control.name, modelPath: path))
            }
        }
        return count
    }

    // MARK: Fields

    private mutating func writeField(_ index: Int, to output: inout [UInt8]) throws(BridgeError) {
        let field = layout.fields[index]
        switch field.role {
        case .messageLength:
            output.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: field.width))
            return
        case .count(let group):
            try writeCount(try groupCount(group), field: field, to: &output)
            return
        case .flag(let group):
            try writeCount(try groupElements(group).isEmpty ? 0 : 1, field: field, to: &output)
            return
        case .length(let target):
            var bytes: [UInt8] = []
            try writeData(target, to: &bytes)
            try writeCount(bytes.count, field: field, to: &output)
            pending.append((target, bytes))
            return
        case .data:
            break
        }
        if field.isVariable {
            if let at = pending.firstIndex(where: { $0.field == index }) {
                output.append(contentsOf: pending[at].bytes)
                pending.remove(at: at)
            }
            return
        }
        try writeData(index, to: &output)
    }

    private func writeCount(_ value: Int, field: LayoutField, to output: inout [UInt8]) throws(BridgeError) {
        guard String(value).utf8.count <= field.width else {
            throw BridgeError(
                .valueTooLong, "needs the value \(value), which does not fit in \(field.width) digits",
                at: .init(fieldID: field.id, fieldName: field.name))
        }
        let position = output.count
        output.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: field.width))
        writeNumber(value, width: field.width, at: position, in: &output)
    }

    private func writeNumber(_ value: Int, width: Int, at position: Int, in output: inout [UInt8]) {
        var remaining = value
        var i = position + width - 1
        while i >= position {
            output[i] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
            i -= 1
        }
    }

    /// Writes a data field from its source (rule, constant or fill).
    private func writeData(_ index: Int, to output: inout [UInt8]) throws(BridgeError) {
        let field = layout.fields[index]
        switch mapping.fieldSources[index] {
        case .fill, .derived:
            if !field.isVariable { output.append(contentsOf: repeatElement(field.fill, count: field.width)) }
        case .constant(let bytes):
            output.append(contentsOf: bytes)
        case .rule(let ruleIndex):
            let rule = mapping.rules[ruleIndex]
            let start = output.count
            do throws(BridgeError) {
                try writeValue(rule, field: field, to: &output)
            } catch {
                output.removeSubrange(start...)
                throw error.located(
                    .init(fieldID: field.id, fieldName: field.name, modelPath: pathText(rule)))
            }
        }
    }

    private func writeValue(_ rule: MappingRule, field: LayoutField, to output: inout [UInt8]) throws(BridgeError) {
        let token = try valueToken(for: rule)
        guard let token, tape.kind(token) != .null else {
            if let literal = rule.defaultValue {
                try ValueEncoder.write(literal: literal, rule: rule, field: field, to: &output)
                return
            }
            if rule.required {
                throw BridgeError(.missingValue, "is required but missing")
            }
            if !field.isVariable { output.append(contentsOf: repeatElement(field.fill, count: field.width)) }
            return
        }
        if case .embedded = rule.transform {
            guard tape.kind(token) == .object else { throw wrongKind(pathText(rule), token, expected: "an object") }
            guard let embedded else {
                throw BridgeError(.embeddedMessage, "embedded messages cannot be written here")
            }
            guard depth < 3 else { throw BridgeError(.embeddedMessage, "embedded messages nest too deeply") }
            try embedded.appendMessage(embedded: token, in: tape, depth: depth + 1, to: &output)
            return
        }
        try ValueEncoder.write(token: token, in: tape, rule: rule, field: field, to: &output)
    }

    // MARK: Paths

    /// The token holding a rule's value, or nil when the model leaves it out.
    private func valueToken(for rule: MappingRule) throws(BridgeError) -> Int? {
        guard let path = rule.path else { return nil }
        let base: Int
        switch rule.scope {
        case .root:
            base = root
        case .group(let group):
            base = element[group]
        case .slot(let parent, let slotPath, let index, let slots):
            let container = parent.map { element[$0] } ?? root
            guard let array = try resolve(slotPath.keys, from: container, pathText: slotPath.text) else { return nil }
            guard tape.kind(array) == .array else { throw wrongKind(slotPath.text, array, expected: "a list") }
            let count = tape.count(array)
            if index == 0 {
                if count > slots {
                    throw BridgeError(
                        .tooManyItems, "has \(count) entries; at most \(slots) fit",
                        at: .init(byteOffset: tape.offset(array), modelPath: slotPath.text))
                }
            }
            guard index < count else { return nil }
            var iterator = tape.elements(array).makeIterator()
            var token = iterator.next()
            for _ in 0..<index { token = iterator.next() }
            guard let slot = token else { return nil }
            guard tape.kind(slot) == .object else { throw wrongKind(slotPath.text, slot, expected: "an object") }
            base = slot
        }
        return try resolve(path.keys, from: base, pathText: path.text)
    }

    private func resolve(_ keys: [[UInt8]], from base: Int, pathText: String) throws(BridgeError) -> Int? {
        var current = base
        for (position, key) in keys.enumerated() {
            guard tape.kind(current) == .object else {
                throw wrongKind(
                    keys[..<position].map { String(decoding: $0, as: UTF8.self) }.joined(separator: "."), current,
                    expected: "an object")
            }
            guard let next = tape.member(current, key) else { return nil }
            current = next
        }
        return current
    }

    private func wrongKind(_ path: String, _ token: Int, expected: String) -> BridgeError {
        BridgeError(.wrongValueType, "must be \(expected)", at: .init(byteOffset: tape.offset(token), modelPath: path))
    }

    private func pathText(_ rule: MappingRule) -> String {
        guard let text = rule.path?.text else { return "" }
        var result = text
        for (group, path) in mapping.groupPaths.enumerated() {
            if let path, element[group] >= 0, result.hasPrefix(path.text + "[]") {
                result = path.text + "[\(elementIndex[group])]" + result.dropFirst(path.text.count + 2)
            }
        }
        return result
    }
}
