/// Lint checks for tree mappings (`format: xml` or `format: json`): the file loads and compiles, its XML
/// Schema compiles, and its code tables can be written back.
enum TreeMappingLinter {
    /// Whether a mapping file is a tree mapping (it has a top-level `format:` key).
    static func isTreeMapping(path: String) -> Bool {
        (try? ConfigNode.load(path: path))?["format"] != nil
    }

    static func lint(path: String) -> [LintFinding] {
        do {
            let mapping = try TreeMapping.load(path: path)
            if let schema = mapping.schemaPath { _ = try XMLSchemaValidator(path: schema) }
            var findings: [LintFinding] = []
            func visit(_ rule: TreeMapping.ElementRule) {
                for value in rule.values {
                    if case .codes(let table) = value.transform, let name = table.ambiguousName {
                        findings.append(
                            LintFinding(
                                .error, file: path, line: value.line,
                                "code table \(table.name) gives the name \(name) to more than one code, so \(value.name) cannot be written back",
                                fix: "move all but one of those codes to `aliases` in \(table.file):\(table.line)"))
                    }
                }
                rule.children.forEach(visit)
                rule.then.forEach(visit)
            }
            visit(mapping.record)
            return findings
        } catch let error as BridgeError {
            return [LintFinding(.error, file: error.location.file ?? path, line: error.location.line, error.reason)]
        } catch {
            return [LintFinding(.error, file: path, line: nil, "\(error)")]
        }
    }
}
