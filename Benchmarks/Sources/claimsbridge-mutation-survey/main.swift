import ClaimsBridge
import Foundation

// Puts damaged CDAnet messages through the framer, each followed by an undamaged one (a control), and
// reports how many controls were lost and how many messages were invented (see CDAnetBatchAudit).
//
//   claimsbridge-mutation-survey [--messages N] [--seed S]      (run from the repository root)

func option(_ name: String) -> String? {
    guard let index = CommandLine.arguments.firstIndex(of: name), index + 1 < CommandLine.arguments.count else {
        return nil
    }
    return CommandLine.arguments[index + 1]
}

let damagedCount = Int(option("--messages") ?? "") ?? 1_000_000
let seed = UInt64(option("--seed") ?? "") ?? UInt64.random(in: 1...UInt64.max)
let catalog = CDAnetFuzzChecks.catalog()
let messages: [[UInt8]] = ["Fixtures/cdanet/v04", "Fixtures/cdanet/v02"].flatMap { folder in
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        .filter { $0.hasSuffix(".txt") }
        .compactMap { FileManager.default.contents(atPath: folder + "/" + $0).map(Array.init) }
}
guard !messages.isEmpty else { fatalError("run from the repository root: Fixtures/cdanet not found") }

print("mutation survey: \(damagedCount) damaged messages, each followed by an undamaged control; seed \(seed)")
var generator = SeededGenerator(seed: seed)
var total = CDAnetBatchAudit.Result()
var bytes = 0
let started = ContinuousClock.now
let batch = 1_000
for first in stride(from: 0, to: damagedCount, by: batch) {
    var segments: [CDAnetBatchAudit.Segment] = []
    for _ in 0..<min(batch, damagedCount - first) {
        let damaged = CDAnetMutator.damage(messages.randomElement(using: &generator)!, using: &generator)
        segments.append(.init(bytes: damaged, isControl: false))
        segments.append(.init(bytes: messages.randomElement(using: &generator)!, isControl: true))
    }
    bytes += segments.reduce(0) { $0 + $1.bytes.count }
    total.add(CDAnetBatchAudit(catalog: catalog).audit(segments, chunkSize: Int.random(in: 1_000...256_000, using: &generator)))
}
let seconds = Double((ContinuousClock.now - started).components.attoseconds) / 1e18
    + Double((ContinuousClock.now - started).components.seconds)
print(
    """
    messages:            \(total.damaged) damaged + \(total.controls) controls (\(bytes / 1_000_000) MB) in \(String(format: "%.1f", seconds)) s
    controls lost:       \(total.controlsLost) (\(String(format: "%.4f", 100 * Double(total.controlsLost) / Double(max(total.controls, 1))))%)
    invented messages:   \(total.invented) (\(String(format: "%.4f", 100 * Double(total.invented) / Double(max(total.damaged, 1))))% of damaged)
    messages read:       \(total.messagesRead), rejects: \(total.rejects)
    unaccounted bytes:   \(total.unaccountedBytes)
    largest reject:      \(total.largestReject) bytes; largest buffer: \(total.largestBuffer) bytes
    """)
