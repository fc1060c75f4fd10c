/// The value tokens of one model document, found by walking it against a mapping's JSON shape.
///
/// Walking the document once (instead of looking each path up) also refuses keys the mapping does not
/// know, so a misspelt key is an error instead of a field silently left blank. Reused across documents:
/// a generation stamp marks which slots belong to the current document.
package final class ModelValues {
    private(set) var tokens: UnsafeMutablePointer<Int32>
    private var stamps: UnsafeMutablePointer<UInt32>
    private var capacity: Int
    private var stamp: UInt32 = 0
    /// Per group: elements (repeating) or 1/0 (conditional with a path).
    private(set) var groupCounts: [Int32] = []
    /// Where each field of the message being written lies, for the carrier rules.
    let spans = WrittenSpans()
    /// Today's date and whether rule sentences may show personal values.
    package let carrierRuleContext: CarrierRuleContext

    package init(carrierRuleContext: CarrierRuleContext = CarrierRuleContext()) {
        self.carrierRuleContext = carrierRuleContext
        capacity = 256
        tokens = .allocate(capacity: capacity)
        stamps = .allocate(capacity: capacity)
        stamps.initialize(repeating: 0, count: capacity)
    }

    deinit {
        tokens.deallocate()
        stamps.deallocate()
    }

    func reset(valueCount: Int, groupCount: Int) {
        if valueCount > capacity {
            capacity = valueCount
            tokens = .replacing(tokens, capacity: capacity)
            stamps = .replacing(stamps, capacity: capacity)
            stamps.initialize(repeating: 0, count: capacity)
            stamp = 0
        }
        stamp &+= 1
        if stamp == 0 {
            stamps.update(repeating: 0, count: capacity)
            stamp = 1
        }
        if groupCounts.count != groupCount {
            groupCounts = Array(repeating: 0, count: groupCount)
        } else {
            for index in groupCounts.indices { groupCounts[index] = 0 }
        }
    }

    @inline(__always) func set(_ slot: Int, _ token: Int) {
        tokens[slot] = Int32(token)
        stamps[slot] = stamp
    }

    /// The token in a slot, or -1.
    @inline(__always) func token(_ slot: Int) -> Int {
        stamps[slot] == stamp ? Int(tokens[slot]) : -1
    }

    /// The slots as plain pointers, for a hot loop that must not retain this object; valid until the next value
    /// is recorded.
    struct SlotView {
        let tokens: UnsafeMutablePointer<Int32>
        let stamps: UnsafeMutablePointer<UInt32>
        let stamp: UInt32

        @inline(__always) func token(_ slot: Int) -> Int { stamps[slot] == stamp ? Int(tokens[slot]) : -1 }
    }

    var slotView: SlotView { SlotView(tokens: tokens, stamps: stamps, stamp: stamp) }

    @inline(__always) func setGroupCount(_ group: Int, _ count: Int) { groupCounts[group] = Int32(count) }
}

/// Walks a model document against a mapping's JSON shape, recording where each rule's value is.
struct ModelDocumentWalker {
    let mapping: Mapping
    let tape: JSONTape
    let values: ModelValues
    let nodes: UnsafeMutablePointer<MappingTables.Node>
    let children: UnsafeMutablePointer<Int32>
    let rules: UnsafeMutablePointer<MappingTables.Rule>
    let groups: UnsafeMutablePointer<LayoutTables.Group>

    private static let typeKey: [UInt8] = Array("type".utf8)
    private static let schemaVersionKey: [UInt8] = Array("schemaVersion".utf8)

    init(mapping: Mapping, tape: JSONTape, values: ModelValues) {
        self.mapping = mapping
        self.tape = tape
        self.values = values
        nodes = mapping.tables.nodes.base
        children = mapping.tables.children.base
        rules = mapping.tables.rules.base
        groups = mapping.layout.tables.groups.base
    }

    func walk(root: Int) throws(BridgeError) {
        values.reset(valueCount: mapping.tables.valueCount, groupCount: mapping.layout.groups.count)
        try walkObject(root, node: mapping.tables.root, instance: 0, isRoot: true)
    }

    private func walkObject(_ object: Int, node: Int, instance: Int, isRoot: Bool = false) throws(BridgeError) {
        guard tape.kind(object) == .object else { throw wrongKind(object, "an object") }
        let spec = nodes[node]
        for (keyToken, valueToken) in tape.members(object) {
            let child = tape.withStringBytes(keyToken) { key in findChild(spec, key) }
            guard child >= 0 else {
                if isRoot, try headerKey(keyToken, valueToken) { continue }
                throw unknownKey(keyToken, spec)
            }
            do throws(BridgeError) {
                try walkValue(valueToken, node: child, instance: instance)
            } catch {
                throw prefixed(error, with: mapping.tables.name(of: child))
            }
        }
    }

