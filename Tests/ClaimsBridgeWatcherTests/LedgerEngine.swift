import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridgeWatcher

/// The engines the ledger and watcher suites run against: each test runs once on an SQLite file and once on a new
/// database of the PostgreSQL server the tests start themselves.
typealias LedgerEngine = StorageEngine

extension StorageEngine {
    /// Where a new, empty ledger lives.
    func makeLocation(_ prefix: String = "ledger") throws -> LedgerLocation {
        if let store = try newStore() { return .postgreSQL(store) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return .sqlite(path: folder.path + "/ledger.sqlite")
    }

    /// A new, empty ledger.
    func makeLedger(_ prefix: String = "ledger") throws -> Ledger {
        try Ledger(location: makeLocation(prefix))
    }
}
