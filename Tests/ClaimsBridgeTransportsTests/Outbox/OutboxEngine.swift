import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import Testing

@testable import ClaimsBridgeTransports

/// The databases the outbox suites run against: each test runs once on an SQLite file and once on a new database of
/// the PostgreSQL server the tests start themselves.
typealias OutboxEngine = StorageEngine

extension StorageEngine {
    /// A new, empty store.
    func makeStore(_ prefix: String = "outbox") throws -> OutboxStoreLocation {
        if let store = try newStore() { return .postgreSQL(store) }
        return .sqlite(path: try makeScratchFolder(prefix) + "/outbox.sqlite")
    }
}

/// Direct access to a store's rows, past the outbox, to inspect or alter what is stored.
struct RawOutboxRows {
    let store: OutboxStoreLocation

    /// Each row's idempotency key and stored payload bytes.
    func payloads() throws -> [String: [UInt8]] {
        switch store {
        case .sqlite(let path):
            let rows = try SQLiteDatabase(path: path).prepare("SELECT idempotency_key, payload FROM delivery").query {
                row in (row.text(0) ?? "", row.blob(1))
            }
            return Dictionary(uniqueKeysWithValues: rows)
        case .postgreSQL(let configuration):
            let rows = try PostgreSQLDatabase(configuration: configuration)
                .execute("SELECT idempotency_key, payload FROM outbox_delivery").rows
            return Dictionary(
                uniqueKeysWithValues: rows.map { ($0.text(0) ?? "", PostgreSQLBytes.decode($0.text(1) ?? "") ?? []) })
        }
    }

    /// Replaces the stored payload of delivery `id`.
    func setPayload(_ id: DeliveryID, _ bytes: [UInt8]) throws {
        switch store {
        case .sqlite(let path):
            try SQLiteDatabase(path: path).prepare("UPDATE delivery SET payload = ? WHERE id = ?")
                .run([.blob(bytes), .integer(id.rawValue)])
        case .postgreSQL(let configuration):
            try PostgreSQLDatabase(configuration: configuration).execute(
                "UPDATE outbox_delivery SET payload = $1::bytea WHERE id = $2",
                [PostgreSQLBytes.parameter(bytes), String(id.rawValue)])
        }
    }
}

extension OutboxStoreLocation {
    /// The top of a delivery configuration putting the outbox here, with `options` (such as `leaseSeconds: 1`) in
    /// its `outbox:` block: `path:` for an SQLite file, `store:` for PostgreSQL.
    func configurationLines(options: String) -> String {
        switch self {
        case .sqlite(let path):
            return "outbox: {path: \(path)\(options.isEmpty ? "" : ", " + options)}"
        case .postgreSQL(let configuration):
            let password = configuration.password.map { "\n  passwordFrom: \($0)" } ?? ""
            return """
                store:
                  url: postgres://\(configuration.user)@localhost:\(configuration.port)/\(configuration.database)?host=\(configuration.host)\(password)
                outbox: {\(options)}
                """
        }
    }
}