    @inline(__always)
    private func findChild(_ spec: MappingTables.Node, _ key: UnsafeBufferPointer<UInt8>) -> Int {
        for position in Int(spec.childStart)..<(Int(spec.childStart) + Int(spec.childCount)) {
            let child = Int(children[position])
            let childSpec = nodes[child]
            if mapping.tables.poolEquals(childSpec.nameStart, childSpec.nameLength, key) { return child }
        }
        return -1
    }

    private func walkValue(_ token: Int, node: Int, instance: Int) throws(BridgeError) {
        if tape.kind(token) == .null { return }
        let spec = nodes[node]
        switch spec.kind {
        case .value:
            values.set(Int(rules[Int(spec.rule)].valueBase) + instance, token)
        case .object:
            try walkObject(token, node: node, instance: instance)
        case .conditional:
            values.setGroupCount(Int(spec.group), 1)
            try walkObject(token, node: node, instance: 0)
        case .array:
            guard tape.kind(token) == .array else { throw wrongKind(token, "a list") }
            let group = Int(spec.group)
            let count = tape.count(token)
            let maximum = Int(groups[group].maximum)
            guard count <= maximum else {
                let control = mapping.layout.fields[Int(groups[group].control)]
                throw BridgeError(
                    .tooManyItems, "has \(count) entries; one message holds at most \(maximum)",
                    at: .init(byteOffset: tape.offset(token), fieldID: control.id, fieldName: control.name))
            }
            values.setGroupCount(group, count)
            for (index, element) in tape.elements(token).enumerated() {
                do throws(BridgeError) {
                    try walkObject(element, node: node, instance: index)
                } catch {
                    throw prefixed(error, with: "[\(index)]")
                }
            }
        case .slots:
            guard tape.kind(token) == .array else { throw wrongKind(token, "a list") }
            let count = tape.count(token)
            guard count <= Int(spec.childCount) else {
                throw BridgeError(
                    .tooManyItems, "has \(count) entries; at most \(spec.childCount) fit",
                    at: .init(byteOffset: tape.offset(token)))
            }
            for (index, element) in tape.elements(token).enumerated() {
                do throws(BridgeError) {
                    try walkObject(element, node: Int(children[Int(spec.childStart) + index]), instance: instance)
                } catch {
                    throw prefixed(error, with: "[\(index)]")
                }
            }
        }
    }

    /// `type` and `schemaVersion` at the top level.
    private func headerKey(_ keyToken: Int, _ valueToken: Int) throws(BridgeError) -> Bool {
        let key = tape.withStringBytes(keyToken) { Array($0) }
        if key == Self.typeKey { return true }
        guard key == Self.schemaVersionKey else { return false }
        let supported =
            tape.kind(valueToken) == .number
            && tape.withNumberBytes(valueToken) { $0.elementsEqual("\(Mapping.schemaVersion)".utf8) }
        guard supported else {
            throw BridgeError(
                .unsupportedSchemaVersion,
                "this version of ClaimsBridge reads schemaVersion \(Mapping.schemaVersion) only",
                at: .init(byteOffset: tape.offset(valueToken), modelPath: "schemaVersion"))
        }
        return true
    }

    @inline(never)
    private func unknownKey(_ keyToken: Int, _ spec: MappingTables.Node) -> BridgeError {
        let name = tape.withStringBytes(keyToken) { String(decoding: $0, as: UTF8.self) }
        var hint = ""
        for position in Int(spec.childStart)..<(Int(spec.childStart) + Int(spec.childCount)) {
            let candidate = mapping.tables.name(of: Int(children[position]))
            if candidate.lowercased() == name.lowercased() { hint = "; did you mean \(candidate)?" }
        }
        return BridgeError(
            .unknownKey, "\"\(name)\" is not part of this \(mapping.type)\(hint)",
            at: .init(byteOffset: tape.offset(keyToken), modelPath: name))
    }

    private func wrongKind(_ token: Int, _ expected: String) -> BridgeError {
        BridgeError(.wrongValueType, "must be \(expected)", at: .init(byteOffset: tape.offset(token)))
    }

    /// Adds an outer key to the model path of an error raised deeper in the document.
    private func prefixed(_ error: BridgeError, with key: String) -> BridgeError {
        var copy = error
        if let path = copy.location.modelPath, !path.isEmpty {
            copy.location.modelPath = key + (path.hasPrefix("[") ? "" : ".") + path
        } else {
            copy.location.modelPath = key
        }
        return copy
    }
}
