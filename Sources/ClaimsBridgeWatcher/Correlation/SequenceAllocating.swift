import ClaimsBridgeStorage
import Foundation

/// Where header numbers come from: the ledger, whose counters are its own (SQLite) or the store's (PostgreSQL).
protocol SequenceAllocating {
    /// The number of one field of one message of a file: allocated the first time, the same one after.
    func allocation(fileID: Int64, line: Int, field: String, scope: String, limit: Int) throws -> Int
}

extension Ledger: SequenceAllocating {}
