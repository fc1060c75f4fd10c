import ClaimsBridge
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
import Foundation
import Testing

@testable import ClaimsBridgeWatcher

@Suite("Long file names in the watcher")
struct WatcherLongFileNameTests {
    static let names = [192, 241, 255].map { longFileName($0) } + ["é", "日", "🦷"].map { longFileName(255, unit: $0) }

    /// Drops `bytes` as `name` through a short temporary name (a 255-byte name has no room for a longer one).
    func drop(_ name: String, _ bytes: [UInt8], into harness: WatchHarness) throws {
        let temporary = harness.inbox + "/.dropping"
        try Data(bytes).write(to: URL(fileURLWithPath: temporary))
        #expect(rename(temporary, harness.inbox + "/" + name) == 0)
    }

    @Test("Files with names of 192 to 255 bytes are delivered, archived and recorded", arguments: names)
    func delivered(name: String) async throws {
        let harness = try WatchHarness()
        try drop(name, try Fixtures.bytes("cdanet/v04/01-claim-basic.txt"), into: harness)
        try await harness.drain()

        let ledger = try harness.ledger()
        #expect(try ledger.countsByState() == [.delivered: 1])
        let file = try #require(try ledger.files().first)
        #expect(file.name == name)
        let delivered = harness.files(in: harness.output)
        #expect(delivered.count == 1)
        #expect(delivered.allSatisfy { $0.utf8.count <= FileNameLength.limit && $0.hasSuffix(".jsonl") })
        #expect(
            delivered.first?.hasPrefix(try #require(try ledger.deliveries(of: file.id).first).idempotencyKey) == true)
        #expect(harness.files(in: harness.inbox + "/archive").map { ($0 as NSString).lastPathComponent } == [name])
        #expect(harness.files(in: harness.inbox + "/processing").isEmpty)
    }

    @Test(
        "A failed file with a long name goes to error/ with its report; rejects of a long-named file are kept",
        arguments: names)
    func failedAndRejected(name: String) async throws {
        let harness = try WatchHarness()
        try drop(name, Array("NOT A CLAIM, JUST A NOTE LEFT IN THE WRONG FOLDER\n".utf8), into: harness)
        let mixed = "m" + name.dropFirst()
        let good = try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")
        try drop(mixed, good + (try Fixtures.bytes("cdanet/invalid/bad-date.txt")), into: harness)
        try await harness.drain()

        let files = try harness.ledger().files()
        #expect(files.first { $0.name == name }?.state == .failed)
        #expect(files.first { $0.name == mixed }?.state == .delivered)
        #expect(harness.files(in: harness.inbox + "/processing").isEmpty)
        let failed = harness.files(in: harness.inbox + "/error")
        #expect(failed.count == 2)
        let original = try #require(failed.first { !$0.hasSuffix(".error.json") })
        #expect(failed.contains(original + ".error.json"))
        #expect(failed.allSatisfy { $0.utf8.count <= FileNameLength.limit })
        #expect(FileManager.default.contents(atPath: harness.inbox + "/error/" + original) != nil)
        let rejects = harness.files(in: harness.inbox + "/rejects").map { ($0 as NSString).lastPathComponent }
        // Both files' rejected messages are kept: the failed file's and the mixed file's.
        #expect(
            rejects.count == 2 && rejects.allSatisfy { $0.hasSuffix(".rejects.jsonl") && $0.utf8.count <= 255 },
            "\(rejects)")
    }

    @Test("A drain that leaves a file in processing/ fails and says so")
    func drainReportsFilesLeft() async throws {
        let harness = try WatchHarness()
        try harness.drop("bad.txt", Array("NOT A CLAIM\n".utf8))
        // The file system fails once the file is translated (a full disk, say): the file stays in processing/.
        let error = await #expect(throws: WatchError.self) {
            try await harness.drain { step, _ in
                if step == .translated { throw WatchError("cannot write: No space left on device") }
            }
        }
        #expect(error?.description.contains("still in processing/") == true, "\(String(describing: error))")
        #expect(error?.description.contains("route claims: ledger file 1") == true, "\(String(describing: error))")
        #expect(error?.description.contains("bad.txt") == false, "file names may hold personal data")
        #expect(harness.files(in: harness.inbox + "/processing").filter { !$0.hasPrefix(".") } == ["bad.txt"])
    }
}

@Suite("Temporaries left by a killed process")
struct AbandonedTemporaryTests {
    @Test("On start the watcher removes its own dead work files and folder destinations' stale temporaries, only those")
    func removedAtStart() async throws {
        let harness = try WatchHarness()
        let processing = harness.inbox + "/processing"
        try FileManager.default.createDirectory(atPath: processing, withIntermediateDirectories: true)
        func make(_ path: String) { #expect(FileManager.default.createFile(atPath: path, contents: Data("x".utf8))) }
        make(processing + "/.3.error.json.pid\(Int32.max - 1).tmp")  // its process is gone
        make(harness.inbox + "/.reply.pid\(Int32.max - 1).copy")  // its process is gone
        make(processing + "/.4.error.json.pid1.tmp")  // process 1 is alive and the file is new
        make(processing + "/.7.numbered")  // a work file the ledger resumes; not a temporary
        make(harness.output + "/delivered-k1.jsonl")
        #expect(link(harness.output + "/delivered-k1.jsonl", harness.output + "/.delivered-k1.jsonl.4242.tmp") == 0)
        make(harness.output + "/.someone-elses.tmp")

        try await harness.drain()

        let inbox = try FileManager.default.contentsOfDirectory(atPath: harness.inbox).filter { $0.hasPrefix(".") }
        #expect(inbox.isEmpty)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: processing).sorted() == [
                ".4.error.json.pid1.tmp", ".7.numbered",
            ])
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: harness.output).sorted() == [
                ".someone-elses.tmp", "delivered-k1.jsonl",
            ])
    }

    @Test("Work file names record the writer and fit the name limit")
    func workFileNames() {
        for name in ["a.txt", longFileName(255, unit: "日")] {
            for made in [WorkFileNames.temporary(name), WorkFileNames.staged(name)] {
                #expect(made.utf8.count <= FileNameLength.limit)
                #expect(WorkFileNames.writer(made) == getpid(), "\(made)")
            }
        }
        #expect(WorkFileNames.writer(".a.txt.123.tmp") == nil)
        #expect(WorkFileNames.writer("a.pid12.tmp") == nil)
    }
}
