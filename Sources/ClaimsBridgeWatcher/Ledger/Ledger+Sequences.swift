import ClaimsBridgeStorage

extension Ledger {
    /// Hands out the next number in `scope` (for example the office sequence numbers of one office),
    /// durably: a number is never given twice, across restarts and processes sharing the ledger.
    /// Numbers run from 1 to `limit` and then start again at 1.
    public func nextSequenceNumber(scope: String, limit: Int) throws -> Int {
        try database.transaction { try takeNumber(scope: scope, limit: limit) }
    }

    /// The number allocated to one field of one message of a file: allocated the first time, the same one after.
    func allocation(fileID: Int64, line: Int, field: String, scope: String, limit: Int) throws -> Int {
        try database.transaction {
            if let number = try database.prepare(
                "SELECT number FROM allocations WHERE file_id = ? AND line = ? AND field = ?"
            ).query([.integer(fileID), .integer(Int64(line)), .text(field)], { $0.int(0) }).first {
                return number
            }
            let number = try takeNumber(scope: scope, limit: limit)
            try database.prepare("INSERT INTO allocations (file_id, line, field, scope, number) VALUES (?, ?, ?, ?, ?)")
                .run([.integer(fileID), .integer(Int64(line)), .text(field), .text(scope), .integer(Int64(number))])
            return number
        }
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
