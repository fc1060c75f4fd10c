import ArgumentParser
import ClaimsBridge

@main
struct ClaimsBridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claimsbridge",
        abstract: "Translate dental insurance and lab messages (CDAnet, RAMQ, lab partners) and deliver them.",
        discussion: """
            Exit codes: 0 every message was translated; 2 finished, but some messages were rejected \
            (see --errors); 64 the command line is wrong; 1 any other failure.
            """,
        version: ClaimsBridgeVersion.current,
        subcommands: [
            TranslateCommand.self, ValidateCommand.self, LintCommand.self, CatalogCommand.self, SendCommand.self,
            OutboxCommand.self, WatchCommand.self, ServeCommand.self, StatusCommand.self, ReprocessCommand.self,
            CheckCommand.self, PurgeCommand.self, RekeyCommand.self, ReconcileCommand.self,
            SimulateCarrierCommand.self, ExchangeCommand.self, EventsCommand.self,
            MigrateCommand.self,
        ])
}
