import ClaimsBridgeTestSupport
import Foundation
import Testing

/// The watcher translates lab orders and lab status messages through the same translations as `translate`.
@Suite struct LabRouteTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("lab-routes-\(UUID().uuidString)").path

    init() throws {
        for folder in ["orders", "status", "out/lab", "out/practice"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        let routes = """
            state: state
            delivery: delivery.yaml
            mappings: \(Fixtures.mappings.path)
            routes:
              - name: lab-orders
                inbox: orders
                stableSeconds: 0
                from: lab-order
                to: lab:example-xml
                deliver: [lab]
              - name: lab-status
                inbox: status
                stableSeconds: 0
                from: lab:example-rest-status
                to: json
                orders: \(Fixtures.url("labs/orders.jsonl").path)
                deliver: [practice]

            """
        try routes.write(toFile: root + "/routes.yaml", atomically: true, encoding: .utf8)
        let delivery = """
            outbox:
              path: state/outbox.sqlite
            destinations:
              lab: {type: folder, directory: out/lab, namePattern: "{name}-{key}"}
              practice: {type: folder, directory: out/practice, namePattern: "{name}-{key}"}

            """
        try delivery.write(toFile: root + "/delivery.yaml", atomically: true, encoding: .utf8)
    }

    func drop(_ fixture: String, as name: String, into inbox: String) throws {
        let temporary = root + "/\(inbox)/.\(name).tmp"
        try FileManager.default.copyItem(atPath: Fixtures.url(fixture).path, toPath: temporary)
        try FileManager.default.moveItem(atPath: temporary, toPath: root + "/\(inbox)/\(name)")
    }

    /// The one file delivered into `folder`: its name and bytes.
    func delivered(in folder: String) throws -> (name: String, bytes: [UInt8])? {
        let names = try FileManager.default.contentsOfDirectory(atPath: root + "/" + folder).filter { !$0.hasPrefix(".") }
        guard names.count == 1 else { return nil }
        return (names[0], Array(try Data(contentsOf: URL(fileURLWithPath: root + "/\(folder)/\(names[0])"))))
    }

    @Test func labOrdersAndStatusMessagesAreTranslatedByTheWatcher() throws {
        try drop("labs/example-xml/01-single-crown.input.jsonl", as: "crown.jsonl", into: "orders")
        try drop("labs/example-rest/status/updates.jsonl", as: "updates.jsonl", into: "status")
        let check = try CommandRunner.run(["watch", "--config", root + "/routes.yaml", "--check"])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdoutText.contains("translate lab-order → lab:example-xml"), "\(check.stdoutText)")
        let result = try CommandRunner.run(["watch", "--config", root + "/routes.yaml", "--drain"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try #require(try delivered(in: "out/lab"))
        #expect(document.name.hasPrefix("crown.xml-"), "the lab's format gives the extension: \(document.name)")
        #expect(document.bytes == (try Fixtures.bytes("labs/example-xml/01-single-crown.xml")))
        let transitions = try #require(try delivered(in: "out/practice"))
        #expect(transitions.name.hasPrefix("updates.jsonl-"), "\(transitions.name)")
        #expect(transitions.bytes == (try Fixtures.bytes("labs/example-rest/status/updates.expected.jsonl")))
    }

    @Test func theLedgerTracksEachOrderThroughTheLabsUpdates() throws {
        try drop("labs/example-xml/01-single-crown.input.jsonl", as: "crown.jsonl", into: "orders")
        let first = try CommandRunner.run(["watch", "--config", root + "/routes.yaml", "--drain"])
        #expect(first.status == 0, "\(first.stderr)")
        try drop("labs/example-rest/status/updates.jsonl", as: "updates.jsonl", into: "status")
        let second = try CommandRunner.run(["watch", "--config", root + "/routes.yaml", "--drain"])
        #expect(second.status == 0, "\(second.stderr)")
        let status = try CommandRunner.run(["status", "--config", root + "/routes.yaml", "--order", "LO-1001"])
        #expect(status.status == 0, "\(status.stderr)")
        let lines = status.stdoutText.split(separator: "\n").map(String.init)
        let final = try #require(lines.first)
        let transitions = (try Fixtures.bytes("labs/example-rest/status/updates.expected.jsonl")).split(separator: 0x0A)
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
            .filter { $0["orderId"] as? String == "LO-1001" }
        let last = try #require(transitions.last?["to"] as? String)
        #expect(final == "lab order LO-1001: \(last)")
        #expect(lines.count == 2 + transitions.count, "\(status.stdoutText)")
        #expect(lines[1].contains("submitted  applied, from lab-order:LO-1001:sent"), "\(lines[1])")
        #expect(lines.dropFirst(2).allSatisfy { $0.contains(" applied, ") }, "\(status.stdoutText)")
        let unknown = try CommandRunner.run(["status", "--config", root + "/routes.yaml", "--order", "LO-4242"])
        #expect(unknown.status == 1)
        #expect(unknown.stdoutText.contains("No state is recorded for lab order LO-4242"))
    }

    @Test func aStatusRouteWithoutTheKnownOrdersIsRefusedWithItsLine() throws {
        var routes = try String(contentsOfFile: root + "/routes.yaml", encoding: .utf8)
        routes = routes.replacingOccurrences(of: "    orders: \(Fixtures.url("labs/orders.jsonl").path)\n", with: "")
        try routes.write(toFile: root + "/routes.yaml", atomically: true, encoding: .utf8)
        let result = try CommandRunner.run(["watch", "--config", root + "/routes.yaml", "--check"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("routes.yaml:14"), "\(result.stderr)")
        #expect(result.stderr.contains("needs `orders:`"), "\(result.stderr)")
    }
}
