import Foundation

/// Files already loaded while a set of mappings is read, so shared layouts, dictionaries and code tables
/// are parsed once.
package struct MappingLoadCache {
    package var dictionaries: [String: FieldDictionary] = [:]
    package var layouts: [String: RecordLayout] = [:]
    package var codeTables: [String: [String: CodeTable]] = [:]
    package var carrierRuleFiles: [String: ConfigNode] = [:]
    package init() {}
}

extension Mapping {
    /// Loads, validates and compiles a mapping file with its layout and code tables.
    /// - Throws: ``BridgeError`` (`invalidConfiguration`) with `file:line` for the first problem found.
    package static func load(path: String, cache: inout MappingLoadCache) throws -> Mapping {
        let root = try ConfigNode.load(path: path)
        try root.expectKeys(["mapping", "layout", "codes", "type", "rules", "carrierRules"], in: "a mapping")
        let folder = (path as NSString).deletingLastPathComponent
        let layoutNode = try root.required("layout")
        let layoutPath = (folder as NSString).appendingPathComponent(try layoutNode.string("`layout`"))
        let layout: RecordLayout
        if let cached = cache.layouts[layoutPath] {
            layout = cached
        } else {
            guard FileManager.default.fileExists(atPath: layoutPath) else {
                throw layoutNode.error("the layout file \(layoutPath) does not exist")
            }
            layout = try RecordLayout.load(path: layoutPath, dictionaries: &cache.dictionaries)
            cache.layouts[layoutPath] = layout
        }
        var tables: [String: CodeTable] = [:]
        if let codesNode = root["codes"] {
            let codesPath = (folder as NSString).appendingPathComponent(try codesNode.string("`codes`"))
            if let cached = cache.codeTables[codesPath] {
                tables = cached
            } else {
                guard FileManager.default.fileExists(atPath: codesPath) else {
                    throw codesNode.error("the code table file \(codesPath) does not exist")
                }
                tables = try CodeTable.loadFile(path: codesPath)
                cache.codeTables[codesPath] = tables
            }
        }
        let typeNode = try root.required("type")
        let type = try typeNode.string("`type`")
        guard !type.isEmpty, type.utf8.allSatisfy({ $0.isASCIILetter || $0.isDigit }) else {
            throw typeNode.error("`type` must be a name made of letters and digits, e.g. claim")
        }
        var compiler = MappingCompiler(layout: layout, tables: tables, file: path)
        try compiler.compileRules(
            try root.required("rules").items("`rules`"), scope: .root, group: nil, trie: compiler.rootTrie)
        var carrierRules: CarrierRules?
        if let rulesNode = root["carrierRules"] {
            let rulesPath = (folder as NSString).appendingPathComponent(try rulesNode.string("`carrierRules`"))
            if cache.carrierRuleFiles[rulesPath] == nil {
                guard FileManager.default.fileExists(atPath: rulesPath) else {
                    throw rulesNode.error("the carrier rules file \(rulesPath) does not exist")
                }
                cache.carrierRuleFiles[rulesPath] = try ConfigNode.load(path: rulesPath)
            }
            carrierRules = try CarrierRules.load(cache.carrierRuleFiles[rulesPath]!, for: layout)
        }
        return try compiler.finish(
            name: try root.required("mapping").string("`mapping`"), type: type, carrierRules: carrierRules)
    }
}

/// Builds the emit tree: object keys in the order rules first name them.
private final class Trie {
    enum Child {
        case node(Trie)
        case leaf(EmitNode)
    }
    var keys: [String] = []
    var children: [String: Child] = [:]
    let always: Bool
    init(always: Bool = false) { self.always = always }

    func emitNode() -> EmitNode {
        .object(
            members: keys.map { key in
                let node: EmitNode
                switch children[key]! {
                case .node(let trie): node = trie.emitNode()
                case .leaf(let leaf): node = leaf
                }
                return EmitMember(key: Array(key.utf8), keyBytes: JSONWriter.keyBytes(key), node: node)
            }, always: always)
    }

    /// The trie for the parent of the last key, creating objects on the way.
    func parent(for keys: [String], at node: ConfigNode) throws -> Trie {
        var current = self
        for key in keys.dropLast() {
            switch current.children[key] {
            case .node(let next)?: current = next
            case .leaf?: throw node.error("`\(key)` is used both as a value and as an object")
            case nil:
                let next = Trie()
                current.keys.append(key)
                current.children[key] = .node(next)
                current = next
            }
        }
        return current
    }

