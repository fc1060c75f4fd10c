import ClaimsBridge
import Foundation

/// The seed of a test that damages input at random: `CLAIMSBRIDGE_TEST_SEED` when set, else a fresh one.
/// It is printed, so a failing run can be repeated exactly.
enum TestSeed {
    static func generator(for test: String) -> SeededGenerator {
        let seed =
            ProcessInfo.processInfo.environment["CLAIMSBRIDGE_TEST_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 1...UInt64.max)
        print("\(test): seed \(seed) (repeat with CLAIMSBRIDGE_TEST_SEED=\(seed))")
        return SeededGenerator(seed: seed)
    }
}
