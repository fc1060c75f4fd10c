import ClaimsBridgeTestSupport
import Foundation
import Testing

/// RAMQ claims have a state too: a `json → ramq` route's batch submits them, and RAMQ's return, fetched by a
/// pick-up route, moves them.
@Suite("RAMQ claim status")
struct RAMQStatusTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ramq-status-\(UUID().uuidString)").path

    func write(_ text: String, to name: String) throws {
        try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
    }

    func run(_ arguments: [String]) throws -> CommandRunner.Result {
        try CommandRunner.run(arguments + ["--config", folder + "/routes.yaml"])
    }

    @Test(
        "A batch's claims are submitted; the return picked up from RAMQ's folder pays one, and one it never got is kept",
        arguments: StorageEngine.allCases)
    func returnMovesClaims(_ engine: StorageEngine) throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for sub in ["claims", "to-ramq", "from-ramq", "returns", "practice", "events"] {
            try FileManager.default.createDirectory(atPath: folder + "/" + sub, withIntermediateDirectories: true)
        }
        try write(
            """
            \(try engine.deliveryStoreLines())
            destinations:
              ramq: {type: folder, directory: to-ramq, namePattern: "{key}-{name}"}
              ramq-returns: {type: folder, directory: from-ramq}
              practice: {type: folder, directory: practice, namePattern: "{name}-{key}"}
              events: {type: folder, directory: events, namePattern: "{key}.json"}
            """, to: "delivery.yaml")
        try write(
            """
            state: state
            delivery: delivery.yaml
            mappings: \(Fixtures.root.appendingPathComponent("Mappings").path)
            statusEvents: events
            routes:
              - name: ramq-out
                inbox: claims
                stableSeconds: 0
                from: json
                to: ramq
                parameters: {transmitter: "18001", provider: "212345", establishment: "12345"}
                deliver: [ramq]
              - name: ramq-returns
                inbox: returns
                stableSeconds: 0
                from: ramq-response
                to: json
                deliver: [practice]
                pickup: {from: ramq-returns, folder: from-ramq, pattern: "*.xml"}

            """, to: "routes.yaml")
        try Data(try Fixtures.bytes("ramq/one-claim.input.jsonl")).write(to: URL(fileURLWithPath: folder + "/claims/claims.jsonl"))
        var watch = try run(["watch", "--drain"])
        #expect(watch.status == 0, "\(watch.stderr)\(watch.stdoutText)")
        let batchName = try #require(try FileManager.default.contentsOfDirectory(atPath: folder + "/to-ramq").first)
        let batch = try String(contentsOfFile: folder + "/to-ramq/" + batchName, encoding: .utf8)
        let attestation = try #require(batch.firstMatch(of: /ATTES="(\d{7})"/)?.output.1).description
        var status = try run(["status", "--claim", attestation])
        #expect(status.status == 0, "\(status.stdoutText)\(status.stderr)")
        #expect(status.stdoutText.hasPrefix("claim ramq-18001-\(attestation): submitted"), "\(status.stdoutText)")

        // RAMQ's return, processed today: the claim is paid; 9999999 is not a claim this ledger sent.
        let today = Date().formatted(.iso8601.year().month().day().dateSeparator(.omitted))
        let answer = String(decoding: try Fixtures.bytes("ramq/response/accepted.xml"), as: UTF8.self)
            .replacingOccurrences(of: "6090101", with: attestation).replacingOccurrences(of: "6090102", with: "9999999")
            .replacingOccurrences(of: "20260402", with: today)
        try write(answer, to: "from-ramq/return.xml")
        watch = try run(["watch", "--drain"])
        #expect(watch.status == 0, "\(watch.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/from-ramq").isEmpty, "fetched and removed")
        status = try run(["status", "--claim", attestation])
        let lines = status.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines.first == "claim ramq-18001-\(attestation): paid", "\(status.stdoutText)")
        #expect(lines.count == 4, "\(status.stdoutText)")
        #expect(lines.dropFirst().map { $0.contains(" applied, ") } == [true, true, true], "\(status.stdoutText)")
        #expect(lines.last?.contains("adjudicated → paid  applied, from ramq-return:18001/\(attestation):paid:") == true)
        let unknown = try run(["status", "--claim", "9999999"])
        #expect(unknown.status == 1, "a claim never submitted has no state")

        // The same return again changes nothing.
        try write(answer, to: "from-ramq/return-again.xml")
        watch = try run(["watch", "--drain"])
        #expect(watch.status == 0, "\(watch.stderr)")
        #expect(try run(["status", "--claim", attestation]).stdoutText.split(separator: "\n").count == 4)

        // Each change went out as a status event naming the claim by its transmitter and attestation.
        let events = try run(["events", "list"]).stdoutText.split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(events.compactMap { $0["type"] as? String } == ["claim.submitted", "claim.adjudicated", "claim.paid"])
        let subject = (events.first?["event"] as? [String: Any])?["subject"] as? [String: String]
        #expect(subject == ["transmitter": "18001", "attestation": attestation], "\(events.first ?? [:])")
    }
}
