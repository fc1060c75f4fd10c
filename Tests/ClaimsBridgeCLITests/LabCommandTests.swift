import ClaimsBridgeTestSupport
import Foundation
import Testing

/// `claimsbridge translate` with lab formats and `claimsbridge catalog check`, through the built binary.
@Suite struct LabCommandTests {
    @Test(arguments: [("example-rest", "jsonl"), ("example-xml", "xml")])
    func ordersGoToTheLabAndComeBack(_ lab: String, _ ext: String) throws {
        for name in ["01-single-crown", "02-bridge-3-unit", "03-implant-with-scans", "04-full-denture"] {
            let base = "labs/\(lab)/\(name)"
            let written = try CommandRunner.run(
                ["translate", "--from", "lab-order", "--to", "lab:\(lab)", "--input", "Fixtures/\(base).input.jsonl"])
            #expect(written.status == 0, "\(written.stderr)")
            #expect(written.stdout == (try Fixtures.bytes("\(base).\(ext)")))
            let read = try CommandRunner.run(
                ["translate", "--from", "lab:\(lab)", "--to", "lab-order"], stdin: written.stdout)
            #expect(read.status == 0, "\(read.stderr)")
            #expect(read.stdout == (try Fixtures.bytes("\(base).expected.jsonl")))
        }
    }

    @Test(arguments: [("example-rest", "status/updates.jsonl"), ("example-xml", "status/notifications.xml")])
    func statusUpdatesBecomeTransitionsAndRejectsAreKept(_ lab: String, _ file: String) throws {
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("cb-lab-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: errors) }
        let result = try CommandRunner.run([
            "translate", "--from", "lab:\(lab)-status", "--to", "json", "--orders", "Fixtures/labs/orders.jsonl",
            "--input", "Fixtures/labs/\(lab)/\(file)", "--errors", errors.path,
        ])
        #expect(result.status == 2)
        let base = "labs/\(lab)/" + file.split(separator: ".").first!
        #expect(result.stdout == (try Fixtures.bytes("\(base).expected.jsonl")))
        #expect(Array(try Data(contentsOf: errors)) == (try Fixtures.bytes("\(base).expected-errors.jsonl")))
        #expect(result.stderr.contains("error: an order cannot go from"))
        #expect(result.stderr.contains("4 rejected"))
    }

    @Test func statusNeedsTheKnownOrders() throws {
        let result = try CommandRunner.run(["translate", "--from", "lab:example-rest-status", "--to", "json"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--orders FILE"))
    }

    @Test func anUnknownLabIsNamed() throws {
        let result = try CommandRunner.run(["translate", "--from", "lab-order", "--to", "lab:acme"], stdin: [])
        #expect(result.status == 1)
        #expect(result.stderr.contains("there is no lab acme"))
    }

    @Test func rejectedOrdersShowNoPersonalData() throws {
        let order =
            #"{"type":"labOrder","orderId":"LO-8","patient":{"lastName":"Tremblay","birthDate":"1982-06-14"},"items":[{"kind":"crown","material":"zirconia","teeth":[{"tooth":"36","role":"pontic"}]}]}"#
        let result = try CommandRunner.run(
            ["translate", "--from", "lab-order", "--to", "lab:example-xml"], stdin: Array(order.utf8))
        #expect(result.status == 2)
        #expect(result.stderr.contains("items[0].teeth[0].role"))
        #expect(!result.stderr.contains("Tremblay") && !result.stderr.contains("1982"))
    }

    @Test func catalogCheck() throws {
        let good = try CommandRunner.run(["catalog", "check", "--lab", "example-xml"])
        #expect(good.status == 0)
        #expect(good.stdoutText.hasSuffix("labs/example-xml/catalog.csv: ok\n"))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cb-labs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let lab = folder.appendingPathComponent("labs/broken")
        try FileManager.default.createDirectory(at: lab, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Fixtures.url("labs/invalid/catalog-problems.csv"), to: lab.appendingPathComponent("catalog.csv"))
        let bad = try CommandRunner.run(["catalog", "check", "--lab", "broken", "--mappings", folder.path])
        #expect(bad.status == 1)
        let expected = try Fixtures.bytes("labs/invalid/catalog-problems.expected.txt")
        let relative = Array(bad.stdoutText.replacingOccurrences(of: folder.path + "/", with: "").utf8)
        #expect(relative.starts(with: expected))
        #expect(bad.stdoutText.hasSuffix("7 problems in \(lab.path)/catalog.csv\n"))
    }
}
