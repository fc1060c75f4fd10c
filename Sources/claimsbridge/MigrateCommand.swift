import ArgumentParser
import ClaimsBridgeStorage
import ClaimsBridgeTransports

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or update the tables of the store a delivery configuration names.",
        discussion: """
            With `store: postgres://…` the PostgreSQL database gets every migration it lacks, each in its own \
            transaction; several processes may run this at once (they take turns under an advisory lock). Without \
            `store:` the SQLite outbox file is created or updated. `send`, `watch` and `serve` do the same when they \
            start; run this to do it ahead of a rollout. A database migrated by a newer release is refused. \
            Exit codes: 0 up to date; 1 the store cannot be reached or migrated.
            """)

    @Option(help: "The delivery configuration file (YAML).")
    var config: String

    func run() throws {
        let configuration = try DeliveryConfiguration.load(path: config)
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
