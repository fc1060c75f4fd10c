import ClaimsBridge
public import ClaimsBridgeStorage
import ClaimsBridgeTransports
import Foundation

/// Moves one machine's SQLite ledger, its header-number counters and the settled rows of its outbox into the
/// PostgreSQL store, in one transaction: all of it or nothing.
///
/// ```swift
/// let summary = try LedgerImport(stateDirectory: "/var/lib/claimsbridge/state", keyIDs: ["k1"])
///     .run(into: configuration)
/// print(summary.description)
/// ```
///
/// - Rows keep their relations. Each table's IDs move up by what the store has already used (nothing when the
///   store's ledger is empty), so rows of other machines stay as they are and the store's identity sequences go on
///   past the imported rows. Claim keys (`message-<id>`), the sources naming a message (`message:<id>`) and the
///   status events' JSON follow their message's and transition's new numbers.
/// - Counters end at the larger of the machine's and the store's last number, per office (A02) and per office and
///   carrier (A09): a number the machine gave out is never given again.
/// - The outbox must have no delivery left to make; its delivered and dead rows are copied as history with the same
///   key and (sealed) bytes. A row whose destination and key the store's outbox already has is left out, and the
///   ledger rows naming it keep a negative outbox number (a delivery made outside this store).
/// - Status events not yet handed to the outbox stay so; the next watcher on the store hands them over.
/// - An import is recorded in the store by the content's SHA-256 (`ledger_imports`) and in the SQLite ledger
///   (`moved_to_postgresql`), so it is refused the second time.
/// - Refused while a watcher works in the state folder, or while the ledger has files in hand (in `processing/`).
public struct LedgerImport {
    /// The machine's state folder: `ledger.sqlite` and `watch.lock` are in it.
    public var stateDirectory: String
    /// The machine's SQLite outbox; nil: `outbox.sqlite` in the state folder when there is one.
    public var outboxPath: String?
    /// The encryption keys the store's delivery configuration reads: every sealed payload copied must be sealed with
    /// one of them.
    public var keyIDs: Set<String>

    public init(stateDirectory: String, outboxPath: String? = nil, keyIDs: Set<String> = []) {
        self.stateDirectory = stateDirectory
        self.outboxPath = outboxPath
        self.keyIDs = keyIDs
    }

    /// The ledger file imported.
    public var ledgerPath: String { stateDirectory + "/ledger.sqlite" }

    /// Imports the ledger into the store `configuration` names (its tenant's schema with `tenant:`).
    /// - Returns: what was copied and how the counters moved.
    /// - Throws: ``WatchError`` when the import is refused (nothing was written), `PostgreSQLError` or `SQLiteError`
    ///   when a database fails (the store's transaction rolled back).
    public func run(into configuration: PostgreSQLConfiguration) throws -> LedgerImportSummary {
        guard FileManager.default.fileExists(atPath: ledgerPath) else {
            throw WatchError("there is no ledger at \(ledgerPath): name the state folder of the machine's watcher")
        }
        guard let lock = try StateFolderLock.acquireNow(stateDirectory: stateDirectory) else {
            throw WatchError(
                "a watcher is working in the state folder \(stateDirectory): stop it (and `serve` on this machine) before importing its ledger"
            )
        }
        defer { withExtendedLifetime(lock) {} }
        let source = try Ledger(path: ledgerPath)
        if let moved = try Self.movedTo(source, store: configuration.location) {
            throw WatchError(
                "the ledger \(ledgerPath) was moved into PostgreSQL \(configuration.location) on \(moved); it is not imported twice"
            )
        }
        let inHand = try source.database.prepare("SELECT count(*) FROM files WHERE finished_at IS NULL").query {
            $0.int(0)
        }
        if let count = inHand.first, count > 0 {
            throw WatchError(
                "the ledger \(ledgerPath) has \(count) file\(count == 1 ? "" : "s") in hand (not finished): run `claimsbridge watch --drain` on SQLite until they are finished, then import"
            )
        }
        var rows = try LedgerImportRows(ledger: source.database)
        let outbox = try outboxRows(ledger: rows)
        rows.outbox = outbox
        let target = try Ledger(location: .postgreSQL(configuration))
        guard case .postgreSQL(let store) = target.database.engine else { preconditionFailure("a PostgreSQL ledger") }
        let identity = rows.identity
        var summary = try target.database.transaction {
            try LedgerImportWriter(ledger: target.database, store: store, rows: rows, identity: identity)
                .write(source: ledgerPath)
        }
        summary.ledgerPath = ledgerPath
        summary.outboxPath = outbox.isEmpty ? nil : resolvedOutboxPath
        summary.store = configuration.location
        do {
            try Self.recordMove(source, store: configuration.location, identity: identity)
        } catch {
            summary.warnings.append(
                "the move could not be recorded in \(ledgerPath) (\(error)); the store refuses the same ledger again all the same"
            )
        }
        return summary
    }