    func setLeaf(_ key: String, _ leaf: EmitNode, at node: ConfigNode, path: String) throws {
        guard children[key] == nil else { throw node.error("the model path \(path) is written by two rules") }
        keys.append(key)
        children[key] = .leaf(leaf)
    }
}

private struct MappingCompiler {
    let layout: RecordLayout
    let tables: [String: CodeTable]
    let file: String
    let rootTrie = Trie()
    var rules: [MappingRule] = []
    var fieldRule: [Int?]
    var groupPaths: [MappingRule.Path?]
    var groupMapped: [Bool]
    var groupPresenceRules: [[Int]]
    var notReversible: BridgeError?

    init(layout: RecordLayout, tables: [String: CodeTable], file: String) {
        self.layout = layout
        self.tables = tables
        self.file = file
        fieldRule = Array(repeating: nil, count: layout.fields.count)
        groupPaths = Array(repeating: nil, count: layout.groups.count)
        groupMapped = Array(repeating: false, count: layout.groups.count)
        groupPresenceRules = Array(repeating: [], count: layout.groups.count)
    }

    /// Compiles the rules of one scope: the root, a group, or a slot.
    mutating func compileRules(
        _ items: [ConfigNode], scope: MappingRule.Scope, group: Int?, trie: Trie, prefix: String = ""
    ) throws {
        for item in items {
            if let groupNode = item["group"] {
                try compileGroup(item, nameNode: groupNode, scope: scope, group: group, trie: trie)
            } else if item["slots"] != nil {
                try compileSlots(item, group: group, trie: trie, prefix: prefix)
            } else {
                try compileRule(item, scope: scope, group: group, trie: trie, prefix: prefix)
            }
        }
    }

    private mutating func compileGroup(
        _ node: ConfigNode, nameNode: ConfigNode, scope: MappingRule.Scope, group: Int?, trie: Trie
    ) throws {
        try node.expectKeys(["group", "path", "rules"], in: "a group rule")
        guard group == nil, case .root = scope else { throw node.error("groups do not nest") }
        let name = try nameNode.string("`group`")
        guard let index = layout.groupIndex(name: name) else {
            let known = layout.groups.map(\.name).joined(separator: ", ")
            throw nameNode.error("the layout \(layout.file) has no group \(name); its groups are: \(known)")
        }
        guard !groupMapped[index] else { throw nameNode.error("group \(name) is mapped twice") }
        groupMapped[index] = true
        let items = try node.required("rules").items("`rules`")
        if let pathNode = node["path"] {
            let path = try parsePath(pathNode, prefix: "")
            groupPaths[index] = path
            let parent = try rootTrie.parent(for: path.keys.map { String(decoding: $0, as: UTF8.self) }, at: pathNode)
            let key = String(decoding: path.keys.last!, as: UTF8.self)
            switch layout.groups[index].kind {
            case .repeating:
                let element = Trie()
                try compileRules(items, scope: .group(index), group: index, trie: element, prefix: path.text + "[].")
                try parent.setLeaf(
                    key, .array(group: index, element: element.emitNode()), at: pathNode, path: path.text)
            case .conditional:
                let object = Trie(always: true)
                try compileRules(items, scope: .group(index), group: index, trie: object, prefix: path.text + ".")
                try parent.setLeaf(
                    key, .conditional(group: index, object: object.emitNode()), at: pathNode, path: path.text)
            }
        } else {
            guard layout.groups[index].kind == .conditional else {
                throw node.error("a repeating group needs a `path` naming the array it fills")
            }
            let first = rules.count
            try compileRules(items, scope: .root, group: index, trie: rootTrie)
            groupPresenceRules[index] = Array(first..<rules.count)
        }
    }

