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
    /// Files known by another key than their ledger's: their inbox claim, shared by every worker.
    private var fileKeys: [Int64: String] = [:]

    /// Connects to the store for the ledger at `ledgerPath`.
    init(configuration: PostgreSQLConfiguration, ledgerPath: String) throws {
        sequences = PostgreSQLSequences(database: try PostgreSQLDatabase(configuration: configuration))
        ledgerIdentity = ProcessInfo.processInfo.hostName + ":" + ledgerPath
    }

    /// Numbers the file `fileID` of this ledger as `key`, so that any worker numbering the file under that key gets
    /// the same numbers.
    func identify(fileID: Int64, as key: String) {
        fileKeys[fileID] = key
    }

    func allocation(fileID: Int64, line: Int, field: String, scope: String, limit: Int) throws -> Int {
        // The ledger's scope names: `A02/<office>` or `A09/<office>/<carrier>`.
        let parts = scope.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        let counter = SequenceCounter(
            fieldID: parts[0], office: parts.count > 1 ? parts[1] : "", carrier: parts.count > 2 ? parts[2] : "",
            limit: limit)
        return try sequences.allocation(
            fileKey: fileKeys[fileID] ?? "\(ledgerIdentity)#\(fileID)", line: line, field: field, counter: counter)
    }
}
