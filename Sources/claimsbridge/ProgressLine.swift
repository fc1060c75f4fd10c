import ClaimsBridge
import Foundation

/// For a long batch, shows on standard error how much of the input has been read, on one line rewritten in
/// place — only when standard error is a terminal, never when it is a file or a pipe.
final class ProgressLine {
    private let total: Int?
    private let enabled: Bool
    private let started = ContinuousClock.now
    private var nextUpdate: ContinuousClock.Instant
    private var bytesRead = 0
    private var shown = false

    /// - Parameters:
    ///   - total: the input's size when known (a regular file), to show a percentage.
    ///   - enabled: whether to show anything (by default: standard error is a terminal).
    ///   - delay: how long a batch runs before its progress is shown.
    init(total: Int?, enabled: Bool = isatty(2) == 1, delay: Duration = .seconds(1)) {
        self.total = total
        self.enabled = enabled
        nextUpdate = started + delay
    }

    /// Counts `count` more bytes read, and shows the line when it is due.
    func advance(by count: Int) {
        bytesRead += count
        guard enabled else { return }
        let now = ContinuousClock.now
        guard now >= nextUpdate else { return }
        nextUpdate = now + .milliseconds(500)
        let elapsed = now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let megabytes = Double(bytesRead) / 1_000_000
        var text = "\rclaimsbridge: " + String(format: "%.1f MB read", megabytes)
        if let total, total > 0 {
            text += String(format: " of %.1f MB (%d%%)", Double(total) / 1_000_000, min(bytesRead * 100 / total, 100))
        }
        text += String(format: ", %.1f MB/s\u{1B}[K", megabytes / max(seconds, 0.001))
        Self.write(text)
        shown = true
    }

    /// Clears the line, if it was shown.
    func finish() {
        if shown { Self.write("\r\u{1B}[K") }
        shown = false
    }

    private static func write(_ text: String) {
        Array(text.utf8).withUnsafeBytes { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

/// An input that reports what it reads to a ``ProgressLine``.
struct ProgressInput<Base: ByteInput>: ByteInput {
    private var base: Base
    private let progress: ProgressLine

    init(_ base: Base, progress: ProgressLine) {
        self.base = base
        self.progress = progress
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = try base.read(into: buffer)
        progress.advance(by: count)
        return count
    }
}
