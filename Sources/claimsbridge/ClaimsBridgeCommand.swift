import ArgumentParser

@main
struct ClaimsBridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claimsbridge",
        abstract: "Translate dental insurance messages between CDAnet and the ClaimsBridge model.",
        discussion: """
            Exit codes: 0 every message was translated; 2 finished, but some messages were rejected \
            (see --errors); 64 the command line is wrong; 1 any other failure.
            """,
        subcommands: [TranslateCommand.self, ValidateCommand.self, LintCommand.self, CatalogCommand.self])
}
