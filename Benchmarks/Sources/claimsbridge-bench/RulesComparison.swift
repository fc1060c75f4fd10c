import ClaimsBridge
import Foundation

/// What the carrier rules cost: each direction run with the shipped mappings and with a copy whose mappings
/// name no `carrierRules:`, alternating so that a change in the machine's load touches both alike. Rates are
/// per CPU second of this process, which other processes on a shared machine disturb less than wall time.
enum RulesComparison {
    /// The most the carrier rules may cost, in percent of the throughput without them.
    static let targetOverhead = 15.0

    static func run(
        claims: MessagePool, lines: MessagePool, messages: Int, catalog: CDAnetCatalog, mappings: String, rounds: Int
    ) throws {
        let bare = try catalogWithoutRules(mappings)
        say("rules comparison  \(rounds) rounds, \(grouped(messages)) messages each way, MB/s per CPU second")
        var rates: [String: [Double]] = [:]
        for round in 1...rounds {
            for (label, used) in [("with", catalog), ("without", bare)] {
                let read = try measure(claims, messages: messages) { input, output, onReject in
                    try CDAnetReadPipeline(catalog: used, failFast: true).run(
                        input: &input, output: &output, onReject: onReject)
                }
                try requireAllTranslated("cdanet→json \(label) rules", read, messages: messages)
                let write = try measure(lines, messages: messages) { input, output, onReject in
                    try ModelWritePipeline(catalog: used, failFast: true).run(
                        input: &input, output: &output, onReject: onReject)
                }
                try requireAllTranslated("json→cdanet \(label) rules", write, messages: messages)
                let readRate = rate(read.inputBytes, read.cpuSeconds)
                let writeRate = rate(write.inputBytes, write.cpuSeconds)
                rates["cdanet→json \(label)", default: []].append(readRate)
                rates["json→cdanet \(label)", default: []].append(writeRate)
                say(
                    "round \(round) \(label.padding(toLength: 7, withPad: " ", startingAt: 0))  cdanet→json \(fixed(readRate, 1))  "
                        + "json→cdanet \(fixed(writeRate, 1)) (in)  wall \(fixed(rate(read.inputBytes, read.seconds), 1)) / "
                        + "\(fixed(rate(write.inputBytes, write.seconds), 1))")
            }
        }
        for direction in ["cdanet→json", "json→cdanet"] {
            let with = median(rates["\(direction) with"] ?? [])
            let without = median(rates["\(direction) without"] ?? [])
            let overhead = (1 - with / without) * 100
            say(
                "overhead     \(direction)  median with \(fixed(with, 1)), without \(fixed(without, 1)) MB/s per CPU s: "
                    + "\(fixed(overhead, 1))% (target ≤ \(Int(targetOverhead))%: \(verdict(overhead <= targetOverhead)); "
                    + "with rules ≥ \(Int(targetRate)) MB/s: \(verdict(with >= targetRate)))")
        }
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// Loads a copy of the mappings folder in which no mapping names its carrier rules.
    static func catalogWithoutRules(_ mappings: String) throws -> CDAnetCatalog {
        let manager = FileManager.default
        let copy = manager.temporaryDirectory.appendingPathComponent("claimsbridge-bench-\(getpid())")
        try? manager.removeItem(at: copy)
        try manager.copyItem(at: URL(fileURLWithPath: mappings), to: copy)
        defer { try? manager.removeItem(at: copy) }
        let walker = manager.enumerator(atPath: copy.path)
        while let name = walker?.nextObject() as? String {
            guard name.hasSuffix(".mapping.yaml") else { continue }
            let path = copy.appendingPathComponent(name).path
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let kept = text.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix("carrierRules:") }.joined(separator: "\n")
            try kept.write(toFile: path, atomically: true, encoding: .utf8)
        }
        return try CDAnetCatalog(directory: copy.path)
    }
}
