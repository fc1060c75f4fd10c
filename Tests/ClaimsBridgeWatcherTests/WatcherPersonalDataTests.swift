import ClaimsBridge
import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
@testable import ClaimsBridgeWatcher
import Foundation
import Logging
import Testing

@Suite("Watcher: personal data at rest")
struct WatcherPersonalDataTests {
    static let keyOne = try! PayloadKey(id: "k1", text: Data(repeating: 0x5A, count: 32).base64EncodedString())
    static let keyTwo = try! PayloadKey(id: "k2", text: String(repeating: "c3", count: 32))
    static let day = 86_400.0
    let personal: Set<String>

    init() throws {
        personal = try ["01-claim-basic", "07-cob-claim", "01-claim-maximal"].reduce(into: Set<String>()) { values, name in
            values.formUnion(try PersonalData.values(inExpected: "cdanet/v04/\(name).expected.json"))
        }
    }

    /// A harness whose watcher encrypts with `cipher` and keeps payloads 90 days, originals 365.
    private func harness(cipher: PayloadCipher?) throws -> WatchHarness {
        var harness = try WatchHarness()
        harness.configuration.payloadCipher = cipher
        harness.configuration.retention = RetentionPolicy(payloadSeconds: 90 * Self.day, archiveSeconds: 365 * Self.day)
        return harness
    }

