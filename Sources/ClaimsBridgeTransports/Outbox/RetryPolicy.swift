/// When to try a failed delivery again: exponential backoff with jitter, and a limit on attempts.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts before a delivery that keeps failing is dead-lettered (including the first).
    public var maxAttempts: Int
    /// The wait after the first failed attempt, in seconds.
    public var initialDelaySeconds: Double
    /// The longest wait, in seconds.
    public var maxDelaySeconds: Double
    /// How much each wait grows.
    public var multiplier: Double
    /// The fraction of each wait that is random (0 = none, 0.5 = between half and all of it), so that many
    /// deliveries failing together do not retry together.
    public var jitter: Double

    /// Creates a policy; the defaults wait about 5 s, 10 s, 20 s … up to an hour, 10 attempts in all.
    public init(
        maxAttempts: Int = 10, initialDelaySeconds: Double = 5, maxDelaySeconds: Double = 3600,
        multiplier: Double = 2, jitter: Double = 0.5
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelaySeconds = max(0, initialDelaySeconds)
        self.maxDelaySeconds = max(self.initialDelaySeconds, maxDelaySeconds)
        self.multiplier = max(1, multiplier)
        self.jitter = min(1, max(0, jitter))
    }

    /// The wait after attempt number `attempt` (1-based) failed, in seconds.
    public func delay(afterAttempt attempt: Int) -> Double {
        var generator = SystemRandomNumberGenerator()
        return delay(afterAttempt: attempt, using: &generator)
    }

    /// The wait after attempt number `attempt` failed, drawing the jitter from `generator`.
    public func delay(afterAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Double {
        let exponent = Double(max(0, attempt - 1))
        let base = min(maxDelaySeconds, initialDelaySeconds * pow(multiplier, exponent))
        guard jitter > 0, base > 0 else { return base }
        return base * (1 - jitter * Double.random(in: 0...1, using: &generator))
    }
}

private func pow(_ base: Double, _ exponent: Double) -> Double {
    var result = 1.0
    var remaining = Int(exponent)
    while remaining > 0 && result < 1e12 {
        result *= base
        remaining -= 1
    }
    return result
}
