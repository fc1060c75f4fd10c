import ArgumentParser
import ClaimsBridgeTransports
import ClaimsBridgeWatcher

struct RekeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rekey",
        abstract: "Re-encrypt every stored payload and kept original under the current encryption key.",
        discussion: """
            After adding a new key (`encryption.keyId`/`key`, the old one moved to `previousKeys`), run this to \
            re-encrypt the outbox, archive/, error/ and rejects/ in place; plaintext kept from before encryption \
            was switched on is encrypted too. When it reports no failures, the old key can be removed. It can be \
            stopped and run again.
            """)

    @Option(help: "The routes file the watcher runs with.")
    var config: String

    @OptionGroup var common: CommonOptions

    func run() throws {
        let logger = common.makeLogger()
        let routes = try RoutesFile.load(path: config, common: common, logger: logger)
        let (outbox, files) = try routes.makeWatcher(logger: logger).rekey()
        print(
            "outbox: \(outbox.rekeyed) re-encrypted, \(outbox.alreadyCurrent) already under the current key; "
                + "files: \(files.rekeyed) re-encrypted, \(files.alreadyCurrent) already under the current key")
        let failures = outbox.failures + files.failures
        for failure in failures { Files.printError("error: \(failure)") }
        if !failures.isEmpty { throw ExitCode.failure }
    }
}
