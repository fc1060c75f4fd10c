import ClaimsBridge
import Foundation

// Throughput and memory benchmark: CDAnet → JSON Lines and back, on synthetic claims streamed from memory.
//
//   swift run -c release --package-path Benchmarks claimsbridge-bench [--megabytes N] [--mappings DIR] [--fixtures DIR]

let usage = """
    usage: claimsbridge-bench [--megabytes N] [--ramq-megabytes N] [--lab-documents N] [--only cdanet|ramq|lab]
                              [--worker-threads N] [--rounds N]
                              [--tree-building balanced|workers|reading]
                              [--mappings DIR] [--fixtures DIR]
           claimsbridge-bench --compare-rules [--rounds N] [--megabytes N]   (cost of the carrier rules)
      --megabytes N    CDAnet input to translate, in MB of 1,000,000 bytes (default 1024)
      --ramq-megabytes N  RAMQ batch XML to translate each way, at N/4 and at N MB (default 100)
      --lab-documents N  lab orders written as example-xml LabCase documents and read back (default 2000)
      --worker-threads N  threads the RAMQ pipelines map claims on (default: cores − 1, from 2 to 4; 0: none)
      --tree-building MODE  RAMQ reading: where claims' trees are built — balanced (default), workers (from the
                       claims' bytes) or reading (by the reading thread); e.g. under valgrind to compare their cost
      --only NAME      run only the cdanet, the ramq or the lab part, or one CDAnet direction: cdanet-read (CDAnet → JSON)
                       or cdanet-write (JSON → CDAnet), e.g. under `perf stat` to count its instructions
      --mappings DIR   the mappings folder (default: <repository>/Mappings/cdanet)
      --fixtures DIR   the fixtures folder (default: <repository>/Fixtures)
      --rounds N       RAMQ: each direction and xmllint run in turns N times (default 3), the fastest of each
                       counting; with --compare-rules, the rounds of that comparison
      --compare-rules  run each direction with and without the carrier rules (a copy of the mappings without
                       `carrierRules:`), alternating, N rounds (default 3), and print the overhead of the medians
    """

if CommandLine.arguments.dropFirst().first == "--transports" {
    FileHandle.standardError.write(
        Data("the transport benchmark is its own program: swift run -c release --package-path Benchmarks claimsbridge-transport-bench\n".utf8))
    exit(2)
}

/// The repository holding this package (…/Benchmarks/Sources/claimsbridge-bench/main.swift, four levels up).
let repository = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .path

struct Options {
    var megabytes = 1024.0
    var mappings = repository + "/Mappings/cdanet"
    var fixtures = repository + "/Fixtures"
    var ramqMegabytes = 100.0
    var labDocuments = 2000
    var only: String?
    var compareRules = false
    var rounds = 3
    /// The tree pipelines' worker threads (nil: their default).
    var workerThreads: Int?
    /// Where the RAMQ reader builds claims' trees.
    var treeBuilding = TreeReadPipeline.TreeBuilding.balanced

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            if flag == "-h" || flag == "--help" {
                print(usage)
                exit(0)
            }
            if flag == "--compare-rules" {
                compareRules = true
                continue
            }
            guard [
                "--megabytes", "--mappings", "--fixtures", "--ramq-megabytes", "--only", "--rounds", "--worker-threads",
                "--tree-building", "--lab-documents",
            ]
                .contains(flag)
            else {
                throw BenchError("unknown option \(flag)\n\(usage)")
            }
            guard let value = rest.popFirst() else { throw BenchError("\(flag) needs a value\n\(usage)") }
            switch flag {
            case "--megabytes":
                guard let number = Double(value), number > 0 else {
                    throw BenchError("--megabytes needs a positive number")
                }
                megabytes = number
            case "--mappings": mappings = value
            case "--tree-building":
                switch value {
                case "balanced": treeBuilding = .balanced
                case "workers": treeBuilding = .onWorkers
                case "reading": treeBuilding = .whileReading
                default: throw BenchError("--tree-building takes balanced, workers or reading")
                }
            case "--worker-threads":
                guard let number = Int(value), number >= 0 else {
                    throw BenchError("--worker-threads needs a whole number, 0 or more")
                }
                workerThreads = number
            case "--rounds":
                guard let number = Int(value), number > 0 else { throw BenchError("--rounds needs a positive number") }
                rounds = number
            case "--ramq-megabytes":
                guard let number = Double(value), number > 0 else { throw BenchError("--ramq-megabytes needs a positive number") }
                ramqMegabytes = number
            case "--lab-documents":
                guard let number = Int(value), number > 0 else { throw BenchError("--lab-documents needs a positive number") }
                labDocuments = number
            case "--only":
                guard ["cdanet", "ramq", "lab", "cdanet-read", "cdanet-write"].contains(value) else {
                    throw BenchError("--only takes cdanet, ramq, lab, cdanet-read or cdanet-write")
                }
                only = value
            default: fixtures = value
            }
        }
    }
}

