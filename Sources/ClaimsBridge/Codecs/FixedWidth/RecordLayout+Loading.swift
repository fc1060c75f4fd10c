import Foundation

extension RecordLayout {
    /// Loads a layout file and the field dictionary it names.
    /// - Parameters:
    ///   - path: the `*.layout.yaml` file.
    ///   - dictionaries: a cache of dictionaries already loaded, keyed by path.
    /// - Throws: ``BridgeError`` (`invalidConfiguration`) with `file:line` for the first problem found.
    package static func load(path: String, dictionaries: inout [String: FieldDictionary]) throws -> RecordLayout {
        let root = try ConfigNode.load(path: path)
        try root.expectKeys(
            [
                "layout", "version", "transaction", "name", "direction", "dictionary", "lengthField", "fixedLength",
                "fields", "answers", "unsolicited", "sequence",
            ],
            in: "a layout")
        let folder = (path as NSString).deletingLastPathComponent
        let dictionaryPath = (folder as NSString).appendingPathComponent(
            try root.required("dictionary").string("`dictionary`"))
        let dictionary: FieldDictionary
        if let cached = dictionaries[dictionaryPath] {
            dictionary = cached
        } else {
            dictionary = try FieldDictionary.load(path: dictionaryPath)
            dictionaries[dictionaryPath] = dictionary
        }
        let directionNode = try root.required("direction")
        let direction = try directionNode.string("`direction`")
        guard direction == "request" || direction == "response" else {
            throw directionNode.error("`direction` must be request or response")
        }
        let versionNode = try root.required("version")
        let transactionNode = try root.required("transaction")
        let version = try versionNode.string("`version`")
        let transaction = try transactionNode.string("`transaction`")
        guard version.utf8.count == 2, version.utf8.allSatisfy(\.isDigit) else {
            throw versionNode.error("`version` must be two digits, e.g. \"04\"")
        }
        guard transaction.utf8.count == 2, transaction.utf8.allSatisfy(\.isDigit) else {
            throw transactionNode.error("`transaction` must be two digits, e.g. \"01\"")
        }

        var builder = LayoutBuilder(dictionary: dictionary)
        for item in try root.required("fields").items("`fields`") {
            try builder.add(item)
        }
        let lengthNode = try root.required("lengthField")
        let lengthID = try lengthNode.string("`lengthField`")
        guard let lengthField = builder.fields.firstIndex(where: { $0.id == lengthID && $0.group == nil }) else {
            throw lengthNode.error("the length field \(lengthID) is not a field of this layout")
        }
        var offset = 0
        for item in builder.items {
            guard case .field(let index) = item, !builder.fields[index].isVariable else {
                throw lengthNode.error("the length field \(lengthID) must come before any group or variable field")
            }
            if index == lengthField { break }
            offset += builder.fields[index].width
        }
        guard builder.fields[lengthField].type == .numeric else {
            throw lengthNode.error("the length field \(lengthID) must be numeric")
        }
        builder.fields[lengthField].role = .messageLength
        if let fixedNode = root["fixedLength"] {
            let stated = try fixedNode.int("`fixedLength`")
            let isFixed = builder.groups.isEmpty && !builder.fields.contains(where: \.isVariable)
            guard isFixed else {
                throw fixedNode.error("`fixedLength` suits only layouts without groups or variable fields")
            }
            let total = builder.minimumLength()
            guard total == stated else {
                throw fixedNode.error(
                    "the field widths add up to \(total) bytes, not the stated fixed length \(stated); check the widths and fillers"
                )
            }
        }
        guard offset >= 22 else {
            throw lengthNode.error("the length field must come after the version and transaction code (offset 22)")
        }
        let correlation = try TransactionCorrelation.load(
            root, isRequest: direction == "request", fields: builder.fields)
        return RecordLayout(
            name: try root.required("layout").string("`layout`"), file: path, version: version,
            transaction: transaction, title: try root.required("name").string("`name`"),
            isRequest: direction == "request", fields: builder.fields, groups: builder.groups,
            items: builder.items, lengthField: lengthField, lengthFieldOffset: offset,
            minimumLength: builder.minimumLength(), correlation: correlation)
    }
}

/// Collects fields and groups while a layout file is read.
private struct LayoutBuilder {
    let dictionary: FieldDictionary
    var fields: [LayoutField] = []
    var groups: [LayoutGroup] = []
    var items: [LayoutItem] = []

    init(dictionary: FieldDictionary) { self.dictionary = dictionary }

    mutating func add(_ node: ConfigNode) throws {
        if let group = node["group"] {
            try addGroup(node, nameNode: group)
        } else {
            let index = try addField(node, group: nil)
            items.append(.field(index))
        }
    }

