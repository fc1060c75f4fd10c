import ClaimsBridge
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
import Foundation
import Testing

/// Two `claimsbridge send` processes sharing a PostgreSQL outbox with the same file: the second finds the delivery
/// leased by the first, and hears of its outcome through `LISTEN/NOTIFY` instead of waiting for the lease to end.
@Suite("send woken by another sender's outcome", .enabled(if: Tool.serversAvailable, "needs openssl and python3"))
struct SendWakeTests {
    /// The lease, which is also how long the second sender would otherwise sleep: large, so that the wake-up is
    /// told apart from it whatever the machine's load.
    static let leaseSeconds = 30.0

    @Test("The second sender reports the first one's delivery well before the lease ends")
    func secondSenderWakesOnTheOutcome() throws {
        let pki = try TestPKI.shared.get()
        let receiver = try HTTPSReceiver(pki: pki, delaySeconds: 4)
        let (config, files, store) = try SenderCrashTests.setUp(
            receiver, pki: pki, count: 1, engine: .postgreSQL, outbox: "leaseSeconds: \(Int(Self.leaseSeconds))")
        let arguments = ["send", "--config", config, "--to", "partner", "--wait", "90"] + files
        let firstRun = try makeScratchFolder("wake-first")
        let first = try CLIRun.start(arguments, outputIn: firstRun)
        // The first sender has claimed the delivery (its POST is held by the receiver for 4 s).
        let outbox = try Outbox(store: store)
        let deadline = Date().addingTimeInterval(30)
        while try outbox.counts()[.inFlight] != 1, Date() < deadline { usleep(20_000) }
        #expect(try outbox.counts()[.inFlight] == 1, "the first sender holds the delivery")

        let secondRun = try makeScratchFolder("wake-second")
        let second = try CLIRun.start(arguments, outputIn: secondRun)
        #expect(Spawn.wait(first) == 0, "\(Self.output(firstRun))")
        let firstDone = Date()
        #expect(Spawn.wait(second) == 0, "\(Self.output(secondRun))")
        let latency = Date().timeIntervalSince(firstDone)

        #expect(
            latency < Self.leaseSeconds / 3,
            "the second sender reported \(latency) s after the first finished, not at once (lease \(Self.leaseSeconds) s)")
        #expect(Self.output(secondRun).contains("delivered "), "\(Self.output(secondRun))")
        #expect(try receiver.requests().count == 1, "only the first sender posted")
        print("second sender's wake-up after the first one's outcome: \(String(format: "%.2f", latency)) s")
    }

    static func output(_ folder: String) -> String {
        ((try? String(contentsOfFile: folder + "/stdout", encoding: .utf8)) ?? "")
            + ((try? String(contentsOfFile: folder + "/stderr", encoding: .utf8)) ?? "")
    }
}