/// One timed run of a pipeline.
struct Measurement {
    var inputBytes = 0
    var outputBytes = 0
    var summary = TranslationSummary()
    var seconds = 0.0
    var cpuSeconds = 0.0
    var residentBefore: Int?
    var residentAfter: Int?
    var peak: Int?
    var firstReject: String?

    var messagesPerSecond: Double { Double(summary.messages) / seconds }
}

func measure(
    _ pool: MessagePool, messages: Int,
    _ run: (inout CyclingInput, inout CountingOutput, (RejectedMessage) -> Void) throws -> TranslationSummary
) throws -> Measurement {
    var result = Measurement()
    var input = CyclingInput(pool, messages: messages)
    var output = CountingOutput()
    ProcessMemory.resetPeak()
    result.residentBefore = ProcessMemory.resident
    let clock = ContinuousClock()
    let start = clock.now
    let cpuStart = RAMQBenchmark.cpuSeconds()
    result.summary = try run(&input, &output) { rejected in
        if result.firstReject == nil { result.firstReject = rejected.diagnostic(inputName: "bench") }
    }
    result.cpuSeconds = RAMQBenchmark.cpuSeconds() - cpuStart
    let elapsed = clock.now - start
    result.peak = ProcessMemory.peak
    result.residentAfter = ProcessMemory.resident
    result.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    result.inputBytes = input.totalBytes
    result.outputBytes = output.count
    return result
}

/// Fails loudly unless every one of `messages` messages was translated.
func requireAllTranslated(_ name: String, _ result: Measurement, messages: Int) throws {
    if let reject = result.firstReject {
        throw BenchError("\(name): \(result.summary.rejected) rejected; first: \(reject)")
    }
    guard result.summary.messages == messages, result.summary.translated == messages else {
        throw BenchError("\(name): \(result.summary.translated) of \(messages) messages translated")
    }
}

/// Translates the pool to JSON Lines, and those back to CDAnet to check that nothing is lost.
/// - Returns: the JSON Lines, and the first byte where the round trip differs from the pool (nil: identical).
func translatePool(_ pool: MessagePool, catalog: CDAnetCatalog) throws -> (json: [UInt8], differsAt: Int?) {
    var failure: String?
    var input = MemoryInput(pool.bytes)
    var json = MemoryOutput()
    let read = try CDAnetReadPipeline(catalog: catalog, failFast: true).run(input: &input, output: &json) {
        failure = $0.diagnostic(inputName: "pool")
    }
    if let failure { throw BenchError("a synthetic claim does not translate: \(failure)") }
    guard read.translated == pool.count else { throw BenchError("the pool translated to \(read.translated) messages") }
    var lines = MemoryInput(json.bytes)
    var back = MemoryOutput()
    _ = try ModelWritePipeline(catalog: catalog, failFast: true).run(input: &lines, output: &back) {
        failure = $0.diagnostic(inputName: "pool.jsonl")
    }
    if let failure { throw BenchError("a synthetic claim does not translate back: \(failure)") }
    var differsAt: Int?
    if back.bytes != pool.bytes {
        differsAt =
            zip(back.bytes, pool.bytes).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(back.bytes.count, pool.bytes.count)
    }
    return (Array(json.bytes), differsAt)
}

