import Foundation

extension TreeMapping {
    /// Loads and compiles a tree mapping file (`format: xml` or `format: json`).
    ///
    /// ```swift
    /// let ramq = try TreeMapping.load(path: "Mappings/ramq/claim.mapping.yaml")
    /// ```
    /// - Throws: ``BridgeError`` (`invalidConfiguration`) with the file and line of the first problem.
    public static func load(path: String) throws -> TreeMapping {
        let root = try ConfigNode.load(path: path)
        try root.expectKeys(
            [
                "mapping", "format", "type", "codes", "schema", "document", "parameters", "record", "provisional",
                "carrierRules",
            ],
            in: "a tree mapping")
        let folder = (path as NSString).deletingLastPathComponent
        func relative(_ name: String) -> String {
            name.hasPrefix("/") ? name : (folder as NSString).appendingPathComponent(name)
        }
        let formatNode = try root.required("format")
        guard let format = Format(rawValue: try formatNode.string("`format`")) else {
            throw formatNode.error("`format` must be xml or json")
        }
        var tables: [String: CodeTable] = [:]
        if let codes = root["codes"] { tables = try CodeTable.loadFile(path: relative(try codes.string("`codes`"))) }
        let schemaPath = try root["schema"].map { relative(try $0.string("`schema`")) }
        if let schemaPath, !FileManager.default.fileExists(atPath: schemaPath) {
            throw root["schema"]!.error("the schema file \(schemaPath) does not exist")
        }
        var parameters: [Parameter] = []
        for entry in try root["parameters"]?.entries("`parameters`") ?? [] {
            try entry.value.expectKeys(["default", "about"], in: "parameter \(entry.key)")
            parameters.append(
                Parameter(
                    name: entry.key, defaultValue: try entry.value["default"]?.string("`default`"),
                    about: try entry.value["about"]?.string("`about`") ?? entry.key, line: entry.keyNode.line))
        }
        let compiler = RuleCompiler(
            format: format, tables: tables, parameters: Set(parameters.map(\.name)), folder: folder)
        var rootName: String?
        var rootNamespace = ""
        var recordName: String?
        var jsonRecordsKey: String?
        if let document = root["document"] {
            try document.expectKeys(["root", "namespace", "record", "records"], in: "`document`")
            rootName = try document["root"]?.string("`root`")
            rootNamespace = try document["namespace"]?.string("`namespace`") ?? ""
            recordName = try document["record"]?.string("`record`")
            jsonRecordsKey = try document["records"]?.string("`records`")
        }
        if format == .xml && rootName == nil { throw root.error("an xml mapping needs `document: {root: NAME}`") }
        let recordNode = try root.required("record")
        let record = ElementRule(
            name: recordName ?? rootName ?? "record", namespace: recordName == nil ? rootNamespace : "", path: nil,
            repeats: false, when: nil, required: true, values: [], children: [], then: [],
            line: recordNode.line)
        var compiled = record
        try compiler.compileRules(recordNode, into: &compiled)
        var mapping = TreeMapping(
            name: try root.required("mapping").string("`mapping`"), file: path, format: format,
            modelType: try root["type"]?.string("`type`"), schemaPath: schemaPath, rootName: rootName,
            rootNamespace: rootNamespace, recordName: recordName, jsonRecordsKey: jsonRecordsKey,
            parameters: parameters, record: compiled)
        if let rulesNode = root["carrierRules"] {
            mapping.carrierRules = try TreeRules.load(
                path: relative(try rulesNode.string("`carrierRules`")), for: mapping)
        }
        return mapping
    }
}

/// Turns the YAML rules of a tree mapping into ``TreeMapping/ElementRule`` and ``TreeMapping/ValueRule`` values.
private struct RuleCompiler {
    let format: TreeMapping.Format
    let tables: [String: CodeTable]
    let parameters: Set<String>
    let folder: String