    private mutating func compileSlots(_ node: ConfigNode, group: Int?, trie: Trie, prefix: String) throws {
        try node.expectKeys(["path", "slots"], in: "a slots rule")
        let pathNode = try node.required("path")
        let path = try parsePath(pathNode, prefix: prefix)
        var slotNodes: [EmitNode] = []
        var slotFields: [[Int]] = []
        let slotItems = try node.required("slots").items("`slots`")
        for (index, slot) in slotItems.enumerated() {
            let element = Trie()
            let first = rules.count
            try compileRules(
                try slot.items("a slot"), scope: .slot(parent: group, path: path, index: index, count: slotItems.count),
                group: group,
                trie: element, prefix: path.text + "[\(index)].")
            guard rules.count > first else { throw slot.error("a slot needs at least one rule") }
            slotNodes.append(element.emitNode())
            slotFields.append(rules[first...].map(\.field))
        }
        guard !slotNodes.isEmpty else { throw node.error("`slots` needs at least one slot") }
        let parent = try trie.parent(for: path.keys.map { String(decoding: $0, as: UTF8.self) }, at: pathNode)
        try parent.setLeaf(
            String(decoding: path.keys.last!, as: UTF8.self),
            .slots(group: group, slots: slotNodes, fields: slotFields), at: pathNode, path: path.text)
    }

    private mutating func compileRule(
        _ node: ConfigNode, scope: MappingRule.Scope, group: Int?, trie: Trie, prefix: String
    ) throws {
        try node.expectKeys(
            ["field", "path", "as", "codes", "const", "default", "omitEmpty", "required", "normalize"], in: "a rule")
        let fieldNode = try node.required("field")
        let id = try fieldNode.string("`field`")
        guard let field = layout.fieldIndex(id: id, group: group) else {
            let place = group.map { "group \(layout.groups[$0].name)" } ?? "the root of the layout"
            throw fieldNode.error("field \(id) is not in \(place) (\(layout.file))")
        }
        let spec = layout.fields[field]
        guard spec.role == .data else {
            throw fieldNode.error(
                "\(id) is computed when a message is written (a length, count or flag); remove this rule")
        }
        var transform = Transform.defaultFor(spec)
        if let asNode = node["as"] {
            transform = try parseTransform(asNode, field: spec)
        }
        if let codesNode = node["codes"] {
            transform = .codes(try codeTable(codesNode))
        }
        let path = try node["path"].map { try parsePath($0, prefix: prefix) }
        var constant: [UInt8]?
        if let constNode = node["const"] {
            constant = try wireConstant(constNode, field: spec)
        }
        guard path != nil || constant != nil else {
            throw node.error("a rule needs a `path` (where the value goes in the model) or a `const`")
        }
        var normalize: TextNormalization = []
        if let normalizeNode = node["normalize"] {
            guard case .text = transform else { throw normalizeNode.error("`normalize` applies to text values only") }
            for item in try normalizeNode.items("`normalize`") {
                let name = try item.string("a normalisation")
                guard let found = TextNormalization.names.first(where: { $0.0 == name }) else {
                    throw item.error("unknown normalisation `\(name)`; expected upperCase or removeSpacesAndDashes")
                }
                normalize.insert(found.1)
            }
        }
        let ruleIndex = rules.count
        rules.append(
            MappingRule(
                field: field, path: path, scope: scope, transform: transform,
                omitEmpty: try node["omitEmpty"]?.bool("`omitEmpty`") ?? transform.omitsEmptyByDefault,
                required: try node["required"]?.bool("`required`") ?? false, constant: constant,
                defaultValue: try node["default"].map { try literal($0, transform: transform) }, normalize: normalize,
                line: node.line))
        if case .codes(let table) = transform, let name = table.ambiguousName, notReversible == nil {
            notReversible = BridgeError(
                .notReversible,
                "code table \(table.name) gives the name \(name) to more than one code, so \(id) cannot be written back; move all but one of those codes to `aliases`",
                at: .init(file: file, line: node.line))
        }
        if fieldRule[field] != nil {
            if notReversible == nil {
                notReversible = BridgeError(
                    .notReversible,
                    "field \(id) is read by two rules, so writing it would be ambiguous",
                    at: .init(file: file, line: node.line))
            }
        } else {
            fieldRule[field] = ruleIndex
        }
        if let path {
            let parent = try trie.parent(for: path.keys.map { String(decoding: $0, as: UTF8.self) }, at: node)
            try parent.setLeaf(
                String(decoding: path.keys.last!, as: UTF8.self), .value(rule: ruleIndex), at: node,
                path: path.text)
        }
    }