    private mutating func addGroup(_ node: ConfigNode, nameNode: ConfigNode) throws {
        try node.expectKeys(["group", "if", "repeat", "min", "max", "fields"], in: "a group")
        let name = try nameNode.string("`group`")
        guard !groups.contains(where: { $0.name == name }) else {
            throw nameNode.error("group \(name) is declared twice")
        }
        let groupIndex = groups.count
        let kind: LayoutGroup.Kind
        let controlNode: ConfigNode
        if let flag = node["if"] {
            guard node["repeat"] == nil else { throw node.error("a group has either `if` or `repeat`, not both") }
            kind = .conditional
            controlNode = flag
        } else if let count = node["repeat"] {
            let minimum = try node["min"]?.int("`min`") ?? 0
            let maximum = try node.required("max").int("`max`")
            guard minimum >= 0, maximum >= minimum else {
                throw node.error("`min` must be 0 or more and not above `max`")
            }
            kind = .repeating(minimum: minimum, maximum: maximum)
            controlNode = count
        } else {
            throw node.error("a group needs `if: FIELD` (present when FIELD is 1) or `repeat: FIELD` (a count)")
        }
        let controlID = try controlNode.string("the control field")
        guard let control = fields.lastIndex(where: { $0.id == controlID && $0.group == nil }) else {
            throw controlNode.error("\(controlID) must be a field that comes earlier in the layout")
        }
        guard fields[control].role == .data, fields[control].type == .numeric, !fields[control].isVariable else {
            throw controlNode.error("\(controlID) must be a numeric field not already used as a count, flag or length")
        }
        if case .repeating(_, let maximum) = kind {
            let capacity = Self.power10(fields[control].width) - 1
            guard maximum <= capacity else {
                throw node.error("`max` \(maximum) does not fit in \(controlID) (\(fields[control].width) digits)")
            }
        }
        fields[control].role = kind == .conditional ? .flag(group: groupIndex) : .count(group: groupIndex)
        let first = fields.count
        groups.append(LayoutGroup(name: name, kind: kind, control: control, fields: first..<first, line: node.line))
        for item in try node.required("fields").items("`fields`") {
            guard item["group"] == nil else { throw item.error("groups cannot be nested") }
            _ = try addField(item, group: groupIndex)
        }
        guard fields.count > first else { throw node.error("group \(name) has no fields") }
        groups[groupIndex].fields = first..<fields.count
        items.append(.group(groupIndex))
    }

    private mutating func addField(_ node: ConfigNode, group: Int?) throws -> Int {
        if let id = node.scalar {
            return try append(id: id, node: node, group: group, width: nil, lengthFrom: nil, embedded: false)
        }
        if let filler = node["filler"] {
            try node.expectKeys(["filler", "fill"], in: "a filler")
            let width = try filler.int("`filler`")
            let fillText = try node["fill"]?.string("`fill`") ?? " "
            guard width > 0, fillText.utf8.count == 1, let fill = fillText.utf8.first else {
                throw node.error("a filler needs a positive width and a one-character `fill`")
            }
            fields.append(
                LayoutField(
                    id: "filler", name: "Reserved", width: width, type: fill.isDigit ? .numeric : .alphanumeric,
                    isPersonal: false, isFiller: true, fill: fill, group: group, lengthSource: nil,
                    isEmbedded: false, role: .data, line: node.line))
            return fields.count - 1
        }
        try node.expectKeys(["id", "width", "lengthFrom", "embedded"], in: "a field")
        let id = try node.required("id").string("`id`")
        return try append(
            id: id, node: node, group: group, width: try node["width"]?.int("`width`"),
            lengthFrom: node["lengthFrom"], embedded: try node["embedded"]?.bool("`embedded`") ?? false)
    }

    private mutating func append(
        id: String, node: ConfigNode, group: Int?, width override: Int?, lengthFrom: ConfigNode?, embedded: Bool
    ) throws -> Int {
        guard let definition = dictionary.definitions[id] else {
            throw node.error("field \(id) is not in the dictionary \(dictionary.file)")
        }
        guard !fields.contains(where: { $0.id == id && $0.group == group }) else {
            throw node.error("field \(id) appears twice at the same level")
        }
        let index = fields.count
        var lengthSource: Int?
        var width = override ?? definition.width ?? -1
        if let lengthFrom {
            let sourceID = try lengthFrom.string("`lengthFrom`")
            guard
                let source = fields.lastIndex(where: {
                    $0.id == sourceID && ($0.group == nil || $0.group == group)
                })
            else {
                throw lengthFrom.error(
                    "\(sourceID) must be a field that comes earlier (at the root or in the same group)")
            }
            guard fields[source].role == .data, fields[source].type == .numeric else {
                throw lengthFrom.error(
                    "\(sourceID) must be a numeric field not already used as a count, flag or length")
            }
            fields[source].role = .length(of: index)
            lengthSource = source
            width = -1
        } else if width < 0 {
            throw node.error("\(id) has a variable width; say which field holds its length with `lengthFrom`")
        }
        if embedded && lengthSource == nil { throw node.error("an embedded message needs `lengthFrom`") }
        fields.append(
            LayoutField(
                id: id, name: definition.name, width: width, type: definition.type,
                isPersonal: definition.isPersonal, isFiller: false, fill: definition.type.padByte, group: group,
                lengthSource: lengthSource, isEmbedded: embedded, role: .data, line: node.line))
        return index
    }

    func minimumLength() -> Int {
        var total = 0
        for item in items {
            switch item {
            case .field(let index): total += max(fields[index].width, 0)
            case .group(let index):
                if case .repeating(let minimum, _) = groups[index].kind {
                    total += minimum * groups[index].fields.reduce(0) { $0 + max(fields[$1].width, 0) }
                }
            }
        }
        return total
    }

    static func power10(_ exponent: Int) -> Int {
        (0..<min(exponent, 18)).reduce(1) { value, _ in value * 10 }
    }
}
