import Foundation

/// Runs fixture pairs through the mappings and says, field by field, where the output differs from what is
/// expected.
///
/// A good fixture is an input file (`*.txt`, or `*.stream` for several messages) next to `*.expected.json`:
/// it must translate without a reject, match the expected JSON, and (for `*.txt`) write back to the same
/// bytes. A bad fixture is an input next to `*.expected-errors.jsonl`: it must give exactly those rejects; its
/// input may also be model JSON Lines (`*.json`), written to CDAnet, e.g. a claim a carrier would reject.
public struct FixtureValidator {
    /// The outcome for one fixture.
    public struct Result: Sendable {
        public var fixture: String
        public var passed: Bool
        /// What differs, one line each: model paths (with field IDs) or byte offsets.
        public var problems: [String]
        /// True when `update` rewrote the expected file.
        public var updated: Bool
    }

    public let catalog: CDAnetCatalog
    /// Show values of personal fields in differences.
    public var showPersonalData: Bool

    public init(catalog: CDAnetCatalog, showPersonalData: Bool = false) {
        self.catalog = catalog
        self.showPersonalData = showPersonalData
    }

    /// The fixture inputs below `folder` that have an expected file.
    public static func fixtures(in folder: String) -> [String] {
        var found: [String] = []
        let walker = FileManager.default.enumerator(atPath: folder)
        while let name = walker?.nextObject() as? String {
            let isModel = name.hasSuffix(".json")
            guard name.hasSuffix(".txt") || name.hasSuffix(".stream") || isModel else { continue }
            let path = (folder as NSString).appendingPathComponent(name)
            let base = (path as NSString).deletingPathExtension
            let manager = FileManager.default
            if !isModel && manager.fileExists(atPath: base + ".expected.json")
                || manager.fileExists(atPath: base + ".expected-errors.jsonl")
            {
                found.append(path)
            }
        }
        return found.sorted()
    }

    /// Validates one fixture; with `update`, rewrites its expected file from the actual output instead.
    public func validate(_ fixture: String, update: Bool = false) -> Result {
        var result = Result(fixture: fixture, passed: true, problems: [], updated: false)
        do {
            let input = Array(try Data(contentsOf: URL(fileURLWithPath: fixture)))
            var source = MemoryInput(input)
            var output = MemoryOutput()
            var rejects: [RejectedMessage] = []
            if fixture.hasSuffix(".json") {
                _ = try ModelWritePipeline(catalog: catalog).run(input: &source, output: &output) { rejects.append($0) }
            } else {
                _ = try CDAnetReadPipeline(catalog: catalog).run(input: &source, output: &output) { rejects.append($0) }
            }
            let base = (fixture as NSString).deletingPathExtension
            let errorsFile = base + ".expected-errors.jsonl"
            if FileManager.default.fileExists(atPath: errorsFile) {
                let actual = rejects.map { String(decoding: $0.jsonLine, as: UTF8.self) + "\n" }.joined()
                try compareOrUpdate(actual, file: errorsFile, update: update, into: &result) { expected in
                    Self.lineDifferences(expected: expected, actual: actual)
                }
                return result
            }
            for reject in rejects { result.problems.append("rejected: \(reject.diagnostic(inputName: fixture))") }
            let json = String(decoding: output.bytes, as: UTF8.self)
            try compareOrUpdate(json, file: base + ".expected.json", update: update, into: &result) { expected in
                jsonDifferences(expected: expected, actual: json)
            }
            if fixture.hasSuffix(".txt") && rejects.isEmpty {
                var lines = MemoryInput(output.bytes)
                var back = MemoryOutput()
                var writeRejects: [RejectedMessage] = []
                _ = try ModelWritePipeline(catalog: catalog).run(input: &lines, output: &back) {
                    writeRejects.append($0)
                }
                for reject in writeRejects {
                    result.problems.append("writing back: \(reject.diagnostic(inputName: "output"))")
                }
                if writeRejects.isEmpty && back.bytes != input {
                    let at =
                        zip(back.bytes, input).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                        ?? min(back.bytes.count, input.count)
                    result.problems.append(
                        "writing the JSON back does not give the same bytes: first difference at byte \(at)\(fieldAt(at, in: input))"
                    )
                }
            }
        } catch {
            result.problems.append("cannot be checked: \(error)")
        }
        result.passed = result.problems.isEmpty
        return result
    }

    private func compareOrUpdate(
        _ actual: String, file: String, update: Bool, into result: inout Result, differences: (String) -> [String]
    ) throws {
        let expected = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        guard expected != actual else { return }
        if update {
            try actual.write(toFile: file, atomically: true, encoding: .utf8)
            result.updated = true
        } else {
            let found = differences(expected)
            result.problems += found.isEmpty ? ["\((file as NSString).lastPathComponent) differs"] : found
        }
    }

