import ClaimsBridgeTestSupport
import Foundation
import Testing

/// `claimsbridge watch`, `status` and `reprocess`, run as a user runs them, on a scratch copy of the example routes.
@Suite("watch, status and reprocess commands")
struct WatchCommandTests {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("watch-cli-\(UUID().uuidString)").path
        for folder in ["inbox/claims", "inbox/replies", "out/carrier", "out/practice"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        var routes = try String(contentsOf: Fixtures.root.appendingPathComponent("Examples/watch/routes.yaml"), encoding: .utf8)
        routes = routes.replacingOccurrences(of: "mappings: ../../Mappings", with: "mappings: \(Fixtures.mappings.path)")
        routes = routes.replacingOccurrences(of: "stableSeconds: 2", with: "stableSeconds: 0")
        try routes.write(toFile: root + "/routes.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: Fixtures.root.appendingPathComponent("Examples/watch/delivery.yaml").path, toPath: root + "/delivery.yaml")
    }

    var config: [String] { ["--config", root + "/routes.yaml"] }

    /// Puts the outbox and the ledger of the example's delivery configuration on `engine`: its SQLite files as they
    /// are, or a new PostgreSQL database.
    func store(on engine: StorageEngine) throws {
        guard engine == .postgreSQL else { return }
        var delivery = try String(contentsOfFile: root + "/delivery.yaml", encoding: .utf8)
        let sqlite = "outbox:\n  path: state/outbox.sqlite\n"
        #expect(delivery.contains(sqlite))
        delivery = delivery.replacingOccurrences(
            of: sqlite, with: try engine.deliveryStoreLines().replacingOccurrences(of: "outbox: {}", with: "outbox:\n"))
        try delivery.write(toFile: root + "/delivery.yaml", atomically: true, encoding: .utf8)
    }

    func drop(_ fixture: String, as name: String, into inbox: String) throws {
        // A short temporary name: a name of 255 bytes has no room for a longer one.
        try FileManager.default.copyItem(atPath: Fixtures.url(fixture).path, toPath: root + "/inbox/\(inbox)/.dropping")
        guard rename(root + "/inbox/\(inbox)/.dropping", root + "/inbox/\(inbox)/\(name)") == 0 else {
            throw CocoaError(.fileWriteUnknown)
        }
    }

    func files(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + folder)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test("--check summarises the routes; a mistake is reported with file:line before anything is touched")
    func check() throws {
        let good = try CommandRunner.run(["watch"] + config + ["--check"])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdoutText.contains("2 routes ok"))
        #expect(good.stdoutText.contains("deliver to carrier: folder"))

        var routes = try String(contentsOfFile: root + "/routes.yaml", encoding: .utf8)
        routes = routes.replacingOccurrences(of: "deliver: [carrier]", with: "deliver: [carier]")
        try routes.write(toFile: root + "/routes.yaml", atomically: true, encoding: .utf8)
        let bad = try CommandRunner.run(["watch"] + config + ["--check"])
        #expect(bad.status != 0)
        let line = routes.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("carier") }! + 1
        #expect(bad.stderr.contains("routes.yaml:\(line)"), "\(bad.stderr)")
        #expect(bad.stderr.contains("unknown destination `carier`"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root + "/state"))
    }

    @Test("--check fails when a folder destination's directory is missing, naming the destination and its line")
    func checkFindsMissingFolder() throws {
        try FileManager.default.removeItem(atPath: root + "/out/practice")
        let run = try CommandRunner.run(["watch"] + config + ["--check"])
        #expect(run.status == 1, "\(run.stdoutText)")
        #expect(run.stderr.contains("destination practice (\(root)/delivery.yaml:"), "\(run.stderr)")
        #expect(run.stderr.contains("the folder \(root)/out/practice does not exist"), "\(run.stderr)")
        #expect(!run.stderr.contains("destination carrier"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root + "/state"))
    }

    @Test("--drain delivers a file whose name is 255 bytes long and exits 0")
    func drainLongName() throws {
        let name = String(repeating: "é", count: 121) + "x-claim.jsonl"
        #expect(name.utf8.count == 255)
        try drop("cdanet/v04/01-claim-basic.expected.json", as: name, into: "claims")
        let run = try CommandRunner.run(["watch"] + config + ["--drain"])
        #expect(run.status == 0, "\(run.stderr)")
        let delivered = try #require(files("out/carrier").first)
        #expect(delivered.utf8.count <= 255 && delivered.contains(".txt-outgoing-claims-"), "\(delivered)")
        let sent = try Array(Data(contentsOf: URL(fileURLWithPath: root + "/out/carrier/" + delivered)))
        #expect(sent == (try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")))
        #expect(files("inbox/claims/processing").isEmpty)
    }

    @Test("--dry-run translates the waiting files into the folder named, and takes, records and sends nothing")
    func dryRun() throws {
        try drop("cdanet/v04/01-claim-basic.expected.json", as: "claim.jsonl", into: "claims")
        try drop("cdanet/invalid/bad-date.txt", as: "mixed.txt", into: "replies")
        let output = root + "/dry"
        let run = try CommandRunner.run(["watch"] + config + ["--dry-run", "--output", output])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdoutText.contains("outgoing-claims/claim.jsonl: 1 of 1 messages translated, 0 rejected; would be delivered to carrier"), "\(run.stdoutText)")
        #expect(run.stdoutText.contains("carrier-replies/mixed.txt: 2 of 3 messages translated, 1 rejected"), "\(run.stdoutText)")
        let written = try Array(Data(contentsOf: URL(fileURLWithPath: output + "/outgoing-claims/claim.txt")))
        #expect(written == (try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")))
        #expect(FileManager.default.fileExists(atPath: output + "/carrier-replies/mixed.txt.rejects.jsonl"))
        #expect(files("inbox/claims") == ["claim.jsonl"], "the original stays where it is")
        #expect(files("out/carrier").isEmpty && files("out/practice").isEmpty)
        #expect(!FileManager.default.fileExists(atPath: root + "/state/ledger.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: root + "/state/outbox.sqlite"))

        let send = try CommandRunner.run([
            "send", "--config", root + "/delivery.yaml", "--to", "carrier", "--dry-run", "--output", root + "/dry-send",
            output + "/outgoing-claims/claim.txt",
        ])
        #expect(send.status == 0, "\(send.stderr)")
        #expect(files("dry-send").count == 1)
        #expect(files("out/carrier").isEmpty)
    }

    @Test("A second watcher on the same state folder takes nothing while the first works, then carries on when it stops")
    func secondWatcherWaits() async throws {
        try FileManager.default.createDirectory(
            atPath: root + "/state", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // The first watcher's hold on the state folder, taken here as a running watcher takes it.
        let held = open(root + "/state/watch.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        #expect(flock(held, LOCK_EX) == 0)
        try drop("cdanet/v04/01-claim-basic.expected.json", as: "claim.jsonl", into: "claims")
        // The second watcher's messages go to a file, read while it runs: it says it waits before it takes anything.
        let log = root + "/second.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let second = Process()
        second.executableURL = CommandRunner.executable
        second.arguments = ["watch"] + config + ["--drain"]
        second.standardOutput = FileHandle.nullDevice
        second.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try second.run()
        defer { if second.isRunning { second.terminate() } }
        let waiting = "another watcher is working in this state folder"
        let deadline = Date().addingTimeInterval(120)
        func printed() -> String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        while !printed().contains(waiting), second.isRunning, Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(printed().contains(waiting), "\(printed())")
        #expect(files("inbox/claims").contains("claim.jsonl"), "nothing taken while the first watcher works")
        #expect(files("out/carrier").isEmpty)
        close(held)
        while second.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        try #require(!second.isRunning, "the second watcher did not finish once the first let go")
        #expect(second.terminationStatus == 0, "\(printed())")
        #expect(!files("inbox/claims").contains("claim.jsonl"))
        #expect(files("out/carrier").count == 1)
    }

    @Test(
        "--drain processes the inboxes and stops; status shows the counts and the claim's chain; reprocess runs a file again",
        arguments: StorageEngine.allCases)
    func drainStatusReprocess(_ engine: StorageEngine) throws {
        try store(on: engine)
        try drop("cdanet/v04/01-claim-basic.expected.json", as: "claim.jsonl", into: "claims")
        try drop("cdanet/v04/11-claim-acknowledgement.txt", as: "ack.txt", into: "replies")
        let run = try CommandRunner.run(["watch"] + config + ["--drain"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(files("out/carrier").count == 1)
        #expect(files("out/practice").count == 1)
        let carrierFile = try #require(files("out/carrier").first)
        let sent = try Array(Data(contentsOf: URL(fileURLWithPath: root + "/out/carrier/" + carrierFile)))
        #expect(sent == (try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")))

        let status = try CommandRunner.run(["status"] + config)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdoutText.contains("delivered   2"), "\(status.stdoutText)")
        #expect(!status.stdoutText.contains("Tremblay"), "no patient names in status")

        let chain = try CommandRunner.run(["status"] + config + ["--claim", "000101"])
        #expect(chain.stdoutText.contains("claim  (request"), "\(chain.stdoutText)")
        #expect(chain.stdoutText.contains("claimAcknowledgement  (answers message 1"), "\(chain.stdoutText)")

        let again = try CommandRunner.run(["reprocess", "1"] + config)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdoutText.contains("reprocessed as file 3: delivered"), "\(again.stdoutText)")
        #expect(files("out/carrier").count == 2, "a reprocessed file is a new delivery with a key of its own")
    }

    @Test("A running watcher serves /metrics and /healthz, and SIGTERM stops it cleanly")
    func operations() async throws {
        let port = 20_000 + Int.random(in: 0..<20_000)
        var routes = try String(contentsOfFile: root + "/routes.yaml", encoding: .utf8)
        routes = routes.replacingOccurrences(of: "# listen: 127.0.0.1:9464", with: "listen: 127.0.0.1:\(port)")
        try routes.write(toFile: root + "/routes.yaml", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = CommandRunner.executable
        process.arguments = ["watch"] + config
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        try drop("cdanet/v04/11-claim-acknowledgement.txt", as: "ack.txt", into: "replies")
        var metrics = ""
        for _ in 0..<100 {
            try await Task.sleep(for: .milliseconds(100))
            guard let response = LoopbackHTTP.get(port: port, path: "/metrics") else { continue }
            metrics = response.body
            if metrics.contains("claimsbridge_files_total{state=\"translated\"} 1")
                || metrics.contains("claimsbridge_deliveries_total{state=\"delivered\"} 1")
            {
                break
            }
        }
        #expect(metrics.contains("# TYPE claimsbridge_files_total counter"), "\(metrics)")
        #expect(metrics.contains("claimsbridge_messages_total 1"), "\(metrics)")
        let health = LoopbackHTTP.get(port: port, path: "/healthz")
        #expect(health?.status == 200)
        #expect(health?.body.contains("ok") == true)

        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<100 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 0)
        #expect(files("inbox/replies/archive").count == 1)
    }
}
