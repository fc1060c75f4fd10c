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
    private var state: UInt64

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
        state = seed
    }

    /// SplitMix64: small, fast, and good enough for choosing test inputs.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
