import ClaimsBridge
import Foundation

/// RAMQ dental claim batches through the tree pipelines: claims (JSON Lines) → batch XML, validated claim by
/// claim against the XSD, and batch XML → claims, streamed from memory at two batch sizes.
enum RAMQBenchmark {
    /// A batch document made on the fly: a prefix, the record pool repeated, a suffix.
    struct BatchInput: ByteInput {
        let prefix: [UInt8]
        var records: CyclingInput
        let suffix: [UInt8]
        private var stage = 0
        private var offset = 0
        let totalBytes: Int

        init(prefix: [UInt8], records: MessagePool, count: Int, suffix: [UInt8]) {
            self.prefix = prefix
            self.records = CyclingInput(records, messages: count)
            self.suffix = suffix
            totalBytes = prefix.count + self.records.totalBytes + suffix.count
        }

        mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            while true {
                switch stage {
                case 0, 2:
                    let part = stage == 0 ? prefix : suffix
                    if offset < part.count {
                        let count = min(buffer.count, part.count - offset)
                        part.withUnsafeBytes {
                            buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: count)
                        }
                        offset += count
                        return count
                    }
                    if stage == 2 { return 0 }
                    stage = 1
                    offset = 0
                default:
                    let count = try records.read(into: buffer)
                    if count > 0 { return count }
                    stage = 2
                }
            }
        }
    }

    /// Claims with distinct numbers and names, from the golden RAMQ fixture.
    static func claimLines(repository: String, count: Int) throws -> MessagePool {
        let text = try String(contentsOfFile: repository + "/Fixtures/ramq/many-claims.expected.jsonl", encoding: .utf8)
        let templates = text.split(separator: "\n").map(String.init)
        var bytes: [UInt8] = []
        for index in 0..<count {
            let sequence = String(format: "%03d", index % 1000)
            var line = templates[index % templates.count]
            line = line.replacingOccurrences(
                of: #"(\"attestation\":\"4005)\d{3}"#, with: "$1" + sequence, options: .regularExpression)
            line = line.replacingOccurrences(of: #""firstName":""#, with: #""firstName":"N\#(index % 97)"#)
            bytes += Array(line.utf8) + [0x0A]
        }
        return MessagePool(lines: bytes)
    }

    /// - Parameter rounds: how many times each direction and the reference run; the fastest run of each counts.
    static func run(
        repository: String, megabytes: Double, workerThreads: Int?,
        treeBuilding: TreeReadPipeline.TreeBuilding = .balanced, rounds: Int
    ) throws {
        let mapping = try TreeMapping.load(path: repository + "/Mappings/ramq/claim.mapping.yaml")
        let claims = try claimLines(repository: repository, count: 1_000)
        var poolInput = MemoryInput(claims.bytes)
        var poolBatch = MemoryOutput()
        let check = try TreeWritePipeline(mapping: mapping, failFast: true).run(input: &poolInput, output: &poolBatch) {
            _ in
        }
        guard check.translated == claims.count else { throw BenchError("the RAMQ claim pool does not translate") }
        let batchText = String(decoding: poolBatch.bytes, as: UTF8.self)
        let lines = batchText.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) + "\n" }
        let prefix = Array((lines[0] + lines[1]).utf8)
        let suffix = Array("</DP_RACIN>\n".utf8)
        var recordBytes: [UInt8] = []
        var ends: [Int] = []
        for line in lines.dropFirst(2) where !line.hasPrefix("</DP_RACIN>") && line != "\n" {
            recordBytes += Array(line.utf8)
            if line == "  </DP>\n" { ends.append(recordBytes.count) }
        }
        let records = MessagePool(bytes: recordBytes, ends: ends)
        ProcessMemory.releaseFreedMemory()
        say(
            "ramq pool    \(grouped(claims.count)) claims  \(fixed(Double(claims.bytes.count) / megabyte, 2)) MB JSON  "
                + "\(fixed(Double(recordBytes.count) / megabyte, 2)) MB batch XML (each claim checked against DP_DENTI.xsd); "
                + "fastest of \(rounds) rounds, ours and xmllint in turns"
        )
        for size in [megabytes / 4, megabytes] {
            let messages = records.messages(coveringBytes: Int(size * megabyte))
            let file = NSTemporaryDirectory() + "claimsbridge-bench-ramq-\(getpid()).xml"
            defer { unlink(file) }
            var batch = BatchInput(prefix: prefix, records: records, count: messages, suffix: suffix)
            try XMLLintReference.write(&batch, to: file)
            let schema = repository + "/Mappings/ramq/DP_DENTI.xsd"
            // Ours and the reference in turns, `rounds` times, each keeping its fastest run: a shared machine's
            // slow moments then weigh on both alike.
            var toXML: Measurement?
            var toJSON: Measurement?
            var lint: (cpu: Double, wall: Double)?
            for _ in 0..<rounds {
                var writer = try TreeWritePipeline(mapping: mapping, failFast: true)
                writer.workerThreads = workerThreads
                var writeInput = CyclingInput(claims, messages: messages)
                toXML = faster(
                    toXML,
                    try measured(&writeInput, bytes: writeInput.totalBytes) { input, output in
                        try writer.run(input: &input, output: &output) { _ in }
                    })
                var reader = try TreeReadPipeline(mapping: mapping, failFast: true)
                reader.workerThreads = workerThreads
                reader.treeBuilding = treeBuilding
                var readInput = BatchInput(prefix: prefix, records: records, count: messages, suffix: suffix)
                toJSON = faster(
                    toJSON,
                    try measured(&readInput, bytes: readInput.totalBytes) { input, output in
                        try reader.run(input: &input, output: &output) { _ in }
                    })
                if let run = XMLLintReference.seconds(schema: schema, file: file) {
                    lint = lint.map { $0.wall <= run.wall ? $0 : run } ?? run
                }
            }
            guard let toXML, let toJSON else { throw BenchError("no RAMQ round ran") }
            for (name, result) in [("json→ramq", toXML), ("ramq→json", toJSON)] {
                guard result.summary.translated == messages, result.summary.rejected == 0 else {
                    throw BenchError("\(name): \(result.summary.translated) of \(messages) claims translated")
                }
                say(
                    "\(name)    \(mb(result.inputBytes)) in \(fixed(result.seconds, 2)) s  "
                        + "\(fixed(rate(result.inputBytes, result.seconds), 1)) MB/s in  "
                        + "\(fixed(rate(result.outputBytes, result.seconds), 1)) MB/s out  "
                        + "(\(fixed(rate(result.inputBytes, result.cpuSeconds), 1)) MB/s in per CPU second)  "
                        + "\(grouped(Int(result.messagesPerSecond))) claims/s  out \(mb(result.outputBytes))  "
                        + "peak RSS \(mb(result.peak))")
            }
            let xmlBytes = batch.totalBytes
            let ours = [("read ", toJSON), ("write", toXML)]
            for (direction, result) in ours {
                let perCPU = rate(xmlBytes, result.cpuSeconds)
                let perSecond = rate(xmlBytes, result.seconds)
                guard let lint else {
                    say(
                        "ramq \(direction)   \(fixed(perSecond, 1)) MB/s of XML, \(fixed(perCPU, 1)) per CPU second; "
                            + "xmllint not available")
                    continue
                }
                let ratio = perSecond / rate(xmlBytes, lint.wall)
                let cpuRatio = perCPU / rate(xmlBytes, lint.cpu)
                say(
                    "ramq \(direction)   \(mb(xmlBytes)) XML  ours \(fixed(perSecond, 1)) MB/s "
                        + "(\(fixed(perCPU, 1)) per CPU second)  xmllint --stream --schema "
                        + "\(fixed(rate(xmlBytes, lint.wall), 1)) MB/s (\(fixed(rate(xmlBytes, lint.cpu), 1)) per CPU second)  "
                        + "ratio \(fixed(ratio, 2)) (per CPU second \(fixed(cpuRatio, 2)))  goal ≥ 0.50 \(verdict(ratio >= 0.5))")
            }
        }
    }

    /// One timed run of a pipeline from `input` (of `bytes` bytes) to a byte counter.
    static func measured<Input: ByteInput>(
        _ input: inout Input, bytes: Int,
        _ run: (inout Input, inout CountingOutput) throws -> TranslationSummary
    ) throws -> Measurement {
        var output = CountingOutput()
        var result = try timed { try run(&input, &output) }
        result.inputBytes = bytes
        result.outputBytes = output.count
        return result
    }

    /// The faster of two measurements, keeping the higher peak memory of the two.
    static func faster(_ best: Measurement?, _ run: Measurement) -> Measurement {
        guard var best else { return run }
        let peak = [best.peak, run.peak].compactMap { $0 }.max()
        if run.seconds < best.seconds { best = run }
        best.peak = peak
        return best
    }

    /// CPU time of the whole process (every thread the pipelines use), so that figures mean something on a shared
    /// machine.
    static func cpuSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    static func timed(_ body: () throws -> TranslationSummary) throws -> Measurement {
        var result = Measurement()
        ProcessMemory.resetPeak()
        result.residentBefore = ProcessMemory.resident
        let clock = ContinuousClock()
        let start = clock.now
        let cpuStart = cpuSeconds()
        result.summary = try body()
        let elapsed = clock.now - start
        result.cpuSeconds = cpuSeconds() - cpuStart
        result.peak = ProcessMemory.peak
        result.residentAfter = ProcessMemory.resident
        result.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return result
    }
}
