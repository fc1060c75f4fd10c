/// A validated, compiled mapping between one record layout and one model type.
///
/// Built once from a `*.mapping.yaml` file (see `Docs/mapping-language.md`); translation only walks the
/// compiled plans: ``emitPlan`` to write the model's JSON form from a decoded record, ``fieldSources`` to fill
/// each layout field from a model document.
package final class Mapping: Sendable {
    /// The mapping's name, e.g. `cdanet-v04-claim`.
    package let name: String
    package let file: String
    /// The model type, e.g. `claim`.
    package let type: String
    package let layout: RecordLayout
    package let rules: [MappingRule]
    /// The JSON shape written when reading a message.
    package let emitPlan: EmitNode
    /// For each layout field: where its value comes from when writing a message.
    package let fieldSources: [FieldSource]
    /// For each layout group: the model path of its array or object (nil for a group without a path).
    package let groupPaths: [MappingRule.Path?]
    /// For each conditional group without a path: the rules whose presence turns the block on.
    package let groupPresenceRules: [[Int]]
    /// Root fields whose wire value must equal a constant.
    package let constantChecks: [(field: Int, bytes: [UInt8])]
    /// Why the mapping cannot be used for writing, or nil when it can.
    package let notReversibleBecause: BridgeError?
    /// `{"schemaVersion":1,"type":"claim"` — the start of every object this mapping writes.
    package let headerBytes: [UInt8]
    /// The version of the model's JSON form.
    package static let schemaVersion = 1
    /// The plans as plain values, for translating.
    package let tables: MappingTables
    /// ``fieldSources`` as plain values, with constants in ``constantPool``.
    package let sourceTable: FlatTable<Source>
    package let constantPool: FlatTable<UInt8>
    /// ``groupPresenceRules`` as plain values: per group a range of `presenceRules`.
    package let presenceTable: FlatTable<PresenceRange>
    package let presenceRules: FlatTable<Int32>
    /// What a carrier checks in this transaction (`carrierRules:` in the mapping), or nil.
    package let carrierRules: CarrierRules?

    /// The rules that turn a conditional block without a path on.
    package struct PresenceRange: BitwiseCopyable {
        package var start: Int32
        package var count: Int32
    }

    /// Where a field's bytes come from, as a plain value.
    package struct Source: BitwiseCopyable {
        package enum Kind: UInt8, BitwiseCopyable { case fill, constant, rule, derived }
        package var kind: Kind
        package var start: Int32
        package var length: Int32
        package var rule: Int32
    }

    package init(
        name: String, file: String, type: String, layout: RecordLayout, rules: [MappingRule], emitPlan: EmitNode,
        fieldSources: [FieldSource], groupPaths: [MappingRule.Path?], groupPresenceRules: [[Int]],
        constantChecks: [(field: Int, bytes: [UInt8])], notReversibleBecause: BridgeError?,
        carrierRules: CarrierRules? = nil
    ) {
        self.carrierRules = carrierRules
        self.name = name
        self.file = file
        self.type = type
        self.layout = layout
        self.rules = rules
        self.emitPlan = emitPlan
        self.fieldSources = fieldSources
        self.groupPaths = groupPaths
        self.groupPresenceRules = groupPresenceRules
        self.constantChecks = constantChecks
        self.notReversibleBecause = notReversibleBecause
        var header = Array("{\"schemaVersion\":\(Mapping.schemaVersion),\"type\":".utf8)
        JSONWriter.appendString(Array(type.utf8)[...], to: &header)
        self.headerBytes = header
        self.tables = MappingTables(emitPlan: emitPlan, rules: rules, layout: layout)
        var pool: [UInt8] = []
        var sources: [Source] = []
        for source in fieldSources {
            switch source {
            case .fill: sources.append(Source(kind: .fill, start: 0, length: 0, rule: -1))
            case .derived: sources.append(Source(kind: .derived, start: 0, length: 0, rule: -1))
            case .rule(let rule): sources.append(Source(kind: .rule, start: 0, length: 0, rule: Int32(rule)))
            case .constant(let bytes):
                sources.append(Source(kind: .constant, start: Int32(pool.count), length: Int32(bytes.count), rule: -1))
                pool.append(contentsOf: bytes)
            }
        }
        self.sourceTable = FlatTable(sources)
        var ranges: [PresenceRange] = []
        var presence: [Int32] = []
        for (group, ruleList) in groupPresenceRules.enumerated() {
            let start = Int32(presence.count)
            if groupPaths[group] == nil { presence.append(contentsOf: ruleList.map(Int32.init)) }
            ranges.append(PresenceRange(start: start, count: Int32(presence.count) - start))
        }
        self.presenceTable = FlatTable(ranges)
        self.presenceRules = FlatTable(presence)
        self.constantPool = FlatTable(pool)
    }
}

/// One compiled rule: a field, a model path and a transform.
package struct MappingRule: Sendable {
    /// A model path split into keys, relative to the rule's scope.
    package struct Path: Sendable {
        package var keys: [[UInt8]]
        /// The full dotted path from the document root, for messages (`procedures[].fee`).
        package var text: String
    }

    /// Where a rule's path starts.
    package enum Scope: Sendable {
        case root
        /// The current element of a group's array (or the group's object).
        case group(Int)
        /// Slot `index` of `count` slots of the array at `path` (relative to `parent`).
        case slot(parent: Int?, path: Path, index: Int, count: Int)
    }

    package var field: Int
    package var path: Path?
    package var scope: Scope
    package var transform: Transform
    package var omitEmpty: Bool
    package var required: Bool
    /// The wire bytes this field must hold (already padded), if the rule is a constant.
    package var constant: [UInt8]?
    package var defaultValue: ModelLiteral?
    /// Changes made to a text value before it is written (`normalize:`).
    package var normalize: TextNormalization = []
    package var line: Int
}

/// Where a layout field's bytes come from when a message is written.
package enum FieldSource: Sendable {
    /// Spaces or zeros (unmapped) or the filler's fill byte.
    case fill
    /// Fixed wire bytes.
    case constant([UInt8])
    /// A mapping rule.
    case rule(Int)
    /// Computed: message length, a count, a flag or a length.
    case derived
}

/// The JSON shape written for a decoded message.
package indirect enum EmitNode: Sendable {
    /// An object; `always` keeps it even when every member is empty (a conditional block that is present).
    case object(members: [EmitMember], always: Bool)
    /// The value of a rule.
    case value(rule: Int)
    /// One element per instance of a repeating group.
    case array(group: Int, element: EmitNode)
    /// An object present when a conditional group is present.
    case conditional(group: Int, object: EmitNode)
    /// Slots, in order, as an array up to the last non-empty one (an empty slot before it keeps its place).
    case slots(group: Int?, slots: [EmitNode], fields: [[Int]])
}

/// A member of an emitted object.
package struct EmitMember: Sendable {
    /// The key as UTF-8.
    package var key: [UInt8]
    /// `"key":` ready to copy into the output.
    package var keyBytes: [UInt8]
    package var node: EmitNode
}
