import ClaimsBridge
import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridgeTransports

@Suite("Outbox encryption and retention")
struct OutboxEncryptionTests {
    let folder: String
    var path: String { folder + "/outbox.sqlite" }
    /// The outbox file and its write-ahead log, as stored.
    var storedFiles: [String] { [path, path + "-wal"] }
    static let keyOne = try! PayloadKey(id: "k1", text: Data(repeating: 0x11, count: 32).base64EncodedString())
    static let keyTwo = try! PayloadKey(id: "k2", text: String(repeating: "2f", count: 32))
    let claims: [[UInt8]]
    let personal: Set<String>

    init() throws {
        folder = try makeScratchFolder("outbox-encryption")
        let names = ["01-claim-basic", "07-cob-claim", "01-claim-maximal"]
        claims = try names.map { try Fixtures.bytes("cdanet/v04/\($0).txt") }
        personal = try names.reduce(into: Set<String>()) { values, name in
            values.formUnion(try PersonalData.values(inExpected: "cdanet/v04/\(name).expected.json"))
        }
    }

    @Test("With encryption on, the outbox file and its log hold no patient value; deliveries arrive byte-identical")
    func noPersonalDataAtRest() async throws {
        #expect(personal.contains("Tremblay") && personal.contains("TR8830021"))
        let outbox = try Outbox(path: path, cipher: try PayloadCipher(currentKey: Self.keyOne))
        var ids: [DeliveryID] = []
        for (index, claim) in claims.enumerated() {
            ids.append(try outbox.enqueue(destination: "drop", payload: claim, idempotencyKey: "claim-\(index)"))
        }
        #expect(PersonalData.occurrences(of: personal, in: storedFiles).isEmpty)
        #expect(try outbox.delivery(ids[0])?.isPayloadEncrypted == true)
        let output = folder + "/out"
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let summary = try await outbox.deliverDue(transports: ["drop": try FolderTransport(directory: output)])
        #expect(summary.delivered.count == claims.count)
        for (index, claim) in claims.enumerated() {
            #expect(try Array(Data(contentsOf: URL(fileURLWithPath: output + "/claim-\(index)"))) == claim)
            #expect(try outbox.payload(of: ids[index]) == claim)
        }
        #expect(PersonalData.occurrences(of: personal, in: storedFiles).isEmpty)
        // The same search finds the values in an outbox written without encryption: it can fail.
        let plain = try Outbox(path: folder + "/plain.sqlite")
        try plain.enqueue(destination: "drop", payload: claims[0], idempotencyKey: "claim-0")
        #expect(
            !PersonalData.occurrences(of: personal, in: [folder + "/plain.sqlite", folder + "/plain.sqlite-wal"])
                .isEmpty)
    }

    @Test(
        "After a rotation old rows still read and new ones use the new key; rekey moves every row, plaintext included",
        arguments: OutboxEngine.allCases)
    func rotationAndRekey(_ engine: OutboxEngine) throws {
        let store = try engine.makeStore("outbox-encryption")
        let plainID = try Outbox(store: store).enqueue(destination: "d", payload: claims[0], idempotencyKey: "before")
        let oldID = try Outbox(store: store, cipher: try PayloadCipher(currentKey: Self.keyOne))
            .enqueue(destination: "d", payload: claims[1], idempotencyKey: "old")
        let rotated = try Outbox(
            store: store, cipher: try PayloadCipher(currentKey: Self.keyTwo, previousKeys: [Self.keyOne]))
        let newID = try rotated.enqueue(destination: "d", payload: claims[0], idempotencyKey: "new")
        #expect(try rotated.payload(of: plainID) == claims[0])
        #expect(try rotated.payload(of: oldID) == claims[1])
        #expect(try rotated.payload(of: newID) == claims[0])
        #expect(try storedKeyIDs(store) == ["before": nil, "old": "k1", "new": "k2"])
        // Enqueueing the same bytes again under an existing key is still recognised as the same delivery.
        #expect(try rotated.enqueue(destination: "d", payload: claims[1], idempotencyKey: "old") == oldID)
        #expect(throws: OutboxError(.keyConflict, "")) {
            try rotated.enqueue(destination: "d", payload: claims[0], idempotencyKey: "old")
        }

        let summary = try rotated.rekey()
        #expect(summary.rekeyed == 2 && summary.alreadyCurrent == 1 && summary.failures.isEmpty)
        #expect(try storedKeyIDs(store) == ["before": "k2", "old": "k2", "new": "k2"])
        let newOnly = try Outbox(store: store, cipher: try PayloadCipher(currentKey: Self.keyTwo))
        #expect(try newOnly.payload(of: plainID) == claims[0] && newOnly.payload(of: oldID) == claims[1])
        #expect(PersonalData.occurrences(of: personal, in: storedFiles).isEmpty)
    }

    @Test(
        "A missing key is reported by its id, not as corruption; the delivery is dead with that reason and the others go",
        arguments: OutboxEngine.allCases)
    func missingKey(_ engine: OutboxEngine) async throws {
        let store = try engine.makeStore("outbox-encryption")
        let oldID = try Outbox(store: store, cipher: try PayloadCipher(currentKey: Self.keyOne))
            .enqueue(destination: "m", payload: claims[0], idempotencyKey: "old")
        let outbox = try Outbox(store: store, cipher: try PayloadCipher(currentKey: Self.keyTwo))
        let newID = try outbox.enqueue(destination: "m", payload: claims[1], idempotencyKey: "new")
        let error = #expect(throws: OutboxError.self) { try outbox.payload(of: oldID) }
        #expect(error?.code == .keyMissing)
        #expect(error?.reason.contains("payload encrypted with key id k1, which is not configured") == true)
        let memory = InMemoryTransport()
        let summary = try await outbox.deliverDue(transports: ["m": memory])
        #expect(summary.delivered == [newID])
        let dead = try #require(try outbox.delivery(oldID))
        #expect(dead.state == .dead && dead.lastError?.contains("key id k1, which is not configured") == true)
        #expect(dead.lastError?.contains("tamper") == false)
        // Once the key is configured again, a retry delivers it.
        let restored = try Outbox(
            store: store, cipher: try PayloadCipher(currentKey: Self.keyTwo, previousKeys: [Self.keyOne]))
        #expect(try restored.retry(oldID))
        #expect(try await restored.deliverDue(transports: ["m": memory]).delivered == [oldID])
    }

    @Test(
        "A payload altered in the store, or moved to another row, is reported as tampered",
        arguments: OutboxEngine.allCases)
    func tamperDetection(_ engine: OutboxEngine) throws {
        let store = try engine.makeStore("outbox-encryption")
        let outbox = try Outbox(store: store, cipher: try PayloadCipher(currentKey: Self.keyOne))
        let first = try outbox.enqueue(destination: "d", payload: claims[0], idempotencyKey: "a")
        let second = try outbox.enqueue(destination: "d", payload: claims[1], idempotencyKey: "b")
        let raw = RawOutboxRows(store: store)
        let stored = try raw.payloads()
        // Swap the two rows' ciphertexts.
        try raw.setPayload(first, try #require(stored["b"]))
        let swapped = #expect(throws: OutboxError.self) { try outbox.payload(of: first) }
        #expect(swapped?.code == .tampered && swapped?.reason.contains("tampered") == true)
        // Flip one bit of the other row's ciphertext.
        var flipped = try #require(stored["b"])
        flipped[40] ^= 0x01
        try raw.setPayload(second, flipped)
        #expect(throws: OutboxError(.tampered, "")) { try outbox.payload(of: second) }
    }

    @Test(
        "Retention removes the payloads of deliveries settled before the date, exactly, and keeps their records",
        arguments: OutboxEngine.allCases)
    func payloadRetention(_ engine: OutboxEngine) async throws {
        let store = try engine.makeStore("outbox-encryption")
        let outbox = try Outbox(store: store, cipher: try PayloadCipher(currentKey: Self.keyOne))
        let day = 86_400.0
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let memory = InMemoryTransport()
        let old = try outbox.enqueue(destination: "m", payload: claims[0], idempotencyKey: "old", now: start)
        _ = try await outbox.deliverDue(transports: ["m": memory], now: start)
        let recent = try outbox.enqueue(
            destination: "m", payload: claims[1], idempotencyKey: "recent", now: start.addingTimeInterval(10 * day))
        _ = try await outbox.deliverDue(transports: ["m": memory], now: start.addingTimeInterval(10 * day))
        let waiting = try outbox.enqueue(
            destination: "other", payload: claims[0], idempotencyKey: "waiting", now: start)
        memory.failNext([TransportError(.rejected, retryable: false, "400", statusCode: 400)])
        let refused = try outbox.enqueue(destination: "m", payload: claims[2], idempotencyKey: "refused", now: start)
        #expect(try await outbox.deliverDue(transports: ["m": memory], now: start).dead == [refused])

        let now = start.addingTimeInterval(95 * day)
        let cutoff = now.addingTimeInterval(-90 * day)
        #expect(try outbox.purgePayloads(settledBefore: cutoff, now: now, dryRun: true) == 2)
        #expect(try outbox.payload(of: old) == claims[0])
        #expect(try outbox.purgePayloads(settledBefore: cutoff, now: now) == 2)
        #expect(try outbox.purgePayloads(settledBefore: cutoff, now: now) == 0)

        let purged = try #require(try outbox.delivery(old))
        #expect(purged.state == .delivered && purged.payloadPurgedAt == now && purged.payloadSize == 0)
        #expect(purged.payloadSHA256 == PayloadDigest.hex(PayloadDigest.sha256(claims[0])))
        #expect(purged.receipt != nil && purged.createdAt == start)
        #expect(throws: OutboxError(.payloadPurged, "")) { try outbox.payload(of: old) }
        #expect(try outbox.payload(of: recent) == claims[1] && outbox.payload(of: waiting) == claims[0])
        #expect(try outbox.purgedPayloadCount() == 2)
        // A dead delivery whose payload is gone cannot be sent again.
        #expect(try outbox.retry(refused) == false && outbox.retryAllDead() == 0)
        #expect(try outbox.delivery(refused)?.state == .dead)
    }

    @Test("Purged payload bytes do not linger in the outbox file or its log, even without encryption")
    func purgedBytesAreGone() async throws {
        let outbox = try Outbox(path: path)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        for (index, claim) in claims.enumerated() {
            try outbox.enqueue(destination: "m", payload: claim, idempotencyKey: "claim-\(index)", now: start)
        }
        _ = try await outbox.deliverDue(transports: ["m": InMemoryTransport()], now: start)
        #expect(!PersonalData.occurrences(of: personal, in: storedFiles).isEmpty)
        #expect(try outbox.purgePayloads(settledBefore: start.addingTimeInterval(1)) == claims.count)
        #expect(PersonalData.occurrences(of: personal, in: storedFiles) == [])
    }

    /// Each row's idempotency key and the key id its payload is encrypted with (nil: plaintext).
    private func storedKeyIDs(_ store: OutboxStoreLocation) throws -> [String: String?] {
        try RawOutboxRows(store: store).payloads().mapValues { PayloadCipher.keyID(of: $0) }
    }
}
