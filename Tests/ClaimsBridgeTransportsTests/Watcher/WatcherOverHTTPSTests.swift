import ClaimsBridge
import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
import ClaimsBridgeWatcher
import Foundation
import Logging
import Testing

@Suite("Watcher over HTTPS", .enabled(if: Tool.serversAvailable, "needs openssl and python3"))
struct WatcherOverHTTPSTests {
    @Test("A claim sent over HTTPS gets the carrier's reply body, which is translated and matched to the claim")
    func synchronousReply() async throws {
        _ = try await sendClaimAndTakeReply(cipher: nil)
    }

    @Test("With encryption on, the claim and the reply arrive byte-identical, and neither is readable at rest")
    func encryptedSynchronousReply() async throws {
        let key = try PayloadKey(id: "k1", text: Data(repeating: 0x42, count: 32).base64EncodedString())
        let root = try await sendClaimAndTakeReply(cipher: try PayloadCipher(currentKey: key))
        let personal = try PersonalData.values(inExpected: "cdanet/v04/01-claim-basic.expected.json")
        let stored = [root + "/state"] + ["claims", "replies"].flatMap { ["\(root)/\($0)/archive", "\(root)/\($0)/rejects"] }
        #expect(PersonalData.regularFiles(at: root + "/state/outbox.sqlite").count == 1)
        // The carrier's reply is kept encrypted in the outbox like the claim.
        let replies = try SQLiteDatabase(path: root + "/state/outbox.sqlite").prepare(
            "SELECT receipt_body FROM delivery WHERE length(receipt_body) > 0"
        ).query { $0.blob(0) }
        #expect(replies.count == 1 && replies.allSatisfy { PayloadCipher.keyID(of: $0) == "k1" })
        #expect(PersonalData.occurrences(of: personal, in: stored) == [])
        // The same search finds the values in the claim as sent: it can fail.
        #expect(!PersonalData.occurrences(of: personal, in: [Fixtures.url("cdanet/v04/01-claim-basic.txt").path]).isEmpty)
    }

    /// Runs a claim through a watcher to the loopback HTTPS receiver and its reply back through the reply route;
    /// checks what arrived on both sides. Returns the scratch folder.
    private func sendClaimAndTakeReply(cipher: PayloadCipher?) async throws -> String {
        let pki = try TestPKI.shared.get()
        let receiver = try HTTPSReceiver(
            pki: pki, replyFile: Fixtures.url("cdanet/v04/11-claim-acknowledgement.txt").path)
        defer { receiver.stop() }
        let root = try makeScratchFolder("watch-https")
        let outgoing = Route(
            name: "claims", inbox: root + "/claims", readiness: .stableFor(.zero), translation: .jsonToCDAnet,
            transports: ["carrier"], replyRoute: "replies")
        let replies = Route(
            name: "replies", inbox: root + "/replies", readiness: .stableFor(.zero), translation: .cdanetToJSON,
            transports: ["practice"])
        var configuration = WatchConfiguration(stateDirectory: root + "/state", routes: [outgoing, replies])
        configuration.payloadCipher = cipher
        try FileManager.default.createDirectory(atPath: root + "/claims", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/practice", withIntermediateDirectories: true)
        try Data(try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json"))
            .write(to: URL(fileURLWithPath: root + "/claims/claim.jsonl"))
        let watcher = Watcher(
            configuration: configuration, catalog: Fixtures.catalog,
            transports: [
                "carrier": try HTTPSTransport(url: receiver.url(), tls: TLSOptions(caBundle: pki.caCertificate)),
                "practice": try FolderTransport(directory: root + "/practice"),
            ],
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        // The first drain sends the claim and drops the reply body into the reply inbox; the second takes it.
        try await watcher.run(drain: true)
        try await watcher.run(drain: true)

        let requests = try receiver.requests()
        #expect(requests.count == 1)
        #expect(requests.first?.bytes == (try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")))
        let ledger = try Ledger(path: root + "/state/ledger.sqlite")
        let chain = try ledger.chain(officeSequenceNumber: "000101")
        #expect(chain.map(\.type) == ["claim", "claimAcknowledgement"])
        #expect(chain.last?.requestID == chain.first?.messageID)
        let practice = try FileManager.default.contentsOfDirectory(atPath: root + "/practice")
        #expect(practice.count == 1)
        let translated = try Data(contentsOf: URL(fileURLWithPath: root + "/practice/" + practice[0]))
        #expect(Array(translated) == (try Fixtures.bytes("cdanet/v04/11-claim-acknowledgement.expected.json")))
        return root
    }
}
