import ClaimsBridgeStorage
import Foundation

/// Where header numbers come from: the ledger (one machine), or PostgreSQL (every worker sharing the store).
protocol SequenceAllocating {
    /// The number of one field of one message of a file: allocated the first time, the same one after.
    func allocation(fileID: Int64, line: Int, field: String, scope: String, limit: Int) throws -> Int
}

extension Ledger: SequenceAllocating {}

/// Header numbers from the PostgreSQL store, unique across every worker sharing it. A file is known there by the
/// ledger that holds it (host name, ledger path, file ID), so a file resumed after a crash gets its numbers again.
final class PostgreSQLSequenceAllocator: SequenceAllocating {
    private let sequences: PostgreSQLSequences
    private let ledgerIdentity: String

    /// Connects to the store for the ledger at `ledgerPath`.
    init(configuration: PostgreSQLConfiguration, ledgerPath: String) throws {
        sequences = PostgreSQLSequences(database: try PostgreSQLDatabase(configuration: configuration))
        ledgerIdentity = ProcessInfo.processInfo.hostName + ":" + ledgerPath
    }

    func allocation(fileID: Int64, line: Int, field: String, scope: String, limit: Int) throws -> Int {
        let counter = Ledger.counter(scope: scope, limit: limit)
        return try sequences.allocation(
            fileKey: "\(ledgerIdentity)#\(fileID)", line: line, field: field, counter: counter)
    }
}
