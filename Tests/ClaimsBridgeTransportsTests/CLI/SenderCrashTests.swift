import ClaimsBridge
import ClaimsBridgeTransports
import Foundation
import Testing

/// A `claimsbridge send` process killed with SIGKILL in the middle of its deliveries, then run again: the receiver
/// accepts every idempotency key exactly once.
@Suite("Sender crash", .enabled(if: Tool.serversAvailable, "needs openssl and python3"))
struct SenderCrashTests {
    @Test("Killed mid-delivery and restarted: every key delivered exactly once from the receiver's view")
    func killAndRestart() async throws {
        let pki = try TestPKI.shared.get()
        let receiver = try HTTPSReceiver(pki: pki, delaySeconds: 0.3)
        let folder = try makeScratchFolder("crash")
        let config = folder + "/delivery.yaml"
        try """
        outbox: {path: outbox.sqlite, leaseSeconds: 1, initialDelaySeconds: 0.2}
        destinations:
          partner:
            type: https
            url: \(receiver.url())
            caBundle: \(pki.caCertificate)
            contentType: application/json
        """.write(toFile: config, atomically: true, encoding: .utf8)
        var files: [String] = []
        for index in 1...12 {
            let path = folder + "/claim-\(index).json"
            try "{\"claim\":\(index)}".write(toFile: path, atomically: true, encoding: .utf8)
            files.append(path)
        }
        let arguments = ["send", "--config", config, "--to", "partner"] + files
        let sender = try CLIRun.start(arguments, outputIn: try makeScratchFolder("crash-run"))
        let deadline = Date().addingTimeInterval(20)
        while try receiver.requests().isEmpty && Date() < deadline { usleep(10_000) }
        kill(sender, SIGKILL)
        #expect(Spawn.wait(sender) == 128 + SIGKILL)

        let outbox = try Outbox(path: folder + "/outbox.sqlite")
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
}
