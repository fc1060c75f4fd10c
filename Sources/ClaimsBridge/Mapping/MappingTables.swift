/// A compiled mapping as plain values: the JSON shape, the rules, the code tables and the byte pool they
/// point into. Reading walks ``nodes`` to write JSON; writing walks the model document against the same nodes
/// to find each rule's value. Built once per mapping.
package final class MappingTables: Sendable {
    package enum NodeKind: UInt8, BitwiseCopyable {
        case object, value, array, conditional, slots
    }

    /// One node of the JSON shape. Its children are `children[childStart..<childStart+childCount]`.
    /// Arrays and conditional blocks hold their element's members directly; slots hold one object per slot.
    /// Fields are as narrow as they can be, so a node fits in one cache line.
    package struct Node: BitwiseCopyable {
        package var kind: NodeKind
        /// Kept even when empty (a conditional block that is present).
        package var always: Bool
        package var transform: TransformKind = .text
        package var omitEmpty: Bool = false
        /// `,"key":` in the pool (length 0 for the root and slot objects); the key alone starts one byte later.
        package var keyStart: UInt32
        package var keyLength: UInt16
        /// The bare key in the pool, for matching model documents.
        package var nameLength: UInt16
        package var nameStart: UInt32
        package var childStart: UInt32
        package var childCount: UInt16
        package var group: Int16
        package var rule: Int16
        /// The code table of a value, or -1.
        package var table: Int16 = -1
        /// For slot objects: their fields in `slotFields`, to tell an empty slot.
        package var slotFieldStart: UInt16
        package var slotFieldCount: UInt16
        /// For values, copied from the rule and layout so reading touches one record: the field, its group
        /// (-1 at the root), its position in the group and the group's field count.
        package var field: UInt16 = 0
        package var fieldGroup: Int16 = -1
        package var fieldInGroup: UInt16 = 0
        package var groupFieldCount: UInt16 = 0
    }

    package enum TransformKind: UInt8, BitwiseCopyable {
        case text, digits, integer, money, date, codes, embedded
    }

    package struct Rule: BitwiseCopyable {
        package var field: Int32
        package var transform: TransformKind
        /// The code table, or -1.
        package var table: Int32
        package var omitEmpty: Bool
        package var required: Bool
        /// Whether the mapping gives a `default:` value.
        package var hasDefault: Bool
        /// Changes made to a text value before it is written.
        package var normalize: TextNormalization
        /// Where the rule's value token is kept while a model document is written: `valueBase + instance`.
        package var valueBase: Int32
    }

    package struct Table: BitwiseCopyable {
        package var entryStart: Int32
        package var entryCount: Int32
        /// Aliases follow the entries: `entryStart + entryCount ..< + aliasCount`.
        package var aliasCount: Int32
    }

    package struct Entry: BitwiseCopyable {
        package var codeStart: Int32
        package var codeLength: Int32
        package var nameStart: Int32
        package var nameLength: Int32
        /// The name as a JSON string, quotes included.
        package var jsonStart: Int32
        package var jsonLength: Int32
        /// For an alias: the canonical entry (absolute index); for an entry: itself.
        package var canonical: Int32
    }

    package let nodes: FlatTable<Node>
    package let children: FlatTable<Int32>
    package let rules: FlatTable<Rule>
    package let tables: FlatTable<Table>
    package let entries: FlatTable<Entry>
    package let slotFields: FlatTable<Int32>
    package let pool: FlatTable<UInt8>
    /// The root object node.
    package let root: Int
    /// Value slots needed to write one document.
    package let valueCount: Int
    /// The code tables by index, for messages.
    package let codeTables: [CodeTable]

    init(emitPlan: EmitNode, rules mappingRules: [MappingRule], layout: RecordLayout) {
        var builder = Builder()
        var codeTables: [CodeTable] = []
        var tableIndex: [String: Int32] = [:]
        var valueBase: Int32 = 0
        for rule in mappingRules {
            var table: Int32 = -1
            let kind: TransformKind
            switch rule.transform {
            case .text: kind = .text
            case .digits: kind = .digits
            case .integer: kind = .integer
            case .money: kind = .money
            case .date: kind = .date
            case .embedded: kind = .embedded
            case .codes(let codeTable):
                kind = .codes
                let key = "\(codeTable.file):\(codeTable.line):\(codeTable.name)"
                if let known = tableIndex[key] {
                    table = known
                } else {
                    table = Int32(codeTables.count)
                    tableIndex[key] = table
                    codeTables.append(codeTable)
                    builder.addTable(codeTable)
                }
            }
            let group = layout.fields[rule.field].group
            builder.rules.append(
                Rule(
                    field: Int32(rule.field), transform: kind, table: table, omitEmpty: rule.omitEmpty,
                    required: rule.required, hasDefault: rule.defaultValue != nil, normalize: rule.normalize,
                    valueBase: valueBase))
            valueBase += Int32(group.map { layout.groups[$0].maximumCount } ?? 1)
        }
        let root = builder.add(emitPlan, key: nil)
        for index in builder.nodes.indices where builder.nodes[index].kind == .value {
            let rule = builder.rules[Int(builder.nodes[index].rule)]
            builder.nodes[index].field = UInt16(rule.field)
            builder.nodes[index].transform = rule.transform
            builder.nodes[index].omitEmpty = rule.omitEmpty
            builder.nodes[index].table = Int16(rule.table)
            if let group = layout.fields[Int(rule.field)].group {
                builder.nodes[index].fieldGroup = Int16(group)
                builder.nodes[index].fieldInGroup = UInt16(Int(rule.field) - layout.groups[group].fields.lowerBound)
                builder.nodes[index].groupFieldCount = UInt16(layout.groups[group].fields.count)
            }
        }
        nodes = FlatTable(builder.nodes)
        children = FlatTable(builder.children)
        rules = FlatTable(builder.rules)
        tables = FlatTable(builder.tables)
        entries = FlatTable(builder.entries)
        slotFields = FlatTable(builder.slotFields)
        pool = FlatTable(builder.pool)
        self.root = root
        self.valueCount = Int(valueBase)
        self.codeTables = codeTables
    }

    /// Whether pool bytes at `start` equal `bytes`.
    @inline(__always)
    package func poolEquals<Start: BinaryInteger, Length: BinaryInteger>(
        _ start: Start, _ length: Length, _ bytes: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        let count = Int(length)
        guard count == bytes.count else { return false }
        guard let address = bytes.baseAddress, count > 0 else { return true }
        let known = pool.base + Int(start)
        if count >= 8 {
            // Keys are short: compare the first and last eight bytes, then anything between.
            let raw = UnsafeRawPointer(known)
            let other = UnsafeRawPointer(address)
            guard raw.loadUnaligned(as: UInt64.self) == other.loadUnaligned(as: UInt64.self),
                raw.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
                    == other.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
            else { return false }
            return count <= 16 || memcmp(known + 8, address + 8, count &- 16) == 0
        }
        var at = 0
        while at < count && known[at] == address[at] { at &+= 1 }
        return at == count
    }

    /// The bare key of a node, for messages.
    package func name(of node: Int) -> String {
        let spec = nodes[node]
        return String(
            decoding: UnsafeBufferPointer(start: pool.base + Int(spec.nameStart), count: Int(spec.nameLength)),
            as: UTF8.self)
    }

    private struct Builder {
        var nodes: [Node] = []
        var children: [Int32] = []
        var rules: [Rule] = []
        var tables: [Table] = []
        var entries: [Entry] = []
        var slotFields: [Int32] = []
        var pool: [UInt8] = []

        mutating func bytes(_ bytes: [UInt8]) -> (Int32, Int32) {
            let start = Int32(pool.count)
            pool.append(contentsOf: bytes)
            return (start, Int32(bytes.count))
        }

        mutating func addTable(_ table: CodeTable) {
            let first = Int32(entries.count)
            for entry in table.entries {
                let code = bytes(entry.code)
                let name = bytes(entry.name)
                var quoted: [UInt8] = []
                JSONWriter.appendString(entry.name[...], to: &quoted)
                let json = bytes(quoted)
                entries.append(
                    Entry(
                        codeStart: code.0, codeLength: code.1, nameStart: name.0, nameLength: name.1,
                        jsonStart: json.0, jsonLength: json.1, canonical: Int32(entries.count)))
            }
            for alias in table.aliases {
                let code = bytes(alias.code)
                let canonical = entries[Int(first) + alias.entry]
                entries.append(
                    Entry(
                        codeStart: code.0, codeLength: code.1, nameStart: canonical.nameStart,
                        nameLength: canonical.nameLength, jsonStart: canonical.jsonStart,
                        jsonLength: canonical.jsonLength, canonical: first + Int32(alias.entry)))
            }
            tables.append(
                Table(entryStart: first, entryCount: Int32(table.entries.count), aliasCount: Int32(table.aliases.count))
            )
        }

        /// Adds a node and its subtree; returns its index.
        mutating func add(_ node: EmitNode, key: EmitMember?, slotFields fields: [Int]? = nil) -> Int {
            let index = nodes.count
            let keyBytes = key.map { bytes([UInt8(ascii: ",")] + $0.keyBytes) } ?? (0, 0)
            let name = key.map { bytes($0.key) } ?? (0, 0)
            let slot =
                fields.map { list -> (UInt16, UInt16) in
                    let start = UInt16(slotFields.count)
                    slotFields.append(contentsOf: list.map(Int32.init))
                    return (start, UInt16(list.count))
                } ?? (0, 0)
            nodes.append(
                Node(
                    kind: .object, always: false, keyStart: UInt32(keyBytes.0), keyLength: UInt16(keyBytes.1),
                    nameLength: UInt16(name.1), nameStart: UInt32(name.0), childStart: 0, childCount: 0, group: -1,
                    rule: -1, slotFieldStart: slot.0, slotFieldCount: slot.1))
            var childIndices: [Int32] = []
            switch node {
            case .object(let members, let always):
                nodes[index].always = always
                childIndices = members.map { Int32(add($0.node, key: $0)) }
            case .value(let rule):
                nodes[index].kind = .value
                nodes[index].rule = Int16(rule)
            case .array(let group, let element):
                nodes[index].kind = .array
                nodes[index].group = Int16(group)
                if case .object(let members, _) = element {
                    childIndices = members.map { Int32(add($0.node, key: $0)) }
                }
            case .conditional(let group, let object):
                nodes[index].kind = .conditional
                nodes[index].group = Int16(group)
                nodes[index].always = true
                if case .object(let members, _) = object { childIndices = members.map { Int32(add($0.node, key: $0)) } }
            case .slots(let group, let slots, let fields):
                nodes[index].kind = .slots
                nodes[index].group = Int16(group ?? -1)
                childIndices = slots.enumerated().map {
                    Int32(add($0.element, key: nil, slotFields: fields[$0.offset]))
                }
            }
            nodes[index].childStart = UInt32(children.count)
            nodes[index].childCount = UInt16(childIndices.count)
            children.append(contentsOf: childIndices)
            return index
        }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
