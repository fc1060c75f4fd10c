import ClaimsBridgeStorage

extension Ledger {
    /// Hands out the next number in `scope` (for example the office sequence numbers of one office),
    /// durably: a number is never given twice, across restarts and processes sharing the ledger.
    /// Numbers run from 1 to `limit` and then start again at 1.
    ///
    /// On PostgreSQL the counter is the store's (`sequence_counters`, the one ``PostgreSQLSequences`` keeps), so a
    /// scope `A02/<office>` or `A09/<office>/<carrier>` counts with every worker sharing the store.
    public func nextSequenceNumber(scope: String, limit: Int) throws -> Int {
        switch database.engine {
        case .sqlite(let sqlite): try sqlite.transaction { try takeNumber(scope: scope, limit: limit) }
        case .postgreSQL(let postgreSQL):
            try LedgerDatabase.onPostgreSQL(postgreSQL) {
                try PostgreSQLSequences(database: postgreSQL).next(Self.counter(scope: scope, limit: limit))
            }
        }
    }

    /// The number allocated to one field of one message of a file: allocated the first time, the same one after.
    func allocation(fileID: Int64, line: Int, field: String, scope: String, limit: Int) throws -> Int {
        switch database.engine {
        case .sqlite(let sqlite):
            return try sqlite.transaction {
                if let number = try database.prepare(
                    "SELECT number FROM allocations WHERE file_id = ? AND line = ? AND field = ?"
                ).query([.integer(fileID), .integer(Int64(line)), .text(field)], { $0.int(0) }).first {
                    return number
                }
                let number = try takeNumber(scope: scope, limit: limit)
                try database.prepare(
                    "INSERT INTO allocations (file_id, line, field, scope, number) VALUES (?, ?, ?, ?, ?)"
                ).run([.integer(fileID), .integer(Int64(line)), .text(field), .text(scope), .integer(Int64(number))])
                return number
            }
        case .postgreSQL(let postgreSQL):
            // The file's number is the store's, the same for every worker: the file is known by it alone.
            return try LedgerDatabase.onPostgreSQL(postgreSQL) {
                try PostgreSQLSequences(database: postgreSQL).allocation(
                    fileKey: "ledger#\(fileID)", line: line, field: field,
                    counter: Self.counter(scope: scope, limit: limit))
            }
        }
    }

    /// The store's counter for a ledger scope (`A02/<office>`, `A09/<office>/<carrier>`, or any other name).
    static func counter(scope: String, limit: Int) -> SequenceCounter {
        let parts = scope.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        return SequenceCounter(
            fieldID: parts[0], office: parts.count > 1 ? parts[1] : "", carrier: parts.count > 2 ? parts[2] : "",
            limit: limit)
    }

    private func takeNumber(scope: String, limit: Int) throws -> Int {
        let current =
            try database.prepare("SELECT next FROM sequences WHERE scope = ?").query([.text(scope)]) { $0.int(0) }
            .first ?? 1
        let following = current >= limit ? 1 : current + 1
        try database.prepare("INSERT INTO sequences (scope, next) VALUES (?1, ?2) ON CONFLICT(scope) DO UPDATE SET next = ?2")
            .run([.text(scope), .integer(Int64(following))])
        return current
    }
}
