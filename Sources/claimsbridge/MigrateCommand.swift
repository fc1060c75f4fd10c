import ArgumentParser
import ClaimsBridgeStorage
import ClaimsBridgeTransports
import ClaimsBridgeWatcher

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or update the tables of the store a delivery configuration names.",
        discussion: """
            With `store: postgres://…` the PostgreSQL database gets every migration it lacks, each in its own \
            transaction; several processes may run this at once (they take turns under an advisory lock). Without \
            `store:` the SQLite outbox file is created or updated. `send`, `watch` and `serve` do the same when they \
            start; run this to do it ahead of a rollout. A database migrated by a newer release is refused. \

            With --import-state, a machine moving from SQLite to the PostgreSQL store brings its history along: the \
            ledger of that state folder (files, messages, deliveries, claim and lab-order states, their history and \
            status events, payments, pickups) and its header-number counters are copied into the store named by \
            `store:` (its tenant's schema with `tenant:`), with the delivered and dead rows of its SQLite outbox, in \
            one transaction. Every counter ends at the larger of the machine's and the store's last number, so no \
            A02 or A09 is given twice. Refused while a watcher works in that folder, while the ledger has files in \
            hand or the outbox deliveries still to make (run `watch --drain` first), and the second time. \
            Exit codes: 0 up to date (and imported); 1 the store cannot be reached or migrated, or the import was \
            refused (nothing was imported).
            """)

    @Option(help: "The delivery configuration file (YAML).")
    var config: String

    @Option(
        help: ArgumentHelp(
            "Import the SQLite ledger (ledger.sqlite) of this watcher state folder into the PostgreSQL store.",
            valueName: "state folder"))
    var importState: String?

    @Option(
        help: ArgumentHelp(
            "With --import-state: the machine's SQLite outbox (default: outbox.sqlite in the state folder, if there).",
            valueName: "outbox.sqlite"))
    var importOutbox: String?

    func validate() throws {
        if importOutbox != nil && importState == nil { throw ValidationError("--import-outbox goes with --import-state") }
    }

    func run() throws {
        let configuration = try DeliveryConfiguration.load(path: config)
        if let importState {
            guard let postgreSQL = configuration.postgreSQL else {
                throw ValidationError("--import-state moves a ledger into PostgreSQL: \(config) has no `store:`")
            }
            let keys = Set(try configuration.payloadCipher()?.keys.keys.map { $0 } ?? [])
            let summary = try LedgerImport(stateDirectory: importState, outboxPath: importOutbox, keyIDs: keys)
                .run(into: postgreSQL)
            print(summary.description)
            return
        }
        guard let postgreSQL = configuration.postgreSQL else {
            _ = try Outbox(path: configuration.outboxPath)
            print("SQLite outbox \(configuration.outboxPath): up to date")
            return
        }
        let database = try PostgreSQLDatabase(configuration: postgreSQL)
        let applied = try PostgreSQLSchema.migrate(database)
        let versions = try PostgreSQLMigrator.appliedVersions(database)
        let store = configuration.outboxStore
        if applied.isEmpty {
            print("PostgreSQL \(store): up to date (schema version \(versions.last ?? 0))")
        } else {
            let list = applied.map(String.init).joined(separator: ", ")
            print("PostgreSQL \(store): applied \(list); schema version \(versions.last ?? 0)")
        }
    }
}
