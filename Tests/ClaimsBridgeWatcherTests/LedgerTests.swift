import ClaimsBridgeTestSupport
@testable import ClaimsBridgeWatcher
import Foundation
import Testing

@Suite("Ledger")
struct LedgerTests {
    @Test(
        "Sequence numbers are never handed out twice, across connections, and wrap at the limit",
        arguments: LedgerEngine.allCases)
    func sequenceNumbers(_ engine: LedgerEngine) throws {
        let location = try engine.makeLocation()
        let first = try Ledger(location: location)
        let second = try Ledger(location: location)
        var seen: [Int] = []
        for index in 0..<10 {
            let ledger = index.isMultiple(of: 2) ? first : second
            seen.append(try ledger.nextSequenceNumber(scope: "office-1234", limit: 6))
        }
        #expect(seen == [1, 2, 3, 4, 5, 6, 1, 2, 3, 4])
        #expect(try first.nextSequenceNumber(scope: "office-9999", limit: 999_999) == 1)
    }
}
