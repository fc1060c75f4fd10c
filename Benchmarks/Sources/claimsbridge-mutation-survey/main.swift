import ClaimsBridge
import Foundation

// Puts damaged CDAnet messages through the framer, each followed by an undamaged one (a control), and
// reports how many controls were lost and how many messages were invented (see CDAnetBatchAudit).
//
//   claimsbridge-mutation-survey [--messages N] [--seed S] [--examples K [--dump DIR]]   (run from the repository root)
//
// --examples K prints the first K controls lost or messages invented: which fixture was damaged where, and the
// frames the framer made around it (offsets relative to the damaged message's start). --dump DIR also writes
// each example's bytes (the message before the damaged one, the damaged one, its control and the next one) to
// DIR/N.cdanet, to replay with `claimsbridge translate --from cdanet`.

func option(_ name: String) -> String? {
    guard let index = CommandLine.arguments.firstIndex(of: name), index + 1 < CommandLine.arguments.count else {
        return nil
    }
    return CommandLine.arguments[index + 1]
}

let damagedCount = Int(option("--messages") ?? "") ?? 1_000_000
let seed = UInt64(option("--seed") ?? "") ?? UInt64.random(in: 1...UInt64.max)
let examplesWanted = Int(option("--examples") ?? "") ?? 0
var examplesLeft = examplesWanted
let dumpFolder = option("--dump")
let catalog = CDAnetFuzzChecks.catalog()
let fixtures: [(name: String, bytes: [UInt8])] = ["Fixtures/cdanet/v04", "Fixtures/cdanet/v02"].flatMap { folder in
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        .filter { $0.hasSuffix(".txt") }
        .compactMap { name in FileManager.default.contents(atPath: folder + "/" + name).map { (name, Array($0)) } }
}
let messages = fixtures.map(\.bytes)
guard !messages.isEmpty else { fatalError("run from the repository root: Fixtures/cdanet not found") }

/// Where `damaged` differs from `original`: the bytes both share at the start and at the end.
func difference(_ original: [UInt8], _ damaged: [UInt8]) -> String {
    var head = 0
    while head < original.count, head < damaged.count, original[head] == damaged[head] { head += 1 }
    var tail = 0
    while tail < original.count - head, tail < damaged.count - head,
        original[original.count - 1 - tail] == damaged[damaged.count - 1 - tail]
    {
        tail += 1
    }
    return "\(original.count) → \(damaged.count) bytes; same first \(head), same last \(tail)"
}

func printable(_ bytes: ArraySlice<UInt8>) -> String {
    String(bytes.map { $0 >= 0x20 && $0 < 0x7F ? Character(UnicodeScalar($0)) : "·" })
}

func describe(
    _ finding: CDAnetBatchAudit.Finding, _ segments: [CDAnetBatchAudit.Segment], _ names: [Int], number: Int,
    dumpFolder: String?
) {
    let damaged = finding.kind == .controlLost ? finding.segment - 1 : finding.segment
    guard damaged >= 0, !segments[damaged].isControl else {
        print("\(finding.kind.rawValue) in segment \(finding.segment) (after a control)")
        return
    }
    let fixture = fixtures[names[damaged]]
    let origin = finding.segmentStart - (finding.kind == .controlLost ? segments[damaged].bytes.count : 0)
    let control = fixtures[names[damaged + 1]].name
    print("--- \(finding.kind.rawValue)\(finding.isAmbiguous ? " (ambiguous)" : ""): damaged \(fixture.name) (\(difference(fixture.bytes, segments[damaged].bytes))), then \(control) at +\(segments[damaged].bytes.count)")
    if finding.kind == .controlLost, damaged + 2 < segments.count {
        let next = fixtures[names[damaged + 2]]
        print("    next: damaged \(next.name) (\(difference(next.bytes, segments[damaged + 2].bytes)))")
    }
    for frame in finding.frames {
        let kind = frame.isMessage ? "message" : "reject  "
        print("    \(kind) +\(frame.offset - origin) length \(frame.length)\(frame.reason.map { ": " + $0 } ?? "")")
    }
    print("    damaged: \(printable(segments[damaged].bytes[...].prefix(400)))")
    if let dumpFolder {
        let around = segments[max(0, damaged - 1)..<min(segments.count, damaged + 3)].flatMap(\.bytes)
        let path = "\(dumpFolder)/\(number).cdanet"
        FileManager.default.createFile(atPath: path, contents: Data(around))
        print("    bytes: \(path) (from the message before the damaged one, at -\(damaged > 0 ? segments[damaged - 1].bytes.count : 0))")
    }
}

print("mutation survey: \(damagedCount) damaged messages, each followed by an undamaged control; seed \(seed)")
var generator = SeededGenerator(seed: seed)
var total = CDAnetBatchAudit.Result()
var bytes = 0
let started = ContinuousClock.now
let batch = 1_000
for first in stride(from: 0, to: damagedCount, by: batch) {
    var segments: [CDAnetBatchAudit.Segment] = []
    var names: [Int] = []
    for _ in 0..<min(batch, damagedCount - first) {
        let original = Int.random(in: 0..<messages.count, using: &generator)
        let damaged = CDAnetMutator.damage(messages[original], using: &generator)
        segments.append(.init(bytes: damaged, isControl: false, original: messages[original]))
        let control = Int.random(in: 0..<messages.count, using: &generator)
        segments.append(.init(bytes: messages[control], isControl: true))
        names += [original, control]
    }
    bytes += segments.reduce(0) { $0 + $1.bytes.count }
    let chunkSize = Int.random(in: 1_000...256_000, using: &generator)
    let audit = CDAnetBatchAudit(catalog: catalog)
    total.add(
        audit.audit(segments, chunkSize: chunkSize, onFinding: examplesLeft <= 0 ? nil : { finding in
            guard examplesLeft > 0 else { return }
            examplesLeft -= 1
            describe(finding, segments, names, number: examplesWanted - examplesLeft, dumpFolder: dumpFolder)
        }))
}
let elapsed = (ContinuousClock.now - started).components
let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
print(
    """
    messages:            \(total.damaged) damaged + \(total.controls) controls (\(bytes / 1_000_000) MB) in \(String(format: "%.1f", seconds)) s
    controls lost:       \(total.controlsLost) (\(String(format: "%.4f", 100 * Double(total.controlsLost) / Double(max(total.controls, 1))))%)
      of which ambiguous: \(total.controlsLostAmbiguously) (the same bytes are the damaged message intact, read as such, and the control damaged)
    invented messages:   \(total.invented) (\(String(format: "%.4f", 100 * Double(total.invented) / Double(max(total.damaged, 1))))% of damaged)
    messages read:       \(total.messagesRead), rejects: \(total.rejects)
    unaccounted bytes:   \(total.unaccountedBytes)
    largest reject:      \(total.largestReject) bytes; largest buffer: \(total.largestBuffer) bytes
    """)
