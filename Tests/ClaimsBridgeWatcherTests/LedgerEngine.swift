import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridgeWatcher

/// The engines the ledger suites run against: each test runs once on an SQLite file and once on a new database of
/// the PostgreSQL server the tests start themselves.
enum LedgerEngine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite = "SQLite"
    case postgreSQL = "PostgreSQL"

    var testDescription: String { rawValue }

    /// Where a new, empty ledger lives.
    func makeLocation(_ prefix: String = "ledger") throws -> LedgerLocation {
        switch self {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return .sqlite(path: folder.path + "/ledger.sqlite")
        case .postgreSQL:
            return .postgreSQL(try PostgreSQLTestServer.shared().newDatabase())
        }
    }

    /// A new, empty ledger.
    func makeLedger(_ prefix: String = "ledger") throws -> Ledger {
        try Ledger(location: makeLocation(prefix))
    }
}
