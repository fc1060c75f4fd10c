import Foundation

extension CarrierRules {
    /// Compiles the section of a rules file for `layout`'s transaction; nil when the file has none for it.
    /// - Throws: ``BridgeError`` (`invalidConfiguration`) with `file:line`: an unknown key, field, set or list,
    ///   a range of unequal widths, or a rule without a CDAnet error code.
    package static func load(_ root: ConfigNode, for layout: RecordLayout) throws -> CarrierRules? {
        try root.expectKeys(["rules", "labels", "sets", "fieldCodes", "lists", "transactions"], in: "a rules file")
        guard
            let section = try root.required("transactions").entries("`transactions`")
                .first(where: { $0.key == layout.transaction })?.value
        else { return nil }
        var compiler = try CarrierRuleCompiler(root: root, layout: layout)
        let lists = try root["lists"]?.entries("`lists`") ?? []
        for item in try section.items("a transaction's rules") {
            guard let name = item.scalar else {
                try compiler.compile(item)
                continue
            }
            guard let list = lists.first(where: { $0.key == name })?.value else {
                throw item.error("there is no list `\(name)` under `lists`")
            }
            for rule in try list.items("`\(name)`") { try compiler.compile(rule) }
        }
        return CarrierRules(
            file: root.file, name: try root.required("rules").string("`rules`"), checks: compiler.checks,
            ranges: compiler.ranges, pool: compiler.pool, details: compiler.details, fieldCodes: compiler.fieldCodes,
            groupLabels: compiler.groupLabels, layout: layout)
    }
}

/// Turns rule items into checks for one layout.
private struct CarrierRuleCompiler {
    let layout: RecordLayout
    let sets: [String: ConfigNode]
    var checks: [CarrierRules.Check] = []
    var ranges: [CarrierRules.ValueRange] = []
    var pool: [UInt8] = []
    var details: [CarrierRules.Detail] = []
    var fieldCodes: [String?]
    var groupLabels: [String]

    init(root: ConfigNode, layout: RecordLayout) throws {
        self.layout = layout
        var sets: [String: ConfigNode] = [:]
        for entry in try root["sets"]?.entries("`sets`") ?? [] { sets[entry.key] = entry.value }
        self.sets = sets
        fieldCodes = Array(repeating: nil, count: layout.fields.count)
        for entry in try root["fieldCodes"]?.entries("`fieldCodes`") ?? [] {
            let code = try entry.value.string("a CDAnet error code")
            guard code.count == 3, code.utf8.allSatisfy(\.isDigit) else {
                throw entry.value.error("a CDAnet error code has three digits, e.g. \"032\"")
            }
            for (index, field) in layout.fields.enumerated() where field.id == entry.key { fieldCodes[index] = code }
        }
        var labels = layout.groups.map(\.name)
        for entry in try root["labels"]?.entries("`labels`") ?? [] {
            if let group = layout.groupIndex(name: entry.key) { labels[group] = try entry.value.string("a label") }
        }
        groupLabels = labels
    }

    private static let checkKeys: [(String, CarrierRules.Kind)] = [
        ("required", .required), ("in", .values), ("letters", .letters), ("pattern", .pattern),
        ("notAfter", .notAfterToday), ("sequence", .sequence), ("minimum", .minimum), ("upperCase", .upperCase),
    ]

