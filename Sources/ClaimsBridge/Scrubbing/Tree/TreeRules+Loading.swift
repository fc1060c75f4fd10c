import Foundation

extension TreeRules {
    static let ruleKeys: Set<String> = [
        "rule", "element", "when", "attribute", "required", "pattern", "in", "letters", "notAfter", "minimum",
        "digits", "atLeast", "says",
    ]

    /// Loads a rules file for a tree mapping.
    /// - Throws: ``BridgeError`` (`invalidConfiguration`) with `file:line`: an unknown key, element, attribute
    ///   or set, a rule with no check or two, a repeated rule code, ranges of unequal length.
    package static func load(path: String, for mapping: TreeMapping) throws -> TreeRules {
        let root = try ConfigNode.load(path: path)
        try root.expectKeys(["rules", "sets", "checks"], in: "a rules file")
        var sets: [String: ConfigNode] = [:]
        for entry in try root["sets"]?.entries("`sets`") ?? [] { sets[entry.key] = entry.value }
        var rules: [Rule] = []
        var seen: Set<String> = []
        for item in try root.required("checks").items("`checks`") {
            try item.expectKeys(ruleKeys, in: "a rule")
            let code = try item.required("rule").string("`rule`")
            guard seen.insert(code).inserted else { throw item.error("rule code \(code) is used twice") }
            let element = try item.required("element").string("`element`")
            let values = mapping.valueRules(ofElement: element)
            guard let values else { throw item.error("\(mapping.name) has no element \(element)") }
            let attribute = try item["attribute"]?.string("`attribute`")
            if let attribute, !values.contains(attribute) {
                throw item.error("\(mapping.name) maps no attribute \(attribute) in \(element)")
            }
            var when: TreeMapping.Condition?
            if let whenNode = item["when"] {
                try whenNode.expectKeys(["present", "absent"], in: "`when`")
                if let present = whenNode["present"] { when = .present(try present.string("`present`")) }
                if let absent = whenNode["absent"] { when = .absent(try absent.string("`absent`")) }
            }
            let checks = ["required", "pattern", "in", "letters", "notAfter", "minimum", "digits", "atLeast"].filter {
                item[$0] != nil
            }
            guard checks.count == 1, let kind = checks.first, let node = item[kind] else {
                throw item.error(
                    "a rule takes exactly one check: required, pattern, in, letters, notAfter, minimum, digits or atLeast"
                )
            }
            if attribute == nil && kind != "required" && kind != "atLeast" {
                throw item.error("`\(kind)` needs an `attribute`")
            }
            let check: Check
            var problem = BridgeError.Code.notAccepted
            switch kind {
            case "required":
                guard try node.bool("`required`") else { throw node.error("`required` can only be true") }
                check = .required
                problem = .missingValue
            case "pattern":
                let forms =
                    node.scalar != nil
                    ? [try node.string("a pattern")]
                    : try node.items("`pattern`").map {
                        try $0.string("a pattern")
                    }
                check = .pattern(forms)
            case "in": check = .values(try ranges(node, sets: sets, depth: 0))
            case "letters": check = .letters(Set(try node.string("`letters`").utf8))
            case "notAfter":
                let other = try node.string("`notAfter`")
                if other == "today" {
                    check = .notAfterToday
                    problem = .dateInFuture
                } else {
                    guard values.contains(other) || mapping.record.values.contains(where: { $0.name == other }) else {
                        throw node.error("\(mapping.name) maps no attribute \(other) in \(element) or the record")
                    }
                    check = .notAfterAttribute(other)
                    problem = .datesOutOfOrder
                }
            case "minimum": check = .minimum(try node.int("`minimum`"))
            case "digits": check = .digits(try node.int("`digits`"))
            default:
                check = .atLeast(try node.int("`atLeast`"))
                problem = .missingValue
            }
            rules.append(
                Rule(
                    code: code, element: element, when: when, attribute: attribute, check: check, problem: problem,
                    says: try item.required("says").string("`says`"),
                    source: "\((path as NSString).lastPathComponent):\(item.line)"))
        }
        return TreeRules(file: path, name: try root.required("rules").string("`rules`"), rules: rules, record: mapping.record)
    }

    /// Values and `low-high` ranges of a list, set names replaced by their members.
    private static func ranges(_ node: ConfigNode, sets: [String: ConfigNode], depth: Int) throws -> [(
        low: String, high: String
    )] {
        guard depth < 8 else { throw node.error("sets include each other in a loop") }
        var found: [(low: String, high: String)] = []
        for item in try node.items("a list of values") {
            let text = try item.string("a value")
            if let set = sets[text] {
                found += try ranges(set, sets: sets, depth: depth + 1)
                continue
            }
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            if parts.count == 2, !parts[0].isEmpty {
                guard parts[0].count == parts[1].count else {
                    throw item.error("the range \(text) has ends of unequal length")
                }
                found.append((String(parts[0]), String(parts[1])))
            } else {
                found.append((text, text))
            }
        }
        return found
    }
}

extension TreeMapping {
    /// The attribute names mapped in the elements called `name`, or nil when no element has that name.
    func valueRules(ofElement name: String) -> Set<String>? {
        var found: Set<String>?
        func visit(_ rule: ElementRule) {
            if rule.name == name { found = (found ?? []).union(rule.values.map(\.name)) }
            rule.children.forEach(visit)
            rule.then.forEach(visit)
        }
        visit(record)
        return found
    }
}
