import ClaimsBridge
import Foundation

/// Lab orders through the example XML lab format (`Mappings/labs/example-xml/`), one `LabCase` document per order
/// as that format has it: each order (JSON) written as its document, checked against the lab's XSD, and each
/// document read back, against `xmllint --stream --schema` checking the same documents in one run.
enum LabXMLBenchmark {
    static func run(repository: String, documents: Int, rounds: Int) throws {
        let mapping = try TreeMapping.load(path: repository + "/Mappings/labs/example-xml/order.mapping.yaml")
        let schema = repository + "/Mappings/labs/example-xml/example-xml.xsd"
        let templates = try String(contentsOfFile: repository + "/Fixtures/labs/orders.jsonl", encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let orders = (0..<documents).map { index in
            Array(
                templates[index % templates.count].replacingOccurrences(
                    of: #""orderId":"LO-"#, with: #""orderId":"LO-\#(index)-"#
                ).utf8)
        }
        let writer = try TreeWritePipeline(mapping: mapping)
        let reader = try TreeReadPipeline(mapping: mapping)
        let folder = NSTemporaryDirectory() + "claimsbridge-bench-lab-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }

        var written: [[UInt8]] = []
        var best: (write: Double, read: Double, lint: (cpu: Double, wall: Double)?)?
        for _ in 0..<rounds {
            let clock = ContinuousClock()
            var start = clock.now
            var documentsWritten: [[UInt8]] = []
            documentsWritten.reserveCapacity(orders.count)
            for order in orders {
                var input = MemoryInput(order)
                var output = MemoryOutput()
                let summary = try writer.run(input: &input, output: &output) { _ in }
                guard summary.translated == 1 else { throw BenchError("lab order \(documentsWritten.count + 1) not written") }
                documentsWritten.append(output.bytes)
            }
            let writeSeconds = seconds(clock.now - start)
            written = documentsWritten
            start = clock.now
            for document in written {
                var input = MemoryInput(document)
                var output = CountingOutput()
                let summary = try reader.run(input: &input, output: &output) { _ in }
                guard summary.translated == 1 else { throw BenchError("a lab document not read back") }
            }
            let readSeconds = seconds(clock.now - start)
            if best == nil {
                for (index, document) in written.enumerated() {
                    try Data(document).write(to: URL(fileURLWithPath: "\(folder)/\(index).xml"))
                }
            }
            let lint = XMLLintReference.seconds(
                schema: schema, files: (0..<written.count).map { "\(folder)/\($0).xml" })
            best = (
                min(best?.write ?? .infinity, writeSeconds), min(best?.read ?? .infinity, readSeconds),
                [best?.lint, lint].compactMap { $0 }.min { $0.wall < $1.wall }
            )
        }
        guard let best else { return }
        let bytes = written.reduce(0) { $0 + $1.count }
        say(
            "lab xml      \(grouped(documents)) orders, one LabCase document each, \(mb(bytes)) of XML (each checked "
                + "against example-xml.xsd); fastest of \(rounds) rounds, ours and xmllint (all documents in one run) in turns")
        for (direction, time) in [("read ", best.read), ("write", best.write)] {
            let ours = rate(bytes, time)
            guard let lint = best.lint else {
                say("lab \(direction)    \(fixed(ours, 1)) MB/s of XML; xmllint not available")
                continue
            }
            let ratio = ours / rate(bytes, lint.wall)
            say(
                "lab \(direction)    \(mb(bytes)) XML  ours \(fixed(ours, 1)) MB/s  \(grouped(Int(Double(documents) / time))) "
                    + "documents/s  xmllint --stream --schema \(fixed(rate(bytes, lint.wall), 1)) MB/s  "
                    + "ratio \(fixed(ratio, 2))  goal ≥ 0.50 \(verdict(ratio >= 0.5))")
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