    static let valueKeys: Set<String> = [
        "attribute", "key", "text", "path", "as", "width", "maxLength", "format", "codes", "const", "default",
        "param", "compute", "omitEmpty", "required", "absentWhen", "personal", "json", "about", "catalog",
    ]
    static let elementKeys: Set<String> = [
        "element", "object", "array", "namespace", "path", "repeat", "when", "required", "rules", "then",
    ]

    func compileRules(_ list: ConfigNode, into element: inout TreeMapping.ElementRule) throws {
        var seen: Set<String> = []
        for item in try list.items("the rules") {
            if item["element"] != nil || item["object"] != nil || item["array"] != nil {
                // Child elements are unqualified unless their rule names a namespace.
                let child = try compileElement(item, inheritedNamespace: "")
                element.children.append(child)
            } else {
                let rule = try compileValue(item)
                guard seen.insert(rule.name).inserted else {
                    throw item.error("`\(rule.name)` is mapped twice in the same element")
                }
                element.values.append(rule)
            }
        }
    }

    func compileElement(_ node: ConfigNode, inheritedNamespace: String) throws -> TreeMapping.ElementRule {
        try node.expectKeys(Self.elementKeys, in: "an element rule")
        let nameNode = node["element"] ?? node["object"] ?? node["array"]!
        if format == .json && node["element"] != nil { throw node.error("json mappings use `object` or `array`") }
        if format == .xml && node["element"] == nil { throw node.error("xml mappings use `element`") }
        var repeats = node["repeat"] != nil || node["array"] != nil
        var path = try node["path"].map { try Self.path(try $0.string("`path`")) }
        if let repeatNode = node["repeat"], repeatNode.scalar != "true" {
            path = try Self.path(try repeatNode.string("`repeat`"))
            repeats = true
        }
        if repeats && path == nil { throw node.error("a repeated element needs the model array: `repeat: procedures`") }
        var when: TreeMapping.Condition?
        if let whenNode = node["when"] {
            try whenNode.expectKeys(["present", "absent"], in: "`when`")
            if let present = whenNode["present"] { when = .present(try present.string("`present`")) }
            if let absent = whenNode["absent"] { when = .absent(try absent.string("`absent`")) }
        }
        var rule = TreeMapping.ElementRule(
            name: try nameNode.string("the element name"),
            namespace: try node["namespace"]?.string("`namespace`") ?? inheritedNamespace, path: path,
            repeats: repeats, when: when, required: try node["required"]?.bool("`required`") ?? false, values: [],
            children: [], then: [], line: node.line)
        if let rules = node["rules"] { try compileRules(rules, into: &rule) }
        for sibling in try node["then"]?.items("`then`") ?? [] {
            let next = try compileElement(sibling, inheritedNamespace: rule.namespace)
            guard next.repeats else { throw sibling.error("elements under `then` must repeat (`repeat: ARRAY`)") }
            rule.then.append(next)
        }
        return rule
    }