// MARK: - Formatting

let megabyte = 1_000_000.0

func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
func mb(_ bytes: Int) -> String { fixed(Double(bytes) / megabyte, 1) + " MB" }
func mb(_ bytes: Int?) -> String { bytes.map { mb($0) } ?? "n/a" }
func rate(_ bytes: Int, _ seconds: Double) -> Double { Double(bytes) / megabyte / seconds }

/// How far the peak rose above the resident size at the start of a run.
func growth(_ result: Measurement) -> String {
    guard let peak = result.peak, let before = result.residentBefore else { return "n/a" }
    return fixed(Double(peak - before) / megabyte, 2) + " MB"
}

func grouped(_ value: Int) -> String {
    let digits = Array(String(value))
    var text = ""
    for (index, digit) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { text.append(",") }
        text.append(digit)
    }
    return text
}

// MARK: - Run

let targetRate = 150.0
let targetPeak = 32_000_000

func report(_ name: String, _ result: Measurement, _ throughput: String) {
    say(
        "\(name)  \(mb(result.inputBytes)) in \(fixed(result.seconds, 2)) s  \(throughput)  "
            + "\(grouped(Int(result.messagesPerSecond))) msg/s  \(grouped(result.summary.messages)) msgs  "
            + "out \(mb(result.outputBytes))  peak RSS \(mb(result.peak))  rejects \(result.summary.rejected)")
}

/// Prints a line at once (unbuffered), so each result shows as soon as it is known.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func verdict(_ ok: Bool?) -> String { ok.map { $0 ? "pass" : "MISS" } ?? "n/a" }

