import ArgumentParser
import ClaimsBridge

struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check layouts, mappings and code tables without translating anything.",
        discussion: """
            Each finding names its file and line and suggests a fix. Exit code 1 when there is an error \
            (or, with --strict, a warning).
            """)

    @Argument(help: "Mapping files to check (default: every *.mapping.yaml in the mappings folder).")
    var files: [String] = []

    @Flag(help: "Fail on warnings too.")
    var strict = false

    @Option(help: "text or json (one JSON object per finding).")
    var format: ValidateCommand.OutputFormat = .text

    @OptionGroup var common: CommonOptions

    func run() throws {
        let findings =
            files.isEmpty
            ? MappingLinter.lint(directory: try common.resolveMappings())
            : MappingLinter.lint(files: files)
        for finding in findings {
            print(format == .json ? finding.jsonLine : finding.description)
        }
        let errors = findings.filter { $0.severity == .error }.count
        let warnings = findings.count - errors
        if format == .text { print("\(errors) errors, \(warnings) warnings") }
        if errors > 0 || (strict && warnings > 0) { throw ExitCode.failure }
    }
}
