/// Inbox claims in PostgreSQL, shared by every worker on every machine watching the same (network) inbox folder.
///
/// A claim is one `INSERT … ON CONFLICT DO UPDATE … WHERE` statement: the row lock it takes makes two workers
/// claiming the same file at once wait for each other, and the second then finds the first one's live lease and
/// gets nothing. Tokens come from a sequence, so each claim's token is greater than any before it.
public final class PostgreSQLInboxClaimStore: InboxClaimStore {
    /// The schema the claims need; part of ``PostgreSQLSchema/migrations``.
    public static let migration = PostgreSQLMigration(
        version: 5, name: "inbox claims",
        sql: InboxClaimSchema.table(tokenType: "bigint", timeType: "double precision")
            + "\nCREATE SEQUENCE inbox_claim_tokens;")

    let database: PostgreSQLDatabase

    public init(database: PostgreSQLDatabase) {
        self.database = database
    }

    /// Connects to the store of `configuration` (already migrated), through the process's pool.
    public convenience init(configuration: PostgreSQLConfiguration) throws {
        self.init(database: try PostgreSQLDatabase(borrowingFrom: .shared(for: configuration)))
    }

    public func claim(_ key: InboxFileKey, worker: String, leaseSeconds: Double, now: Double) throws -> InboxClaim? {
        let result = try retrying {
            try database.execute(
                InboxClaimSchema.claim(newToken: "nextval('inbox_claim_tokens')"),
                Self.values(key) + [worker, String(now + leaseSeconds), String(now)])
        }
        return try result.rows.first.map { row throws in InboxClaim(key: key, token: Int64(try row.int(0))) }
    }

    public func renew(_ claim: InboxClaim, leaseSeconds: Double, now: Double) throws -> Bool {
        try !retrying {
            try database.execute(InboxClaimSchema.renew, [String(claim.token), String(now + leaseSeconds)])
        }.rows.isEmpty
    }

    public func finish(_ claim: InboxClaim, now: Double) throws -> Bool {
        try !retrying { try database.execute(InboxClaimSchema.finish, [String(claim.token), String(now)]) }.rows.isEmpty
    }

    public func deleteFinished(before time: Double) throws -> Int {
        try retrying { try database.execute(InboxClaimSchema.deleteFinished, [String(time)]) }.rows.count
    }

    public func record(_ key: InboxFileKey) throws -> InboxClaimRecord? {
        try retrying { try database.execute(InboxClaimSchema.record, Self.values(key)) }.rows.first.map(Self.record)
    }

    public func latest(route: String, name: String, size: Int64) throws -> (key: InboxFileKey, record: InboxClaimRecord)? {
        try retrying { try database.execute(InboxClaimSchema.latest, [route, name, String(size)]) }.rows.first.map {
            row throws in
            (
                InboxFileKey(route: route, name: name, size: size, modifiedNanoseconds: Int64(try row.int(5))),
                try Self.record(row)
            )
        }
    }

    private static func record(_ row: PostgreSQLRow) throws -> InboxClaimRecord {
        InboxClaimRecord(
            worker: row.text(0) ?? "", token: Int64(try row.int(1)), finished: row.text(2) == "finished",
            leaseExpiresAt: Double(row.text(3) ?? "") ?? 0, takeovers: try row.int(4))
    }

    /// Each statement stands alone, so one that failed on a lost connection is simply run again; a connection the
    /// server closed while idle is replaced first, and a server that is restarting is waited for (about 7 s).
    private func retrying(_ body: () throws -> PostgreSQLResult) throws -> PostgreSQLResult {
        try PostgreSQLDatabase.waitingForServer {
            database.replaceIfClosedByServer()
            return try database.retryingTransaction { try body() }
        }
    }

    private static func values(_ key: InboxFileKey) -> [String?] {
        [key.route, key.name, String(key.size), String(key.modifiedNanoseconds)]
    }
}