do {
    let options = try Options(Array(CommandLine.arguments.dropFirst()))
    MallocTuning.returnLargeBlocksPromptly()  // as `claimsbridge translate` does
    if options.only == "ramq" {
        try RAMQBenchmark.run(
            repository: repository, megabytes: options.ramqMegabytes, workerThreads: options.workerThreads,
            treeBuilding: options.treeBuilding, rounds: options.rounds)
        exit(0)
    }
    if options.only == "lab" {
        try LabXMLBenchmark.run(repository: repository, documents: options.labDocuments, rounds: options.rounds)
        exit(0)
    }
    let catalog = try CDAnetCatalog(directory: options.mappings)
    let templates = try SyntheticClaims.templates(fixtures: options.fixtures, catalog: catalog)
    let claims = SyntheticClaims.pool(count: 1_000, templates: templates)
    let (json, differsAt) = try translatePool(claims, catalog: catalog)
    let lines = MessagePool(lines: json)
    guard lines.count == claims.count else { throw BenchError("the pool gave \(lines.count) JSON lines") }
    // Hand memory freed during setup back to the system so the RSS figures show what the runs hold.
    ProcessMemory.releaseFreedMemory()

    #if DEBUG
        let build = "DEBUG build: numbers are not meaningful"
    #else
        let build = "release"
    #endif
    let peakScope = ProcessMemory.resetPeak() ? "peak RSS per direction" : "peak RSS since process start"
    say("claimsbridge-bench  (\(build), single-threaded, MB = 1,000,000 bytes, \(peakScope))")
    say(
        "pool         \(grouped(claims.count)) claims  \(fixed(Double(claims.bytes.count) / megabyte, 2)) MB CDAnet  "
            + "\(fixed(Double(json.count) / megabyte, 2)) MB JSON  "
            + (differsAt.map { "round trip DIFFERS at byte \($0)" } ?? "round trip identical"))

    let messages = claims.messages(coveringBytes: Int(options.megabytes * megabyte))
    if options.only == "cdanet-read" || options.only == "cdanet-write" {
        let reading = options.only == "cdanet-read"
        let result = try measure(reading ? claims : lines, messages: messages) { input, output, onReject in
            reading
                ? try CDAnetReadPipeline(catalog: catalog, failFast: true).run(
                    input: &input, output: &output, onReject: onReject)
                : try ModelWritePipeline(catalog: catalog, failFast: true).run(
                    input: &input, output: &output, onReject: onReject)
        }
        try requireAllTranslated(options.only ?? "", result, messages: messages)
        report(
            reading ? "cdanet→json" : "json→cdanet", result,
            "\(fixed(rate(result.inputBytes, result.cpuSeconds), 1)) MB/s per CPU second")
        exit(0)
    }
    if options.compareRules {
        try RulesComparison.run(
            claims: claims, lines: lines, messages: messages, catalog: catalog, mappings: options.mappings,
            rounds: options.rounds)
        exit(0)
    }
    let toJSON = try measure(claims, messages: messages) { input, output, onReject in
        try CDAnetReadPipeline(catalog: catalog, failFast: true).run(input: &input, output: &output, onReject: onReject)
    }
    try requireAllTranslated("cdanet→json", toJSON, messages: messages)
    let toJSONRate = rate(toJSON.inputBytes, toJSON.seconds)
    report(
        "cdanet→json", toJSON,
        "\(fixed(toJSONRate, 1)) MB/s (\(fixed(rate(toJSON.inputBytes, toJSON.cpuSeconds), 1)) MB/s per CPU second)")

    let toCDAnet = try measure(lines, messages: messages) { input, output, onReject in
        try ModelWritePipeline(catalog: catalog, failFast: true).run(input: &input, output: &output, onReject: onReject)
    }
    try requireAllTranslated("json→cdanet", toCDAnet, messages: messages)
    let toCDAnetRate = rate(toCDAnet.inputBytes, toCDAnet.seconds)
    report(
        "json→cdanet", toCDAnet,
        "\(fixed(toCDAnetRate, 1)) MB/s in (\(fixed(rate(toCDAnet.outputBytes, toCDAnet.seconds), 1)) MB/s out, "
            + "\(fixed(rate(toCDAnet.inputBytes, toCDAnet.cpuSeconds), 1)) MB/s in per CPU second)")

    for (name, result) in [("cdanet→json", toJSON), ("json→cdanet", toCDAnet)] {
        say(
            "rss          \(name)  before \(mb(result.residentBefore))  after \(mb(result.residentAfter))  "
                + "peak \(mb(result.peak))  growth \(growth(result))")
    }
    let consistent = toCDAnet.inputBytes == toJSON.outputBytes && toCDAnet.outputBytes == toJSON.inputBytes
    say("check        byte counts \(consistent ? "agree" : "DISAGREE") both ways (json→cdanet out = cdanet→json in)")
    say("targets: ≥\(Int(targetRate)) MB/s each way (input bytes), peak RSS ≤ \(mb(targetPeak))")
    let peaks = [toJSON.peak, toCDAnet.peak].compactMap { $0 }
    say(
        "verdict: cdanet→json \(verdict(toJSONRate >= targetRate))  json→cdanet \(verdict(toCDAnetRate >= targetRate))  "
            + "peak RSS \(verdict(peaks.max().map { $0 <= targetPeak }))")
    say(
        "cdanet peak RSS  \(mb(peaks.max())) on a \(mb(toJSON.inputBytes)) batch (both directions)  "
            + "goal ≤ \(mb(targetPeak)) \(verdict(peaks.max().map { $0 <= targetPeak }))")
    if options.only == nil {
        try RAMQBenchmark.run(
            repository: repository, megabytes: options.ramqMegabytes, workerThreads: options.workerThreads,
            treeBuilding: options.treeBuilding, rounds: options.rounds)
        try LabXMLBenchmark.run(repository: repository, documents: options.labDocuments, rounds: options.rounds)
    }
} catch {
    FileHandle.standardError.write(Data("claimsbridge-bench: error: \(error)\n".utf8))
    exit(1)
}
