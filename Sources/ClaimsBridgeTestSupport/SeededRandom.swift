public import ClaimsBridge
public import Foundation

/// A random number generator for tests that can be replayed: it prints its seed, and takes the seed from
/// `CLAIMSBRIDGE_TEST_SEED` when set, so a failure seen once can be run again exactly.
///
/// ```swift
/// var random = SeededRandom(for: "damagedCDAnet")   // prints: damagedCDAnet: seed 1234… (CLAIMSBRIDGE_TEST_SEED=1234…)
/// let index = Int.random(in: 0..<10, using: &random)
/// ```
public struct SeededRandom: RandomNumberGenerator, Sendable {
    /// The seed this generator started from.
    public let seed: UInt64
    private var generator: SeededGenerator

    /// The name of the environment variable that fixes the seed.
    public static let environmentVariable = "CLAIMSBRIDGE_TEST_SEED"

    /// A generator seeded from `CLAIMSBRIDGE_TEST_SEED`, or from the system's randomness; prints the seed.
    /// - Parameter test: the test's name, printed with the seed.
    public init(for test: String) {
        let given = ProcessInfo.processInfo.environment[Self.environmentVariable].flatMap { UInt64($0) }
        self.init(seed: given ?? UInt64.random(in: 0...UInt64.max))
        print("\(test): seed \(seed) (rerun with \(Self.environmentVariable)=\(seed))")
    }

    /// A generator started from `seed`: the same seed gives the same numbers.
    public init(seed: UInt64) {
        self.seed = seed
        generator = SeededGenerator(seed: seed)
    }

    /// The next number of the core's ``SeededGenerator`` (SplitMix64).
    public mutating func next() -> UInt64 { generator.next() }
}
