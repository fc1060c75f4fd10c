import ClaimsBridge
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
import Foundation
import Testing

/// A `claimsbridge send` process killed with SIGKILL in the middle of its deliveries, then run again: the receiver
/// accepts every idempotency key exactly once.
@Suite("Sender crash", .enabled(if: Tool.serversAvailable, "needs openssl and python3"))
struct SenderCrashTests {
    @Test(
        "Killed mid-delivery and restarted: every key delivered exactly once from the receiver's view",
        arguments: OutboxEngine.allCases)
    func killAndRestart(_ engine: OutboxEngine) async throws {
        let pki = try TestPKI.shared.get()
        let receiver = try HTTPSReceiver(pki: pki, delaySeconds: 0.3)
        let (config, files, store) = try Self.setUp(
            receiver, pki: pki, count: 12, engine: engine, outbox: "leaseSeconds: 1, initialDelaySeconds: 0.2")
        let arguments = ["send", "--config", config, "--to", "partner"] + files
        let sender = try CLIRun.start(arguments, outputIn: try makeScratchFolder("crash-run"))
        let deadline = Date().addingTimeInterval(20)
        while try receiver.requests().isEmpty && Date() < deadline { usleep(10_000) }
        kill(sender, SIGKILL)
        #expect(Spawn.wait(sender) == 128 + SIGKILL)

        let outbox = try Outbox(store: store)
        let counts = try outbox.counts()
        let deliveredBeforeRestart = counts[.delivered] ?? 0
        let openBeforeRestart = (counts[.pending] ?? 0) + (counts[.inFlight] ?? 0)
        #expect(deliveredBeforeRestart < 12, "the sender was killed before it finished")
        #expect(deliveredBeforeRestart + openBeforeRestart == 12)

        let rerun = try CLIRun.run(arguments + ["--wait", "30"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try outbox.counts()[.delivered] == 12)
        let accepted = try receiver.acceptedKeys()
        let expected = files.map { file in
            IdempotencyKey.derived(
                name: (file as NSString).lastPathComponent, payload: Array(FileManager.default.contents(atPath: file)!))
        }
        #expect(accepted.count == 12)
        #expect(Set(accepted) == Set(expected))
    }

    /// A delivery configuration for `receiver` and `count` claim files in a new folder, with the outbox in a new
    /// store of `engine` and `outbox` options.
    static func setUp(_ receiver: HTTPSReceiver, pki: TestPKI, count: Int, engine: OutboxEngine, outbox: String) throws
        -> (config: String, files: [String], store: OutboxStoreLocation)
    {
        let folder = try makeScratchFolder("senders")
        let store = try engine.makeStore("senders")
        let config = folder + "/delivery.yaml"
        try """
        \(store.configurationLines(options: outbox))
        destinations:
          partner:
            type: https
            url: \(receiver.url())
            caBundle: \(pki.caCertificate)
            contentType: application/json
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let files = try (1...count).map { index in
            let path = folder + "/claim-\(index).json"
            try "{\"claim\":\(index)}".write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        return (config, files, store)
    }

    @Test(
        "Killed mid-run: every delivery the receiver had accepted is already recorded, and never sent again",
        arguments: OutboxEngine.allCases)
    func outcomesSurviveTheKill(_ engine: OutboxEngine) async throws {
        let pki = try TestPKI.shared.get()
        let receiver = try HTTPSReceiver(pki: pki, delaySeconds: 0.3)
        let (config, files, store) = try Self.setUp(
            receiver, pki: pki, count: 40, engine: engine, outbox: "leaseSeconds: 2, initialDelaySeconds: 0.2")
        let arguments = ["send", "--config", config, "--to", "partner"] + files
        let sender = try CLIRun.start(arguments, outputIn: try makeScratchFolder("kill-run"))
        let deadline = Date().addingTimeInterval(20)
        // Blocking waits, like the kill itself: the test must not depend on the cooperative pool being free.
        while try receiver.acceptedKeys().count < 5 && Date() < deadline { usleep(5_000) }
        let acceptedBeforeKill = Set(try receiver.acceptedKeys())
        usleep(300_000)
        kill(sender, SIGKILL)
        #expect(Spawn.wait(sender) == 128 + SIGKILL)

        let outbox = try Outbox(store: store)
        let recorded = Set(try outbox.deliveries(in: .delivered).map(\.idempotencyKey))
        #expect(acceptedBeforeKill.count >= 5 && recorded.count < 40)
        #expect(acceptedBeforeKill.isSubset(of: recorded), "accepted 300 ms before the kill but not recorded")

        let rerun = try CLIRun.run(arguments + ["--wait", "30"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let requests = try receiver.requests()
        let repeated = Set(requests.filter(\.duplicate).compactMap(\.key))
        #expect(repeated.isDisjoint(with: acceptedBeforeKill), "sent again after the receiver's 200: \(repeated)")
        #expect(Set(try receiver.acceptedKeys()).count == 40)
    }

    @Test(
        "Two senders sharing one outbox with a short lease: every key is POSTed exactly once, both exit 0",
        arguments: OutboxEngine.allCases)
    func twoSendersShareTheOutbox(_ engine: OutboxEngine) async throws {
        let pki = try TestPKI.shared.get()
        let receiver = try HTTPSReceiver(pki: pki, delaySeconds: 0.5)
        let (config, files, _) = try Self.setUp(
            receiver, pki: pki, count: 16, engine: engine, outbox: "leaseSeconds: 1")
        let arguments = ["send", "--config", config, "--to", "partner", "--wait", "60"] + files
        let firstOutput = try makeScratchFolder("first-sender")
        let first = try CLIRun.start(arguments, outputIn: firstOutput)
        usleep(1_300_000)
        let secondOutput = try makeScratchFolder("second-sender")
        let second = try CLIRun.start(arguments, outputIn: secondOutput)
        let firstStatus = Spawn.wait(first)
        let secondStatus = Spawn.wait(second)
        let stderr = (try? String(contentsOfFile: firstOutput + "/stderr", encoding: .utf8)) ?? ""
        #expect(firstStatus == 0, "\(stderr)")
        #expect(secondStatus == 0)
        let requests = try receiver.requests()
        #expect(requests.count == 16, "POSTs: \(requests.count) for 16 keys")
        #expect(requests.filter(\.duplicate).isEmpty)
        #expect(Set(requests.compactMap(\.key)).count == 16)
    }
}