    private func watcher(_ harness: WatchHarness, clock: @escaping @Sendable () -> Date = { Date() }) throws -> Watcher {
        Watcher(
            configuration: harness.configuration,
            resources: try TranslationResources.load(for: harness.configuration, mappingsDirectory: Fixtures.mappings.path),
            transports: ["out": try FolderTransport(directory: harness.output, namePattern: "{key}-{name}")],
            retryPolicy: RetryPolicy(), metrics: WatchMetrics(),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), afterStep: nil, clock: clock)
    }

    /// Claims, a file with a bad message among good ones (a rejects file) and one with only a bad message.
    private func dropClaims(into harness: WatchHarness) throws {
        try harness.drop("basic.txt", try Fixtures.bytes("cdanet/v04/01-claim-basic.txt"))
        try harness.drop("cob.txt", try Fixtures.bytes("cdanet/v04/07-cob-claim.txt"))
        let bad = try Fixtures.bytes("cdanet/invalid/bad-date.txt")
        try harness.drop("mixed.txt", try Fixtures.bytes("cdanet/v04/01-claim-maximal.txt") + bad)
        try harness.drop("bad.txt", bad)
        // Not CDAnet at all, so it fails and goes to error/; it names the patient all the same.
        try harness.drop("note.txt", Array("NOT A CLAIM, A NOTE: \(personal.sorted().joined(separator: " "))\n".utf8))
    }

    /// Everything the watcher keeps: the state folder (ledger, outbox and their logs), archive/, error/, rejects/.
    private func stored(_ harness: WatchHarness) -> [String] {
        [harness.configuration.stateDirectory] + ["archive", "error", "rejects"].map { harness.inbox + "/" + $0 }
    }

    @Test("With encryption on, the ledger, outbox, archive, error and rejects files hold no patient value; deliveries are byte-identical")
    func nothingReadableAtRest() async throws {
        let harness = try harness(cipher: try PayloadCipher(currentKey: Self.keyOne))
        try dropClaims(into: harness)
        try await watcher(harness).run(drain: true)

        let delivered = harness.files(in: harness.output)
        for (name, fixture) in [("basic", "01-claim-basic"), ("cob", "07-cob-claim")] {
            let file = try #require(delivered.first { $0.hasSuffix("-\(name).jsonl") })
            let got = try Array(Data(contentsOf: URL(fileURLWithPath: harness.output + "/" + file)))
            #expect(got == (try Fixtures.bytes("cdanet/v04/\(fixture).expected.json")))
        }
        let kept = stored(harness).flatMap(PersonalData.regularFiles(at:))
        #expect(kept.contains { $0.hasSuffix("outbox.sqlite") } && kept.contains { $0.hasSuffix("ledger.sqlite") })
        #expect(kept.contains { $0.contains("/rejects/") } && kept.contains { $0.contains("/archive/") })
        #expect(kept.contains { $0.hasSuffix("/bad.txt") } && kept.contains { $0.hasSuffix("/error/note.txt") })
        #expect(PersonalData.occurrences(of: personal, in: stored(harness)) == [])
        // The same search finds the values in what was delivered: it can fail.
        #expect(!PersonalData.occurrences(of: personal, in: [harness.output]).isEmpty)
        for path in kept where path.contains("/archive/") || path.contains("/rejects/") || path.hasSuffix("/error/note.txt") {
            #expect(PayloadCipher.keyID(of: Array(try Data(contentsOf: URL(fileURLWithPath: path)))) == "k1", "\(path)")
        }

        // An encrypted original can be reprocessed.
        let basic = try #require(try harness.ledger().files().first { $0.name == "basic.txt" })
        let attempt = try await watcher(harness).reprocess(fileID: basic.id)
        #expect(attempt.state == .delivered && attempt.reprocessOf == basic.id)

        // An archived file swapped for another is refused.
        let cob = try #require(try harness.ledger().files().first { $0.name == "cob.txt" })
        try FileManager.default.removeItem(atPath: basic.path)
        try FileManager.default.copyItem(atPath: cob.path, toPath: basic.path)
        let swapped = await #expect(throws: WatchError.self) { try await watcher(harness).reprocess(fileID: basic.id) }
        #expect("\(swapped.map { "\($0)" } ?? "")".contains("is not the original of file \(basic.id)"))
    }

    @Test("Plaintext kept before encryption is encrypted by rekey; after a rotation rekey moves everything to the new key")
    func rekeyFilesAndOutbox() async throws {
        var harness = try harness(cipher: nil)
        try dropClaims(into: harness)
        try await watcher(harness).run(drain: true)
        #expect(!PersonalData.occurrences(of: personal, in: stored(harness)).isEmpty)

        harness.configuration.payloadCipher = try PayloadCipher(currentKey: Self.keyOne)
        let first = try watcher(harness).rekey()
        #expect(first.outbox.rekeyed > 0 && first.files.rekeyed >= 3 && first.files.failures.isEmpty)
        #expect(PersonalData.occurrences(of: personal, in: stored(harness)) == [])

        harness.configuration.payloadCipher = try PayloadCipher(currentKey: Self.keyTwo, previousKeys: [Self.keyOne])
        let second = try watcher(harness).rekey()
        #expect(second.outbox.rekeyed == first.outbox.rekeyed && second.files.rekeyed == first.files.rekeyed)
        #expect(try watcher(harness).rekey().files.rekeyed == 0)

        // Only the new key now: everything still reads.
        harness.configuration.payloadCipher = try PayloadCipher(currentKey: Self.keyTwo)
        let basic = try #require(try harness.ledger().files().first { $0.name == "basic.txt" })
        #expect(try await watcher(harness).reprocess(fileID: basic.id).state == .delivered)

        // Without the old key, an original it encrypted is reported by key id.
        let cob = try #require(try harness.ledger().files().first { $0.name == "cob.txt" })
        harness.configuration.payloadCipher = try PayloadCipher(currentKey: Self.keyOne)
        let error = await #expect(throws: WatchError.self) { try await watcher(harness).reprocess(fileID: cob.id) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("key id k2, which is not configured"))
    }

    @Test("Retention removes exactly the payloads and originals past their date; status and the claim chain still answer")
    func retention() async throws {
        let harness = try harness(cipher: try PayloadCipher(currentKey: Self.keyOne))
        try dropClaims(into: harness)
        try await watcher(harness).run(drain: true)
        let ledger = try harness.ledger()
        let basic = try #require(try ledger.files().first { $0.name == "basic.txt" })
        let cob = try #require(try ledger.files().first { $0.name == "cob.txt" })
        let now = Date()
        // basic.txt was filed 400 days ago and its delivery settled 100 days ago; the rest is recent.
        try ledger.database.prepare(
            "UPDATE files SET finished_at = \(now.timeIntervalSince1970 - 400 * Self.day) WHERE id = \(basic.id)").run()
        let basicDelivery = try #require(try ledger.deliveries(of: basic.id).first)
        try SQLiteDatabase(path: harness.configuration.outboxPath).execute(
            "UPDATE delivery SET updated_at = \(now.timeIntervalSince1970 - 100 * Self.day) WHERE id = \(basicDelivery.outboxID)")

        let watcher = try watcher(harness)
        let preview = try watcher.applyRetention(now: now, dryRun: true)
        #expect(preview.originals == 1 && preview.payloads == 1 && preview.rejectsFiles == 0)
        #expect(FileManager.default.fileExists(atPath: basic.path))
        let report = try watcher.applyRetention(now: now)
        #expect(report == preview)
        #expect(!FileManager.default.fileExists(atPath: basic.path))
        #expect(FileManager.default.fileExists(atPath: cob.path))
        let outbox = try Outbox(path: harness.configuration.outboxPath, cipher: harness.configuration.payloadCipher)
        let purged = #expect(throws: OutboxError.self) { try outbox.payload(of: DeliveryID(basicDelivery.outboxID)) }
        #expect(purged?.code == .payloadPurged)
        let cobDelivery = try #require(try ledger.deliveries(of: cob.id).first)
        #expect(try outbox.payload(of: DeliveryID(cobDelivery.outboxID))?.isEmpty == false)

        // The record stays: state, digest, deliveries; status and the claim chain say the original is gone.
        let after = try #require(try ledger.file(basic.id))
        #expect(after.state == .delivered && after.sha256 == basic.sha256 && after.originalPurgedAt != nil)
        #expect(try ledger.file(cob.id)?.originalPurgedAt == nil)
        let status = try WatchStatus.gather(harness.configuration)
        #expect(status.purgedOriginals == 1 && status.purgedPayloads == 1)
        #expect(status.text.contains("Purged by retention: 1 original, 1 delivery payload"))
        let chain = try ledger.chain(officeSequenceNumber: "000101")
        #expect(!chain.isEmpty && chain.allSatisfy { $0.fileID != basic.id || $0.originalPurgedAt != nil })
        let reprocess = await #expect(throws: WatchError.self) { try await watcher.reprocess(fileID: basic.id) }
        #expect("\(reprocess.map { "\($0)" } ?? "")".contains("retention"))

        // A watcher started a year later applies retention at start: the rest goes, rejects files included.
        try await self.watcher(harness, clock: { now.addingTimeInterval(400 * Self.day) }).run(drain: true)
        #expect(!FileManager.default.fileExists(atPath: cob.path))
        #expect(harness.files(in: harness.inbox + "/rejects").isEmpty)
        #expect(harness.files(in: harness.inbox + "/archive").isEmpty)
        #expect(harness.files(in: harness.inbox + "/error") == ["note.txt.error.json"])
        #expect(try WatchStatus.gather(harness.configuration).purgedOriginals == 5)
    }

    struct SimulatedCrash: Error {}

    @Test("With encryption on, a crash after any step leaves every original encrypted once, nothing in processing/",
        arguments: ProcessingStep.allCases)
    func crashAfter(step: ProcessingStep) async throws {
        let harness = try harness(cipher: try PayloadCipher(currentKey: Self.keyOne))
        for (name, fixture) in [("a.txt", "01-claim-basic"), ("b.txt", "07-cob-claim")] {
            try harness.drop(name, try Fixtures.bytes("cdanet/v04/\(fixture).txt"))
        }
        await #expect(throws: SimulatedCrash.self) {
            try await harness.drain { reached, name in
                if reached == step && name == "b.txt" { throw SimulatedCrash() }
            }
        }
        try await harness.drain()
        #expect(harness.files(in: harness.inbox + "/processing").isEmpty)
        let archived = harness.files(in: harness.inbox + "/archive")
        #expect(archived.count == 2, "\(archived)")
        for file in try harness.ledger().files() {
            let stored = Array(try Data(contentsOf: URL(fileURLWithPath: file.path)))
            #expect(PayloadCipher.keyID(of: stored) == "k1")
            #expect(FileDigest.sha256(try SealedFiles.read(file.path, cipher: harness.configuration.payloadCipher)) == file.sha256)
        }
        #expect(PersonalData.occurrences(of: personal, in: stored(harness)) == [])
    }

    @Test("A crash between writing the encrypted copy and removing the plaintext keeps that copy and removes the plaintext")
    func crashBetweenCopyAndRemoval() async throws {
        let cipher = try PayloadCipher(currentKey: Self.keyOne)
        let harness = try harness(cipher: cipher)
        try harness.drop("b.txt", try Fixtures.bytes("cdanet/v04/07-cob-claim.txt"))
        await #expect(throws: SimulatedCrash.self) {
            try await harness.drain { reached, _ in if reached == .ledgerUpdated { throw SimulatedCrash() } }
        }
        let file = try #require(try harness.ledger().files().first)
        let planned = try #require(file.movingTo)
        // What a crash inside the move leaves: the encrypted copy written, the plaintext still in processing/.
        try DurableFiles.write(
            cipher.seal(try FileProcessor.readAll(file.path), context: SealedFiles.originalContext(sha256: file.sha256)),
            to: planned)
        try await harness.drain()
        #expect(harness.files(in: harness.inbox + "/processing").isEmpty)
        #expect(harness.files(in: harness.inbox + "/archive").count == 1)
        #expect(try harness.ledger().file(file.id)?.path == planned)
        #expect(try SealedFiles.read(planned, cipher: cipher) == (try Fixtures.bytes("cdanet/v04/07-cob-claim.txt")))
    }

    /// A clock a test moves by hand.
    final class ManualClock: @unchecked Sendable {
        private let lock = NSLock()
        private var current: Date
        init(_ start: Date) { current = start }
        var now: Date { lock.withLock { current } }
        func set(_ date: Date) { lock.withLock { current = date } }
    }

    @Test("The watcher applies retention once a day by its clock, not more often")
    func dailyRetention() async throws {
        let harness = try harness(cipher: try PayloadCipher(currentKey: Self.keyOne))
        try harness.drop("basic.txt", try Fixtures.bytes("cdanet/v04/01-claim-basic.txt"))
        try await watcher(harness).run(drain: true)
        let filed = Date()
        let clock = ManualClock(filed.addingTimeInterval(300 * Self.day))
        let watcher = try watcher(harness, clock: { clock.now })
        let purged = { try harness.ledger().purgedOriginalCount() }

        let first = try #require(watcher.applyRetentionIfDue(last: nil))
        #expect(first == clock.now)
        #expect(try purged() == 0)
        // Past the limit, but less than a day after the last run: not yet.
        clock.set(filed.addingTimeInterval(366 * Self.day))
        let recent = clock.now.addingTimeInterval(-3600)
        #expect(watcher.applyRetentionIfDue(last: recent) == recent)
        #expect(try purged() == 0)
        // A day after the last run: applied.
        #expect(watcher.applyRetentionIfDue(last: first) == clock.now)
        #expect(try purged() == 1)
    }
}
