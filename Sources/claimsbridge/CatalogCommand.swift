import ArgumentParser
import ClaimsBridge

struct CatalogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "Work with lab product catalogs (Mappings/labs/NAME/catalog.csv).",
        subcommands: [CatalogCheckCommand.self])
}

struct CatalogCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a lab's catalog: codes, kinds, materials, prices, turnaround; each problem with file:line.",
        discussion: "Exit code 1 when there is a problem.")

    @Option(help: "The lab: its folder name under Mappings/labs/.")
    var lab: String

    @Option(help: "text or json (one JSON object per finding).")
    var format: ValidateCommand.OutputFormat = .text

    @OptionGroup var common: CommonOptions

    func run() throws {
        let partner = try LabPartner(name: lab, mappings: try common.resolveMappings())
        let findings = try partner.checkCatalog()
        for finding in findings {
            print(format == .json ? finding.jsonLine : finding.description)
        }
        if format == .text {
            print(
                findings.isEmpty ? "\(partner.catalogPath): ok" : "\(findings.count) problems in \(partner.catalogPath)"
            )
        }
        if !findings.isEmpty { throw ExitCode.failure }
    }
}