    private var resolvedOutboxPath: String? {
        if let outboxPath { return outboxPath }
        let candidate = stateDirectory + "/outbox.sqlite"
        return FileManager.default.fileExists(atPath: candidate) ? candidate : nil
    }

    /// The settled rows of the machine's outbox; refuses when a delivery is still to be made, or when the ledger
    /// names deliveries whose outcome only the outbox knows and there is none.
    private func outboxRows(ledger rows: LedgerImportRows) throws -> [[String: SQLiteStatement.Value]] {
        guard let path = resolvedOutboxPath else {
            if let outboxPath { throw WatchError("there is no outbox at \(outboxPath)") }
            let waiting =
                rows.table("deliveries").filter { !["delivered", "dead"].contains($0["state"]?.text ?? "") }.count
                + rows.table("status_events").filter { ($0["outbox_id"] ?? .null) != .null }.count
            guard waiting == 0 else {
                throw WatchError(
                    "the ledger names deliveries of an outbox that is not in \(stateDirectory): name the machine's SQLite outbox with --import-outbox (its `outbox.path`, by default outbox.sqlite next to its delivery configuration)"
                )
            }
            return []
        }
        guard FileManager.default.fileExists(atPath: path) else { throw WatchError("there is no outbox at \(path)") }
        _ = try Outbox(path: path)
        let database = LedgerDatabase(.sqlite(try SQLiteDatabase(path: path)))
        let open =
            try database.prepare("SELECT count(*) FROM delivery WHERE state NOT IN ('delivered', 'dead')")
            .query { $0.int(0) }.first ?? 0
        guard open == 0 else {
            throw WatchError(
                "the outbox \(path) still has \(open) deliver\(open == 1 ? "y" : "ies") to make (pending or in flight, see `claimsbridge outbox list`): run `claimsbridge watch --drain` on SQLite until each is delivered or given up, then import"
            )
        }
        let settled = try LedgerImportRows.read(LedgerImportRows.outbox, from: database)
        let unreadable = Set(
            settled.flatMap { row in
                [row["payload"], row["receipt_body"]].compactMap { value -> String? in
                    guard case .blob(let bytes) = value else { return nil }
                    return PayloadCipher.keyID(of: bytes)
                }
            }
        ).subtracting(keyIDs)
        guard unreadable.isEmpty else {
            throw WatchError(
                "the outbox \(path) holds payloads encrypted with key \(unreadable.sorted().joined(separator: ", ")), which the delivery configuration does not read: add it to `encryption:` (as a previous key) so that they stay readable, then import"
            )
        }
        return settled
    }

    /// When the ledger was moved into `store`, if it was.
    private static func movedTo(_ ledger: Ledger, store: String) throws -> String? {
        let table =
            try ledger.database.prepare(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'moved_to_postgresql'"
            ).query { $0.int(0) }.first ?? 0
        guard table > 0 else { return nil }
        return try ledger.database.prepare(
            "SELECT moved_at FROM moved_to_postgresql WHERE store = ? ORDER BY moved_at LIMIT 1"
        )
        .query([.text(store)]) { Date(timeIntervalSince1970: $0.double(0)).formatted(.iso8601) }.first
    }

    private static func recordMove(_ ledger: Ledger, store: String, identity: String) throws {
        try ledger.database.transaction {
            try ledger.database.prepare(
                "CREATE TABLE IF NOT EXISTS moved_to_postgresql (store TEXT NOT NULL, identity TEXT NOT NULL, moved_at REAL NOT NULL)"
            ).run()
            try ledger.database.prepare("INSERT INTO moved_to_postgresql (store, identity, moved_at) VALUES (?, ?, ?)")
                .run([.text(store), .text(identity), .real(Ledger.now)])
        }
    }
}

extension SQLiteStatement.Value {
    var text: String? {
        if case .text(let text) = self { return text }
        return nil
    }

    var integer: Int64? {
        if case .integer(let number) = self { return number }
        return nil
    }
}