    mutating func compile(_ node: ConfigNode) throws {
        try node.expectKeys(
            [
                "field", "required", "in", "letters", "pattern", "notAfter", "sequence", "minimum", "when", "code",
                "says", "zeroIsAValue", "upperCase",
            ],
            in: "a rule")
        if let list = node["required"], list.scalar == nil {
            guard node["field"] == nil else { throw list.error("`required` is a list of fields, or true with `field`") }
            for item in try list.items("`required`") {
                let field = try fieldIndex(item)
                try add(.required, field: field, node: node, at: item, argument: -1, set: (0, 0), allowed: "")
            }
            return
        }
        let found = Self.checkKeys.filter { node[$0.0] != nil }
        guard found.count == 1, let (key, declared) = found.first, let value = node[key] else {
            throw node.error(
                "a rule needs exactly one of `required`, `in`, `letters`, `pattern`, `notAfter`, `sequence`, `minimum`, `upperCase`"
            )
        }
        let field = try fieldIndex(try node.required("field"))
        var kind = declared
        var argument: Int32 = -1
        var set: (Int32, Int32) = (0, 0)
        var allowed = ""
        switch declared {
        case .required, .sequence, .upperCase:
            guard try value.bool("`\(key)`") else { throw value.error("`\(key)` can only be true") }
            if try node["zeroIsAValue"]?.bool("`zeroIsAValue`") ?? false { argument = 1 }
        case .values:
            (set, allowed) = try valueSet(value)
        case .letters:
            let letters = Array(try value.string("`letters`").utf8)
            set = (Int32(pool.count), Int32(letters.count))
            pool += letters
            allowed = String(decoding: letters, as: UTF8.self)
        case .pattern:
            let start = ranges.count
            var shown: [String] = []
            for item in value.scalar != nil ? [value] : try value.items("`pattern`") {
                let text = try item.string("a pattern")
                ranges.append(.init(low: UInt64(pool.count), high: UInt64(text.utf8.count), length: 0))
                pool += Array(text.utf8)
                shown.append(text)
            }
            set = (Int32(start), Int32(ranges.count - start))
            allowed = shown.joined(separator: " or ")
        case .notAfterToday:
            let other = try value.string("`notAfter`")
            if other != "today" {
                kind = .notAfterField
                argument = Int32(try fieldIndex(value))
            }
        case .minimum:
            argument = Int32(try value.int("`minimum`"))
            allowed = String(argument)
        case .notAfterField:
            break
        }
        try add(kind, field: field, node: node, at: node, argument: argument, set: set, allowed: allowed)
    }

    private mutating func add(
        _ kind: CarrierRules.Kind, field: Int, node: ConfigNode, at place: ConfigNode, argument: Int32,
        set: (Int32, Int32), allowed: String
    ) throws {
        var check = CarrierRules.Check(
            kind: kind, condition: .always, field: Int32(field), group: -1, argument: argument, setStart: set.0,
            setCount: set.1, conditionField: -1, conditionSetStart: 0, conditionSetCount: 0,
            detail: Int32(details.count))
        var grouped: [Int] = [field]
        if kind == .notAfterField { grouped.append(Int(argument)) }
        if let when = node["when"] {
            try when.expectKeys(["field", "in", "notIn", "present", "absent"], in: "`when`")
            if let present = when["present"] {
                check.condition = .present
                check.conditionField = Int32(try fieldIndex(present))
            } else if let absent = when["absent"] {
                check.condition = .absent
                check.conditionField = Int32(try fieldIndex(absent))
            } else {
                check.conditionField = Int32(try fieldIndex(try when.required("field")))
                let list = when["in"] ?? when["notIn"]
                guard let list else { throw when.error("`when` needs `in`, `notIn`, `present` or `absent`") }
                check.condition = when["in"] != nil ? .valueIn : .valueNotIn
                let (conditionSet, _) = try valueSet(list)
                check.conditionSetStart = conditionSet.0
                check.conditionSetCount = conditionSet.1
            }
            grouped.append(Int(check.conditionField))
        }
        let groups = Set(grouped.compactMap { layout.fields[$0].group })
        guard groups.count <= 1 else {
            throw node.error("a rule can only relate fields of one group (or of a group and the root)")
        }
        check.group = Int32(groups.first ?? -1)
        if kind == .sequence && check.group < 0 { throw node.error("`sequence` needs a field of a group") }
        let code = try node["code"]?.string("`code`") ?? fieldCodes[field]
        guard let code, code.count == 3, code.utf8.allSatisfy(\.isDigit) else {
            throw place.error(
                "no CDAnet error code for \(layout.fields[field].id): add it under `fieldCodes` or give `code`")
        }
        let says = try node["says"]?.string("`says`") ?? Self.defaultSentence(kind)
        details.append(
            .init(
                cdanetCode: code, problem: Self.problemCode(kind), says: says, allowed: allowed,
                source: "\((node.file as NSString).lastPathComponent):\(place.line)"))
        checks.append(check)
    }

