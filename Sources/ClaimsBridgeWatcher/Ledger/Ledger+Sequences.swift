import ClaimsBridgeStorage

extension Ledger {
    /// Hands out the next number in `scope` (for example the office sequence numbers of one office),
    /// durably: a number is never given twice, across restarts and processes sharing the ledger.
    /// Numbers run from 1 to `limit` and then start again at 1.
    public func nextSequenceNumber(scope: String, limit: Int) throws -> Int {
        try database.transaction {
            let current =
                try database.prepare("SELECT next FROM sequences WHERE scope = ?").query([.text(scope)]) { $0.int(0) }
                .first ?? 1
            let following = current >= limit ? 1 : current + 1
            try database.prepare("INSERT INTO sequences (scope, next) VALUES (?1, ?2) ON CONFLICT(scope) DO UPDATE SET next = ?2")
                .run([.text(scope), .integer(Int64(following))])
            return current
        }
    }
}