    func compileValue(_ node: ConfigNode) throws -> TreeMapping.ValueRule {
        try node.expectKeys(Self.valueKeys, in: "a value rule")
        let name: String
        if let attribute = node["attribute"] ?? node["key"] {
            name = try attribute.string("the attribute name")
        } else if try node["text"]?.bool("`text`") == true {
            name = "#text"
        } else if node["compute"] != nil, let pathNode = node["path"] {
            name = "#computed " + (try pathNode.string("`path`"))
        } else {
            throw node.error("a rule needs `\(format == .xml ? "attribute" : "key")`, `text: true`, or `element`")
        }
        let width = try node["width"]?.int("`width`")
        var transform: TreeTransform = .text(maxLength: try node["maxLength"]?.int("`maxLength`"))
        if let codes = node["codes"] {
            let tableName = try codes.string("`codes`")
            guard let table = tables[tableName] else { throw codes.error("no code table named \(tableName)") }
            transform = .codes(table)
        }
        if let asNode = node["as"] {
            switch try asNode.string("`as`") {
            case "text": break
            case "digits": transform = .digits(width: width)
            case "integer": transform = .integer(width: width)
            case "money": transform = .money
            case "cents": transform = .cents(width: width)
            case "timestamp": transform = .timestamp
            case "date":
                let spelled = try node["format"]?.string("`format`") ?? "YYYY-MM-DD"
                guard let format = TreeTransform.DateFormat(rawValue: spelled) else {
                    let known = TreeTransform.DateFormat.allCases.map(\.rawValue).joined(separator: ", ")
                    throw node["format"]!.error("unknown date format \(spelled); expected one of \(known)")
                }
                transform = .date(format)
            case let other:
                throw asNode.error(
                    "unknown transform `\(other)`; expected text, digits, integer, money, cents, date or timestamp")
            }
        }
        let parameter = try node["param"]?.string("`param`")
        if let parameter, !parameters.contains(parameter) {
            throw node["param"]!.error("`param: \(parameter)` is not declared under `parameters`")
        }
        let omitDefault: Bool
        switch transform {
        case .text, .date, .codes: omitDefault = true
        default: omitDefault = false
        }
        return TreeMapping.ValueRule(
            name: name, path: try node["path"].map { try Self.path(try $0.string("`path`")) }, transform: transform,
            constant: try node["const"]?.string("`const`"), defaultValue: try node["default"]?.string("`default`"),
            parameter: parameter, compute: try node["compute"].map(compileCompute),
            required: try node["required"]?.bool("`required`") ?? false,
            omitEmpty: try node["omitEmpty"]?.bool("`omitEmpty`") ?? omitDefault,
            absentWhen: try node["absentWhen"]?.string("`absentWhen`"), jsonKind: try jsonKind(node["json"]),
            about: try node["about"]?.string("`about`"), catalog: try catalog(node["catalog"]),
            personal: try node["personal"]?.bool("`personal`") ?? false, line: node.line)
    }

    /// Loads the lab catalog a rule names (relative to the mapping file).
    func catalog(_ node: ConfigNode?) throws -> LabCatalog? {
        guard let node else { return nil }
        let name = try node.string("`catalog`")
        do {
            return try LabCatalog(path: name.hasPrefix("/") ? name : (folder as NSString).appendingPathComponent(name))
        } catch {
            throw node.error(error.reason)
        }
    }

    func jsonKind(_ node: ConfigNode?) throws -> TreeNode.Kind? {
        guard let node else { return nil }
        switch try node.string("`json`") {
        case "string": return .string
        case "number": return .number
        default: throw node.error("`json` must be string or number")
        }
    }

    func compileCompute(_ node: ConfigNode) throws -> TreeMapping.Compute {
        if node.scalar == "position" { return .position }
        let entries = try node.entries("`compute`")
        guard entries.count == 1, let entry = entries.first else {
            throw node.error(
                "`compute` takes one of: position, {sum: [...]}, {first: PATH}, {attestation: …}, {lastDigits: …}")
        }
        switch entry.key {
        case "sum": return .sum(try entry.value.items("`sum`").map { try Self.path(try $0.string("a path")) })
        case "first": return .first(try Self.path(try entry.value.string("`first`")))
        case "attestation":
            try entry.value.expectKeys(["date", "counter"], in: "`attestation`")
            return .attestation(
                date: try source(entry.value.required("date")), counter: try source(entry.value.required("counter")))
        case "lastDigits":
            try entry.value.expectKeys(["of", "count"], in: "`lastDigits`")
            return .lastDigits(
                try source(entry.value.required("of")), count: try entry.value.required("count").int("`count`"))
        default:
            throw entry.keyNode.error(
                "unknown computation `\(entry.key)`; expected sum, first, position, attestation or lastDigits")
        }
    }

    func source(_ node: ConfigNode) throws -> TreeMapping.Source {
        let text = try node.string("a value source")
        if text.hasPrefix("$") {
            let name = String(text.dropFirst())
            guard parameters.contains(name) else { throw node.error("`\(text)` is not declared under `parameters`") }
            return .parameter(name)
        }
        return .path(try Self.path(text))
    }

    static func path(_ text: String) throws -> [String] {
        text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }
}