    private func fieldIndex(_ node: ConfigNode) throws -> Int {
        let id = try node.string("a field ID")
        guard let index = layout.fields.firstIndex(where: { $0.id == id }) else {
            throw node.error("the field \(id) is not in the layout \(layout.name)")
        }
        return index
    }

    /// A list of values and `low-high` ranges (or a set's name) as packed ranges.
    private mutating func valueSet(_ node: ConfigNode) throws -> ((Int32, Int32), String) {
        let start = ranges.count
        var shown: [String] = []
        func addItems(_ node: ConfigNode) throws {
            if let name = node.scalar {
                guard let set = sets[name] else { throw node.error("there is no set `\(name)` under `sets`") }
                return try addItems(set)
            }
            for item in try node.items("a set of values") {
                let text = try item.string("a value")
                if let set = sets[text] {
                    try addItems(set)
                    continue
                }
                let parts = text.count > 2 && text.contains("-") ? text.split(separator: "-").map(String.init) : [text]
                guard parts.count <= 2, let low = CarrierRules.ValueRange.pack(parts[0].utf8),
                    let high = CarrierRules.ValueRange.pack(parts[parts.count - 1].utf8),
                    parts[0].utf8.count == parts[parts.count - 1].utf8.count, low <= high
                else {
                    throw item.error("`\(text)` is not a value or a range of equal-width values such as 11-18")
                }
                ranges.append(.init(low: low, high: high, length: Int32(parts[0].utf8.count)))
                shown.append(text)
            }
        }
        try addItems(node)
        // Sorted by width, then value, so that checking is a binary search.
        ranges[start...].sort { ($0.length, $0.low) < ($1.length, $1.low) }
        return ((Int32(start), Int32(ranges.count - start)), shown.joined(separator: ", "))
    }

    private static func problemCode(_ kind: CarrierRules.Kind) -> BridgeError.Code {
        switch kind {
        case .required, .minimum: .missingValue
        case .values, .letters, .pattern, .upperCase: .notAccepted
        case .notAfterToday: .dateInFuture
        case .notAfterField: .datesOutOfOrder
        case .sequence: .lineNumbering
        }
    }

    private static func defaultSentence(_ kind: CarrierRules.Kind) -> String {
        switch kind {
        case .required: "{name} is missing"
        case .values: "{name} {value} is not accepted by carriers; it must be one of {allowed}"
        case .letters: "{name} {value} is not accepted: use the letters {allowed}, each at most once, from the left"
        case .pattern: "{name} {value} is not in the form {allowed} (A a capital letter, 9 a digit)"
        case .notAfterToday: "{name} {value} is in the future"
        case .notAfterField: "{name} {value} is after {otherName} {other}"
        case .sequence: "{name} is {value}; lines must be numbered 1, 2, 3… in order, without gaps or repeats"
        case .minimum: "{name} is {value}; at least {allowed} needed"
        case .upperCase: "{name} {value} must be in capitals"
        }
    }
}

extension BridgeError.Code {
    /// A claim a carrier would reject, with one or more ``CarrierProblem``s.
    public static let carrierWouldReject = BridgeError.Code("carrierWouldReject")
    /// A value outside the values, letters or form a carrier accepts.
    public static let notAccepted = BridgeError.Code("notAccepted")
    public static let dateInFuture = BridgeError.Code("dateInFuture")
    /// Two dates in the wrong order, e.g. a birth after the service.
    public static let datesOutOfOrder = BridgeError.Code("datesOutOfOrder")
    /// Procedure lines not numbered 1, 2, 3….
    public static let lineNumbering = BridgeError.Code("lineNumbering")
}