    /// ` (field F12 (Dentist fee claimed))` for a byte offset of a one-message input.
    private func fieldAt(_ offset: Int, in input: [UInt8]) -> String {
        input.withUnsafeBufferPointer { bytes in
            guard let mapping = try? catalog.mappingForMessage(bytes, baseOffset: 0) else { return "" }
            let layout = mapping.layout
            let record = DecodedRecord()
            guard (try? FixedWidthDecoder(layout: layout).decode(bytes, baseOffset: 0, into: record)) != nil else {
                return ""
            }
            for (index, field) in layout.fields.enumerated() {
                let instances = field.group.map { Int(record.view.groupCount[$0]) } ?? 1
                for instance in 0..<instances {
                    if let range = record.range(of: index, instance: instance), range.contains(offset) {
                        return " (field \(field.label))"
                    }
                }
            }
            return ""
        }
    }

    /// Differences between two JSON Lines texts, by message and model path.
    private func jsonDifferences(expected: String, actual: String) -> [String] {
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: true)
        let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: true)
        var problems: [String] = []
        if expectedLines.count != actualLines.count {
            problems.append("expected \(expectedLines.count) messages, got \(actualLines.count)")
        }
        for (index, (left, right)) in zip(expectedLines, actualLines).enumerated() where left != right {
            let expectedValue = try? JSONSerialization.jsonObject(with: Data(left.utf8), options: [.fragmentsAllowed])
            let actualValue = try? JSONSerialization.jsonObject(with: Data(right.utf8), options: [.fragmentsAllowed])
            let personal = personalPaths(for: actualValue ?? expectedValue)
            var found: [String] = []
            Self.compare(expectedValue, actualValue, path: "", personal: personal, show: showPersonalData, into: &found)
            problems += found.prefix(20).map { "message \(index + 1): \($0)" }
            if found.isEmpty { problems.append("message \(index + 1): the text differs (key order or spacing)") }
        }
        return problems
    }

    /// Model paths (array indexes as `[]`) whose values are personal data, with their field IDs.
    private func personalPaths(for object: Any?) -> [String: (id: String, personal: Bool)] {
        guard let object = object as? [String: Any], let type = object["type"] as? String,
            let routing = object["routing"] as? [String: Any], let version = routing["version"] as? String,
            let mapping = catalog.mapping(type: type, version: version)
        else { return [:] }
        var paths: [String: (id: String, personal: Bool)] = [:]
        for rule in mapping.rules {
            guard let path = rule.path?.text else { continue }
            let field = mapping.layout.fields[rule.field]
            let normalized = path.replacingOccurrences(of: #"\[\d+\]"#, with: "[]", options: .regularExpression)
            paths[normalized] = (field.id, field.isPersonal)
        }
        return paths
    }

    private static func compare(
        _ expected: Any?, _ actual: Any?, path: String, personal: [String: (id: String, personal: Bool)], show: Bool,
        into problems: inout [String]
    ) {
        if let left = expected as? [String: Any], let right = actual as? [String: Any] {
            for key in Set(left.keys).union(right.keys).sorted() {
                compare(
                    left[key], right[key], path: path.isEmpty ? key : "\(path).\(key)", personal: personal, show: show,
                    into: &problems)
            }
            return
        }
        if let left = expected as? [Any], let right = actual as? [Any] {
            for index in 0..<max(left.count, right.count) {
                compare(
                    index < left.count ? left[index] : nil, index < right.count ? right[index] : nil,
                    path: "\(path)[\(index)]", personal: personal, show: show, into: &problems)
            }
            return
        }
        let same =
            (expected as? NSObject).map { left in (actual as? NSObject).map { left.isEqual($0) } ?? false }
            ?? (actual == nil)
        guard !same else { return }
        let normalized = path.replacingOccurrences(of: #"\[\d+\]"#, with: "[]", options: .regularExpression)
        let field = personal[normalized]
        let label = field.map { "\(path) [\($0.id)]" } ?? path
        let hide = (field?.personal ?? false) && !show
        func shown(_ value: Any?) -> String {
            guard let value else { return "(absent)" }
            if hide { return "(personal data)" }
            if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])
            {
                return String(decoding: data, as: UTF8.self)
            }
            return "\(value)"
        }
        problems.append("\(label): expected \(shown(expected)), got \(shown(actual))")
    }

    private static func lineDifferences(expected: String, actual: String) -> [String] {
        let left = expected.split(separator: "\n")
        let right = actual.split(separator: "\n")
        var problems: [String] = []
        if left.count != right.count { problems.append("expected \(left.count) rejects, got \(right.count)") }
        for (index, (a, b)) in zip(left, right).enumerated() where a != b {
            problems.append("reject \(index + 1) differs: expected \(a.prefix(160)), got \(b.prefix(160))")
        }
        return problems
    }
}
