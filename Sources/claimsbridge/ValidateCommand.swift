import ArgumentParser
import ClaimsBridge
import Foundation

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check fixture pairs (input + expected output) against the mappings.",
        discussion: """
            Every input (*.txt, *.stream) next to an *.expected.json must translate without a reject, give \
            exactly that JSON, and write back to the same bytes; every input next to an *.expected-errors.jsonl \
            must give exactly those rejects. Differences are listed by model path and field ID. Folders with a \
            fixtures.yaml hold XML or partner JSON documents checked with their tree mapping (see \
            TreeFixtureValidator). Exit code 1 when any fixture fails.
            """)

    @Argument(help: "Fixture folders or files (default: Fixtures).")
    var paths: [String] = []

    @Flag(help: "Rewrite the expected files from the actual output (review the diff before committing).")
    var update = false

    @Option(help: "text or json (one JSON object per fixture, then a summary).")
    var format: OutputFormat = .text

    @Flag(help: "Show values of personal fields in differences.")
    var showPersonalData = false

    @OptionGroup var common: CommonOptions

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    func run() throws {
        let catalog = try common.loadCatalog()
        let validator = FixtureValidator(catalog: catalog, showPersonalData: showPersonalData)
        var fixtures: [String] = []
        var suites: [String] = []
        for path in paths.isEmpty ? ["Fixtures"] : paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw BridgeError(.io, "does not exist", at: .init(file: path))
            }
            fixtures += isFolder.boolValue ? FixtureValidator.fixtures(in: path) : [path]
            suites += TreeFixtureValidator.suites(in: path)
        }
        var results = fixtures.map { validator.validate($0, update: update) }
        let mappings = try common.resolveMappings()
        for suite in suites {
            results += try TreeFixtureValidator(suite: suite, mappingsFolder: mappings).validate(update: update)
        }
        var passed = 0
        var failed = 0
        var updated = 0
        for result in results {
            let fixture = result.fixture
            if result.passed { passed += 1 } else { failed += 1 }
            if result.updated { updated += 1 }
            switch format {
            case .text:
                let status = result.updated ? "UPDATED" : (result.passed ? "PASS" : "FAIL")
                print("\(status) \(fixture)")
                for problem in result.problems { print("    \(problem)") }
            case .json:
                print(Self.json(result))
            }
        }
        let summary = "\(passed) passed, \(failed) failed" + (updated > 0 ? ", \(updated) updated" : "")
        if format == .json {
            print("{\"passed\":\(passed),\"failed\":\(failed),\"updated\":\(updated)}")
        } else {
            print(summary)
        }
        if results.isEmpty { throw BridgeError(.io, "no fixtures with expected files were found") }
        if failed > 0 { throw ExitCode.failure }
    }

    static func json(_ result: FixtureValidator.Result) -> String {
        let object: [String: Any] = [
            "fixture": result.fixture, "passed": result.passed, "updated": result.updated, "problems": result.problems,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
