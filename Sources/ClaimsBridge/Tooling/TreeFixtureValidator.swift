import Foundation

/// Checks the fixtures of tree-mapping formats (XML, partner JSON): every folder with a `fixtures.yaml` naming
/// its mapping (relative to the Mappings folder) and optional `parameters`.
///
/// In such a folder, `NAME.xml` (or `NAME.jsonl` for JSON formats) is a partner document:
/// - with `NAME.expected.jsonl`: it must read into exactly those model objects, which must write back to the
///   same bytes;
/// - with `NAME.input.jsonl`: those model objects must write exactly the document;
/// - with `NAME.expected-errors.jsonl` (also in an `invalid/` subfolder): it must give exactly those rejects.
///
/// In `invalid/`, `NAME.input.jsonl` with no document of that name holds claims that writing must refuse with
/// exactly `NAME.expected-errors.jsonl` (one per rule of the mapping's `carrierRules:`).
public struct TreeFixtureValidator {
    /// The suite's `fixtures.yaml`.
    public let suite: String
    let mapping: TreeMapping
    let parameters: [String: String]

    /// The `fixtures.yaml` files below `folder`, sorted.
    public static func suites(in folder: String) -> [String] {
        var found: [String] = []
        let walker = FileManager.default.enumerator(atPath: folder)
        while let name = walker?.nextObject() as? String {
            if (name as NSString).lastPathComponent == "fixtures.yaml" {
                found.append((folder as NSString).appendingPathComponent(name))
            }
        }
        if folder.hasSuffix("fixtures.yaml") { found.append(folder) }
        return found.sorted()
    }

    /// Loads a suite's mapping.
    /// - Throws: ``BridgeError`` when `fixtures.yaml` or the mapping cannot be loaded.
    public init(suite: String, mappingsFolder: String) throws {
        self.suite = suite
        let node = try ConfigNode.load(path: suite)
        try node.expectKeys(["mapping", "parameters"], in: "fixtures.yaml")
        let relative = try node.required("mapping").string("`mapping`")
        mapping = try TreeMapping.load(path: (mappingsFolder as NSString).appendingPathComponent(relative))
        var parameters: [String: String] = [:]
        for entry in try node["parameters"]?.entries("`parameters`") ?? [] {
            parameters[entry.key] = try entry.value.string("a parameter value")
        }
        self.parameters = parameters
    }

    /// Checks every document of the suite; with `update`, rewrites the expected files instead.
    public func validate(update: Bool = false) -> [FixtureValidator.Result] {
        let folder = (suite as NSString).deletingLastPathComponent
        let ext = mapping.format == .xml ? ".xml" : ".jsonl"
        var documents: [String] = []
        var refusals: [String] = []
        for sub in ["", "invalid"] {
            let path = sub.isEmpty ? folder : (folder as NSString).appendingPathComponent(sub)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            for name in names.sorted()
            where name.hasSuffix(ext) && !name.hasSuffix(".expected.jsonl")
                && !name.hasSuffix(".input.jsonl") && !name.hasSuffix(".expected-errors.jsonl")
            {
                documents.append((path as NSString).appendingPathComponent(name))
            }
            // Claims that must be refused when written: invalid/NAME.input.jsonl with no NAME document.
            for name in names.sorted() where !sub.isEmpty && name.hasSuffix(".input.jsonl") {
                let base = String(name.dropLast(".input.jsonl".count))
                if !names.contains(base + ext) { refusals.append((path as NSString).appendingPathComponent(base)) }
            }
        }
        return documents.map { check($0, update: update) } + refusals.map { checkRefusal($0, update: update) }
    }

    /// `NAME.input.jsonl` must be refused when written, with exactly `NAME.expected-errors.jsonl`.
    private func checkRefusal(_ base: String, update: Bool) -> FixtureValidator.Result {
        let input = base + ".input.jsonl"
        var result = FixtureValidator.Result(fixture: input, passed: true, problems: [], updated: false)
        do {
            let written = try run(try Array(Data(contentsOf: URL(fileURLWithPath: input))), writing: true)
            let actual: [UInt8] = written.rejects.flatMap { $0.jsonLine + [0x0A] }
            let file = base + ".expected-errors.jsonl"
            guard FileManager.default.contents(atPath: file).map(Array.init) != actual else { return result }
            if update {
                _ = FileManager.default.createFile(atPath: file, contents: Data(actual))
                result.updated = true
            } else {
                result.passed = false
                result.problems.append("the rejects differ from \((file as NSString).lastPathComponent)")
            }
        } catch {
            result.passed = false
            result.problems.append("\(error)")
        }
        return result
    }

    private func check(_ document: String, update: Bool) -> FixtureValidator.Result {
        var result = FixtureValidator.Result(fixture: document, passed: true, problems: [], updated: false)
        let base = String(document.dropLast(mapping.format == .xml ? 4 : 6))
        func compare(_ actual: [UInt8], _ file: String, _ what: String) {
            let expected = FileManager.default.contents(atPath: file).map(Array.init)
            guard expected != actual else { return }
            if update {
                _ = FileManager.default.createFile(atPath: file, contents: Data(actual))
                result.updated = true
            } else {
                result.passed = false
                let line = zip(expected ?? [], actual).prefix { $0 == $1 }.reduce(1) { $0 + ($1.0 == 0x0A ? 1 : 0) }
                result.problems.append("\(what) differs from \((file as NSString).lastPathComponent) from line \(line)")
            }
        }
        do {
            let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: document)))
            let read = try run(bytes, writing: false)
            let manager = FileManager.default
            if manager.fileExists(atPath: base + ".expected-errors.jsonl") {
                compare(read.rejects.flatMap { $0.jsonLine + [0x0A] }, base + ".expected-errors.jsonl", "the rejects")
            } else {
                if let first = read.rejects.first {
                    result.passed = false
                    result.problems.append("rejected: \(first.error.description)")
                }
                if manager.fileExists(atPath: base + ".expected.jsonl") {
                    compare(read.output, base + ".expected.jsonl", "reading")
                    let model = try Array(Data(contentsOf: URL(fileURLWithPath: base + ".expected.jsonl")))
                    let back = try run(model, writing: true)
                    if back.output != bytes {
                        result.passed = false; result.problems.append("writing back differs from the document")
                    }
                }
                if manager.fileExists(atPath: base + ".input.jsonl") {
                    let input = try Array(Data(contentsOf: URL(fileURLWithPath: base + ".input.jsonl")))
                    compare(
                        try run(input, writing: true).output, document,
                        "writing \((base as NSString).lastPathComponent).input.jsonl")
                }
            }
        } catch {
            result.passed = false
            result.problems.append("\(error)")
        }
        return result
    }

    private func run(_ bytes: [UInt8], writing: Bool) throws -> (output: [UInt8], rejects: [RejectedMessage]) {
        var input = MemoryInput(bytes)
        var output = MemoryOutput()
        var rejects: [RejectedMessage] = []
        if writing {
            _ = try TreeWritePipeline(mapping: mapping, parameters: parameters).run(input: &input, output: &output) {
                rejects.append($0)
            }
        } else {
            _ = try TreeReadPipeline(mapping: mapping).run(input: &input, output: &output) { rejects.append($0) }
        }
        return (output.bytes, rejects)
    }
}
