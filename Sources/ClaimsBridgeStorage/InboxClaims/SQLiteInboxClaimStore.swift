import Foundation

/// Inbox claims in an SQLite file: for workers on one machine sharing one state folder. SQLite's single writer makes
/// each claim exclusive.
public final class SQLiteInboxClaimStore: InboxClaimStore {
    let database: SQLiteDatabase

    /// Opens (creating if needed) the claims file at `path`.
    public init(path: String, permissions: FilePermissions = .ownerOnly) throws {
        database = try SQLiteDatabase(path: path, permissions: permissions)
        try database.transaction { () throws(SQLiteError) in
            guard try database.userVersion == 0 else { return }
            try database.execute(Self.sqlite(InboxClaimSchema.table(tokenType: "integer", timeType: "real")))
            try database.execute("PRAGMA user_version = 1")
        }
    }

    public func claim(_ key: InboxFileKey, worker: String, leaseSeconds: Double, now: Double) throws -> InboxClaim? {
        let sql = InboxClaimSchema.claim(newToken: "(SELECT coalesce(max(token), 0) + 1 FROM inbox_claims)")
        let tokens = try database.prepare(Self.sqlite(sql)).query(
            Self.values(key) + [.text(worker), .real(now + leaseSeconds), .real(now)]
        ) { $0.int64(0) }
        return tokens.first.map { InboxClaim(key: key, token: $0) }
    }

    public func renew(_ claim: InboxClaim, leaseSeconds: Double, now: Double) throws -> Bool {
        try !database.prepare(Self.sqlite(InboxClaimSchema.renew)).query(
            [.integer(claim.token), .real(now + leaseSeconds)]
        ) { $0.int64(0) }.isEmpty
    }

    public func finish(_ claim: InboxClaim, now: Double) throws -> Bool {
        try !database.prepare(Self.sqlite(InboxClaimSchema.finish)).query([.integer(claim.token), .real(now)]) {
            $0.int64(0)
        }.isEmpty
    }

    public func deleteFinished(before time: Double) throws -> Int {
        try database.prepare(Self.sqlite(InboxClaimSchema.deleteFinished)).query([.real(time)]) { $0.int64(0) }.count
    }

    public func record(_ key: InboxFileKey) throws -> InboxClaimRecord? {
        try database.prepare(Self.sqlite(InboxClaimSchema.record)).query(Self.values(key), Self.record).first
    }

    public func latest(route: String, name: String, size: Int64) throws -> (key: InboxFileKey, record: InboxClaimRecord)? {
        try database.prepare(Self.sqlite(InboxClaimSchema.latest)).query([.text(route), .text(name), .integer(size)]) {
            row in
            (InboxFileKey(route: route, name: name, size: size, modifiedNanoseconds: row.int64(5)), Self.record(row))
        }.first
    }

    private static func record(_ row: SQLiteRow) -> InboxClaimRecord {
        InboxClaimRecord(
            worker: row.text(0) ?? "", token: row.int64(1), finished: row.text(2) == "finished",
            leaseExpiresAt: row.double(3), takeovers: row.int(4))
    }

    private static func values(_ key: InboxFileKey) -> [SQLiteStatement.Value] {
        [.text(key.route), .text(key.name), .integer(key.size), .integer(key.modifiedNanoseconds)]
    }

    /// PostgreSQL's `$n` parameters as SQLite's numbered `?n`.
    private static func sqlite(_ sql: String) -> String {
        sql.replacingOccurrences(of: "$", with: "?")
    }
}
