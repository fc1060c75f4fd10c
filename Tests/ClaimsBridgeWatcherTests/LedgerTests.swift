@testable import ClaimsBridgeWatcher
import Foundation
import Testing

@Suite("Ledger")
struct LedgerTests {
    @Test("Sequence numbers are never handed out twice, across connections, and wrap at the limit")
    func sequenceNumbers() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString).sqlite").path
        let first = try Ledger(path: path)
        let second = try Ledger(path: path)
        var seen: [Int] = []
        for index in 0..<10 {
            let ledger = index.isMultiple(of: 2) ? first : second
            seen.append(try ledger.nextSequenceNumber(scope: "office-1234", limit: 6))
        }
        #expect(seen == [1, 2, 3, 4, 5, 6, 1, 2, 3, 4])
        #expect(try first.nextSequenceNumber(scope: "office-9999", limit: 999_999) == 1)
    }
}
