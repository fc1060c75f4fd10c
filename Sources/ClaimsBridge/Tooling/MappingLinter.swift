import Foundation

/// Checks layouts, mappings and code tables without translating anything.
///
/// Every file is checked on its own, so one broken file does not hide the problems of the others:
/// - what stops a file from loading (unknown field IDs or groups, widths that do not add up to `fixedLength`,
///   counts or flags that are not numeric, unknown transforms or code tables, duplicate paths);
/// - what stops a mapping from writing messages (a code table that gives one name to two codes, a field read
///   by two rules);
/// - codes that do not fit their field or its type;
/// - layout fields that no rule maps (read and dropped, written as blanks).
public enum MappingLinter {
    /// Lints every `*.mapping.yaml` below `directory`, or the given files.
    public static func lint(directory: String? = nil, files: [String] = []) -> [LintFinding] {
        var paths = files
        if let directory {
            let walker = FileManager.default.enumerator(atPath: directory)
            while let name = walker?.nextObject() as? String {
                if name.hasSuffix(".mapping.yaml") {
                    paths.append((directory as NSString).appendingPathComponent(name))
                }
            }
        }
        var findings: [LintFinding] = []
        var mappings: [Mapping] = []
        for path in paths.sorted() {
            if TreeMappingLinter.isTreeMapping(path: path) {
                findings += TreeMappingLinter.lint(path: path)
                continue
            }
            var cache = MappingLoadCache()
            do {
                mappings.append(try Mapping.load(path: path, cache: &cache))
            } catch let error as BridgeError {
                findings.append(
                    LintFinding(.error, file: error.location.file ?? path, line: error.location.line, error.reason))
            } catch {
                findings.append(LintFinding(.error, file: path, line: nil, "\(error)"))
            }
        }
        for mapping in mappings { findings += check(mapping) }
        if paths.isEmpty {
            findings.append(
                LintFinding(
                    .error, file: directory ?? ".", line: nil, "no *.mapping.yaml files were found",
                    fix: "name the Mappings folder, or mapping files"))
        }
        return findings
    }

    private static func check(_ mapping: Mapping) -> [LintFinding] {
        var findings: [LintFinding] = []
        let layout = mapping.layout
        if let reason = mapping.notReversibleBecause {
            findings.append(
                LintFinding(
                    .error, file: reason.location.file ?? mapping.file, line: reason.location.line,
                    "cannot be used to write messages: \(reason.reason)"))
        }
        for rule in mapping.rules {
            guard case .codes(let table) = rule.transform else { continue }
            let field = layout.fields[rule.field]
            for entry in table.entries {
                let code = String(decoding: entry.code, as: UTF8.self)
                if entry.code.count > field.width {
                    findings.append(
                        LintFinding(
                            .error, file: mapping.file, line: rule.line,
                            "code \"\(code)\" of table \(table.name) is longer than \(field.label) (\(field.width) bytes)",
                            fix: "shorten the code in \(table.file):\(table.line) or map another field"))
                    continue
                }
                let padded =
                    field.type.isText
                    ? entry.code + Array(repeating: 0x20, count: field.width - entry.code.count)
                    : Array(repeating: UInt8(ascii: "0"), count: field.width - entry.code.count) + entry.code
                let valid = padded.withUnsafeBufferPointer { field.type.check($0) == .valid }
                if !valid {
                    findings.append(
                        LintFinding(
                            .error, file: mapping.file, line: rule.line,
                            "code \"\(code)\" of table \(table.name) is not valid in \(field.label), which holds \(field.type.expectation)",
                            fix: "correct the code in \(table.file):\(table.line)"))
                }
            }
        }
        for (index, field) in layout.fields.enumerated()
        where field.role == .data && !field.isFiller && !mapping.rules.contains(where: { $0.field == index }) {
            let place = field.group.map { " in group \(layout.groups[$0].name)" } ?? ""
            findings.append(
                LintFinding(
                    .warning, file: layout.file, line: field.line,
                    "\(field.label)\(place) is not mapped: reading drops its value and writing leaves it blank",
                    fix: "add `- {field: \(field.id), path: …}` to \((mapping.file as NSString).lastPathComponent)"))
        }
        return findings
    }
}
