public import ClaimsBridgeStorage
import Foundation

/// The engines the storage suites run against: each test runs once with SQLite files and once with a new database
/// of the PostgreSQL server the tests start themselves.
public enum StorageEngine: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite = "SQLite"
    case postgreSQL = "PostgreSQL"

    public var description: String { rawValue }

    /// A new, empty database for PostgreSQL; nil for SQLite, whose files live in the state folder.
    public func newStore() throws -> PostgreSQLConfiguration? {
        switch self {
        case .sqlite: nil
        case .postgreSQL: try PostgreSQLTestServer.shared().newDatabase()
        }
    }

    /// The top of a delivery configuration putting the outbox and the ledger on this engine, with `outboxOptions`
    /// (such as `initialDelaySeconds: 1`) in its `outbox:` block: SQLite files in the state folder, or `store:`
    /// naming a new database.
    public func deliveryStoreLines(outboxOptions: String = "") throws -> String {
        switch self {
        case .sqlite:
            return "outbox: {path: state/outbox.sqlite\(outboxOptions.isEmpty ? "" : ", " + outboxOptions)}"
        case .postgreSQL:
            return try PostgreSQLTestServer.shared().newStoreYAML() + "\noutbox: {\(outboxOptions)}"
        }
    }
}
