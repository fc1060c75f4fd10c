import ClaimsBridge
import ClaimsBridgeTransports
import ClaimsBridgeWatcher
import Foundation
import Logging

// End-to-end benchmark of the drop-folder watcher: small batch files, the folder transport, the ledger and outbox
// on disk. Prints files per second for a backlog, and pickup latency (drop → archived) for files arriving one by one.
//
//   swift run -c release --package-path Benchmarks claimsbridge-watch-bench [--files N] [--trickle N] [--backlog N]

let usage = """
    usage: claimsbridge-watch-bench [--files N] [--trickle N] [--backlog N]
      --files N     files already waiting when the watcher starts, for files/s (default 2000)
      --trickle N   files dropped one by one while it runs, for pickup latency (default 300)
      --backlog N   also process a backlog of N files and report memory and open files (default 0: skip)
    """

let repository = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .path

var options = ["--files": 2000, "--trickle": 300, "--backlog": 0]
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    guard options[flag] != nil, let value = arguments.popFirst().flatMap(Int.init), value >= 0 else {
        print(usage)
        exit(flag == "-h" || flag == "--help" ? 0 : 64)
    }
    options[flag] = value
}

let catalog = try CDAnetCatalog(directory: repository + "/Mappings/cdanet")
let claim = try [UInt8](Data(contentsOf: URL(fileURLWithPath: repository + "/Fixtures/cdanet/v04/01-claim-basic.txt")))

/// A scratch folder with an inbox, an output folder and a one-route configuration.
struct Scenario {
    let root: String
    let configuration: WatchConfiguration
    let transports: [String: any Transport]

    init(name: String) throws {
        root = NSTemporaryDirectory() + "claimsbridge-watch-bench-\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: root)
        for folder in ["inbox", "out", "state"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        let route = Route(
            name: "bench", inbox: root + "/inbox", patterns: ["*.txt"], readiness: .stableFor(.zero),
            translation: .cdanetToJSON, transports: ["out"])
        configuration = WatchConfiguration(stateDirectory: root + "/state", rescanInterval: .seconds(5), routes: [route])
        transports = ["out": try FolderTransport(directory: root + "/out")]
    }

    func makeWatcher() -> Watcher {
        Watcher(
            configuration: configuration, catalog: catalog, transports: transports,
            logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    /// Writes a claim with a unique office sequence number under a temporary name, then renames it into the inbox.
    func drop(_ number: Int) throws {
        var bytes = claim
        let digits = Array(String(format: "%06d", number % 1_000_000).utf8)
        bytes.replaceSubrange(12..<18, with: digits)
        let name = "claim-\(number).txt"
        let temporary = root + "/inbox/.\(name).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)),
            rename(temporary, root + "/inbox/" + name) == 0
        else { throw BenchError("cannot drop \(name)") }
    }

    func archivedCount() -> Int {
        let archive = root + "/inbox/archive"
        let days = (try? FileManager.default.contentsOfDirectory(atPath: archive)) ?? []
        return days.reduce(0) { $0 + ((try? FileManager.default.contentsOfDirectory(atPath: archive + "/" + $1))?.count ?? 0) }
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func procStatus(_ key: String) -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix(key) {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "").map { $0 * 1024 }
    }
    return nil
}

func openFiles() -> Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.count ?? 0 }

func megabytes(_ bytes: Int?) -> String { bytes.map { String(format: "%.1f MB", Double($0) / 1e6) } ?? "n/a" }

/// Processes `count` files already waiting in the inbox; returns seconds, peak open files.
func backlog(_ count: Int, name: String) async throws -> (seconds: Double, maxOpenFiles: Int) {
    let scenario = try Scenario(name: name)
    defer { scenario.remove() }
    for number in 0..<count { try scenario.drop(number) }
    let watcher = scenario.makeWatcher()
    let sampler = Task {
        var highest = 0
        while !Task.isCancelled {
            highest = max(highest, openFiles())
            try? await Task.sleep(for: .milliseconds(50))
        }
        return highest
    }
    let start = ContinuousClock.now
    try await watcher.run(drain: true)
    let elapsed = ContinuousClock.now - start
    sampler.cancel()
    let archived = scenario.archivedCount()
    guard archived == count else { throw BenchError("\(archived) of \(count) files archived") }
    let delivered = try FileManager.default.contentsOfDirectory(atPath: scenario.root + "/out").count
    guard delivered == count else { throw BenchError("\(delivered) of \(count) files delivered") }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return (seconds, await sampler.value)
}

/// Drops `count` files one by one while the watcher runs; returns each file's drop-to-archived latency.
func trickle(_ count: Int) async throws -> [Double] {
    let scenario = try Scenario(name: "trickle")
    defer { scenario.remove() }
    let watcher = scenario.makeWatcher()
    let running = Task { try await watcher.run(drain: false) }
    try await Task.sleep(for: .milliseconds(200))
    var dropped: [String: Double] = [:]
    for number in 0..<count {
        dropped["claim-\(number).txt"] = Date().timeIntervalSince1970
        try scenario.drop(number)
        try await Task.sleep(for: .milliseconds(20))
    }
    let deadline = ContinuousClock.now + .seconds(60)
    while scenario.archivedCount() < count && ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(20))
    }
    watcher.stop()
    try await running.value
    let ledger = try Ledger(path: scenario.root + "/state/ledger.sqlite")
    let files = try ledger.files(limit: count * 2)
    guard files.count == count else { throw BenchError("\(files.count) of \(count) files recorded") }
    return files.compactMap { file in
        guard let finished = file.finishedAt, let start = dropped[file.name] else { return nil }
        return finished - start
    }.sorted()
}

print("Drop-folder watcher: CDAnet claim files (\(claim.count) bytes each) → JSON, folder transport, ledger and outbox on disk")
let filesCount = options["--files"]!
if filesCount > 0 {
    let result = try await backlog(filesCount, name: "files")
    print(String(format: "throughput: %d files in %.2f s = %.0f files/s (max %d open files)", filesCount, result.seconds, Double(filesCount) / result.seconds, result.maxOpenFiles))
}
let trickleCount = options["--trickle"]!
if trickleCount > 0 {
    let latencies = try await trickle(trickleCount)
    func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] * 1000 }
    print(String(format: "pickup latency (rename into inbox → archived), %d files: median %.1f ms, p95 %.1f ms, max %.1f ms", latencies.count, percentile(0.5), percentile(0.95), latencies.last.map { $0 * 1000 } ?? 0))
}
let backlogCount = options["--backlog"]!
if backlogCount > 0 {
    let before = procStatus("VmRSS:")
    let result = try await backlog(backlogCount, name: "backlog")
    print(String(format: "backlog: %d files in %.1f s = %.0f files/s; resident memory %@ before, peak %@; max %d open files", backlogCount, result.seconds, Double(backlogCount) / result.seconds, megabytes(before), megabytes(procStatus("VmHWM:")), result.maxOpenFiles))
}