    private func parsePath(_ node: ConfigNode, prefix: String) throws -> MappingRule.Path {
        let text = try node.string("`path`")
        let keys = text.split(separator: ".", omittingEmptySubsequences: false)
        guard !keys.isEmpty,
            keys.allSatisfy({
                !$0.isEmpty && $0.utf8.allSatisfy { $0.isASCIILetter || $0.isDigit || $0 == UInt8(ascii: "_") }
            })
        else {
            throw node.error("`\(text)` is not a model path; write keys separated by dots, e.g. patient.lastName")
        }
        if prefix.isEmpty, keys.first == "type" || keys.first == "schemaVersion" {
            throw node.error("`\(keys.first!)` is reserved for the model's header")
        }
        return .init(keys: keys.map { Array($0.utf8) }, text: prefix + text)
    }

    private func parseTransform(_ node: ConfigNode, field: LayoutField) throws -> Transform {
        let name = try node.string("`as`")
        let transform: Transform
        let fits: Bool
        switch name {
        case "text": (transform, fits) = (.text, field.type.isText || field.isVariable && !field.isEmbedded)
        case "digits": (transform, fits) = (.digits, field.type == .numeric)
        case "integer": (transform, fits) = (.integer, field.type == .numeric)
        case "money": (transform, fits) = (.money, field.type == .money)
        case "date": (transform, fits) = (.date, field.type == .date)
        case "embedded": (transform, fits) = (.embedded, field.isEmbedded)
        default:
            throw node.error("unknown transform `\(name)`; use text, digits, integer, money, date or embedded")
        }
        guard fits else {
            throw node.error("`as: \(name)` does not suit \(field.id), a field of type \(field.type.rawValue)")
        }
        return transform
    }

    private func codeTable(_ node: ConfigNode) throws -> CodeTable {
        if node.isMapping {
            return try CodeTable.parse(name: "inline table at line \(node.line)", node: node)
        }
        let name = try node.string("`codes`")
        guard let table = tables[name] else {
            let known = tables.keys.sorted().joined(separator: ", ")
            throw node.error("no code table named \(name); the tables are: \(known)")
        }
        return table
    }

    private func wireConstant(_ node: ConfigNode, field: LayoutField) throws -> [UInt8] {
        let text = try node.string("`const`")
        guard !field.isVariable, text.utf8.count <= field.width else {
            throw node.error("the constant does not fit \(field.id) (\(field.width) bytes)")
        }
        var bytes = Array(text.utf8)
        let padding = Array(repeating: field.type.padByte, count: field.width - bytes.count)
        bytes = field.type.isText ? bytes + padding : padding + bytes
        let valid = bytes.withUnsafeBufferPointer { field.type.check($0) == .valid }
        guard valid else { throw node.error("the constant is not valid for \(field.id): \(field.type.expectation)") }
        return bytes
    }

    private func literal(_ node: ConfigNode, transform: Transform) throws -> ModelLiteral {
        let text = try node.string("`default`")
        switch transform {
        case .integer, .money:
            if text.utf8.allSatisfy({ $0.isDigit || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }) {
                return .number(Array(text.utf8))
            }
            return .string(Array(text.utf8))
        default:
            return .string(Array(text.utf8))
        }
    }

    func finish(name: String, type: String, carrierRules: CarrierRules?) throws -> Mapping {
        var sources: [FieldSource] = []
        var checks: [(field: Int, bytes: [UInt8])] = []
        for (index, field) in layout.fields.enumerated() {
            if field.role != .data {
                sources.append(.derived)
            } else if field.isFiller {
                sources.append(.fill)
            } else if let rule = fieldRule[index] {
                if let constant = rules[rule].constant {
                    sources.append(.constant(constant))
                    if field.group == nil { checks.append((index, constant)) }
                } else {
                    sources.append(.rule(rule))
                }
            } else {
                sources.append(.fill)
            }
        }
        for (index, group) in layout.groups.enumerated() where !groupMapped[index] {
            throw BridgeError(
                .invalidConfiguration,
                "the layout's group \(group.name) is not mapped, so its data would be lost; add `- group: \(group.name)` with its rules",
                at: .init(file: file, line: 1))
        }
        return Mapping(
            name: name, file: file, type: type, layout: layout, rules: rules, emitPlan: rootTrie.emitNode(),
            fieldSources: sources, groupPaths: groupPaths, groupPresenceRules: groupPresenceRules,
            constantChecks: checks, notReversibleBecause: notReversible, carrierRules: carrierRules)
    }
}
