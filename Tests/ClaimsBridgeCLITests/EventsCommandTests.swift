import ClaimsBridgeTestSupport
import Foundation
import Testing

@Suite("events command")
struct EventsCommandTests {
    @Test(
        "events list prints the watcher's status events; events replay sends them again under new keys, same ids",
        arguments: StorageEngine.allCases)
    func listAndReplay(_ engine: StorageEngine) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("events-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for sub in ["claims", "replies", "carrier", "practice", "events"] {
            try FileManager.default.createDirectory(atPath: folder + "/" + sub, withIntermediateDirectories: true)
        }
        try """
            \(try engine.deliveryStoreLines())
            destinations:
              carrier: {type: folder, directory: carrier, namePattern: "{name}-{key}"}
              practice: {type: folder, directory: practice, namePattern: "{name}-{key}"}
              events: {type: folder, directory: events, namePattern: "{key}.json"}
            """.write(toFile: folder + "/delivery.yaml", atomically: true, encoding: .utf8)
        try """
            state: state
            delivery: delivery.yaml
            mappings: \(Fixtures.root.appendingPathComponent("Mappings").path)
            statusEvents: events
            routes:
              - {name: claims, inbox: claims, stableSeconds: 0, from: json, to: cdanet, deliver: [carrier]}
              - {name: replies, inbox: replies, stableSeconds: 0, from: cdanet, to: json, deliver: [practice]}

            """.write(toFile: folder + "/routes.yaml", atomically: true, encoding: .utf8)
        let routes = folder + "/routes.yaml"
        try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json").write(to: folder + "/claims/claim.jsonl")
        var run = try CommandRunner.run(["watch", "--config", routes, "--drain"])
        #expect(run.status == 0, "\(run.stderr)")
        try Fixtures.bytes("cdanet/v04/11-claim-acknowledgement.txt").write(to: folder + "/replies/ack.txt")
        // Two watcher processes at once on the same state folder and ledger: the second waits for the first, and
        // the answer moves the claim once, with one event.
        for both in try onThreads(2, { _ in try CommandRunner.run(["watch", "--config", routes, "--drain"]) }) {
            #expect(both.status == 0, "\(both.stderr)")
        }
        // An EOB after the rejection: refused, kept in the history with its reason, no event.
        try Fixtures.bytes("cdanet/v04/21-eob-basic.txt").write(to: folder + "/replies/eob.txt")
        run = try CommandRunner.run(["watch", "--config", routes, "--drain"])
        #expect(run.status == 0, "\(run.stderr)")

        // status --claim: the chain, then the claim's state and its whole history.
        let status = try CommandRunner.run(["status", "--config", routes, "--claim", "000101"])
        #expect(status.status == 0, "\(status.stderr)")
        let history = status.stdoutText.split(separator: "\n").drop { !$0.hasPrefix("claim of message 1:") }.map(String.init)
        #expect(history.first == "claim of message 1: rejected", "\(status.stdoutText)")
        #expect(history.count == 4, "\(status.stdoutText)")
        #expect(history.dropFirst().first?.hasSuffix("submitted  applied, from message:1") == true)
        #expect(history.dropFirst(2).first?.hasSuffix("submitted → rejected  applied, from message:2") == true)
        #expect(history.last?.contains("rejected → adjudicated  illegal, from message:") == true)
        #expect(history.last?.contains("(a claim cannot go from rejected") == true)
        let unknown = try CommandRunner.run(["status", "--config", routes, "--claim", "000999"])
        #expect(unknown.status == 1 && unknown.stdoutText.contains("No message with office sequence number 000999"))

        let list = try CommandRunner.run(["events", "list", "--config", routes])
        #expect(list.status == 0, "\(list.stderr)")
        let lines = list.stdoutText.split(separator: "\n").map {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(lines.compactMap { $0?["type"] as? String } == ["claim.submitted", "claim.rejected"], "\(list.stdoutText)")
        #expect(lines.allSatisfy { $0?["delivery"] as? Int != nil }, "every event was handed to the outbox")
        let only = try CommandRunner.run(["events", "list", "--config", routes, "--type", "claim.rejected"])
        #expect(only.stdoutText.split(separator: "\n").count == 1)
        // `status` reads the same ledger: the claim and both answers, all delivered.
        let overall = try CommandRunner.run(["status", "--config", routes])
        #expect(overall.status == 0, "\(overall.stderr)")
        #expect(overall.stdoutText.contains("  delivered   3"), "\(overall.stdoutText)")
        let delivered = try FileManager.default.contentsOfDirectory(atPath: folder + "/events").sorted()
        #expect(delivered == ["status-event-1.json", "status-event-2.json"], "\(delivered)")

        let replay = try CommandRunner.run(["events", "replay", "--config", routes, "1-2"])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(replay.stdoutText.contains("event 2: queued again as delivery"))
        run = try CommandRunner.run(["watch", "--config", routes, "--drain"])
        #expect(run.status == 0, "\(run.stderr)")
        let after = try FileManager.default.contentsOfDirectory(atPath: folder + "/events").sorted()
        #expect(after.count == 4, "\(after)")
        for replayed in after where replayed.contains("-replay-") {
            let original = replayed.hasPrefix("status-event-1-") ? "status-event-1.json" : "status-event-2.json"
            #expect(
                FileManager.default.contents(atPath: folder + "/events/" + replayed)
                    == FileManager.default.contents(atPath: folder + "/events/" + original), "the same event, same id")
        }
        let missing = try CommandRunner.run(["events", "replay", "--config", routes, "99"])
        #expect(missing.status == 1 && missing.stderr.contains("there is no status event 99"), "\(missing.stderr)")
        let bad = try CommandRunner.run(["events", "replay", "--config", routes, "3-1"])
        #expect(bad.status == 64, "\(bad.stderr)")
    }
}

extension [UInt8] {
    fileprivate func write(to path: String) throws {
        try Data(self).write(to: URL(fileURLWithPath: path))
    }
}
