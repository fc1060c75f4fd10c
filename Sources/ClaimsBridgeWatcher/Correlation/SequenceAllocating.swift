import ClaimsBridgeStorage
import Foundation

/// Where header numbers come from: the ledger, whose counters are its own (SQLite) or the store's (PostgreSQL).
protocol SequenceAllocating {
    /// The number of one field of one message of a file: allocated the first time, the same one after.
    func allocation(fileID: Int64, line: Int, field: String, scope: String, limit: Int) throws -> Int
}

extension Ledger: SequenceAllocating {}

/// Header numbers on a PostgreSQL store for files of a shared inbox. Such a file is known by its inbox claim, the
/// same for every worker, so a worker taking over a dead worker's file gets the numbers that file was given; any
/// other file is numbered by the ledger.
final class PostgreSQLSequenceAllocator: SequenceAllocating {
    private let ledger: Ledger
    private let sequences: PostgreSQLSequences
    /// Files known by their inbox claim rather than by their ledger record.
    private var fileKeys: [Int64: String] = [:]

    /// Numbers from the store `configuration` names; files without a claim are numbered by `ledger`.
    init(configuration: PostgreSQLConfiguration, ledger: Ledger) throws {
        self.ledger = ledger
        sequences = PostgreSQLSequences(
            database: try PostgreSQLDatabase(borrowingFrom: .shared(for: configuration)))
    }

    /// Numbers the file `fileID` as `key`, so that any worker numbering the file under that key gets the same
    /// numbers.
    func identify(fileID: Int64, as key: String) {
        fileKeys[fileID] = key
    }

    func allocation(fileID: Int64, line: Int, field: String, scope: String, limit: Int) throws -> Int {
        guard let key = fileKeys[fileID] else {
            return try ledger.allocation(fileID: fileID, line: line, field: field, scope: scope, limit: limit)
        }
        return try sequences.allocation(
            fileKey: key, line: line, field: field, counter: Ledger.counter(scope: scope, limit: limit))
    }
}
