import ClaimsBridge
@testable import ClaimsBridgeWatcher
import ClaimsBridgeTestSupport
import Foundation
import Testing

@Suite("Drop-folder watcher")
struct WatcherTests {
    @Test("Each dropped batch is translated, delivered once, archived, and recorded as delivered", arguments: LedgerEngine.allCases)
    func happyPath(_ engine: LedgerEngine) async throws {
        let harness = try WatchHarness(engine)
        let names = ["01-claim-basic.txt", "07-cob-claim.txt", "11-claim-acknowledgement.txt"]
        for name in names { try harness.drop(name, try Fixtures.bytes("cdanet/v04/\(name)")) }
        try await harness.drain()

        let delivered = harness.files(in: harness.output)
        #expect(delivered.count == 3)
        for name in names {
            let stem = (name as NSString).deletingPathExtension
            let file = try #require(delivered.first { $0.hasSuffix("-\(stem).jsonl") })
            let expected = try Fixtures.bytes("cdanet/v04/\(stem).expected.json")
            let got = try Array(Data(contentsOf: URL(fileURLWithPath: harness.output + "/" + file)))
            #expect(got == expected, "\(name)")
        }
        let archived = harness.files(in: harness.inbox + "/archive")
        #expect(archived.map { ($0 as NSString).lastPathComponent } == names)
        #expect(harness.files(in: harness.inbox + "/processing").isEmpty)
        #expect(harness.files(in: harness.inbox).allSatisfy { $0.hasPrefix("archive/") })
        let ledger = try harness.ledger()
        #expect(try ledger.countsByState() == [.delivered: 3])
        for file in try ledger.files() {
            #expect(file.messages == 1 && file.translated == 1 && file.rejected == 0)
            #expect(file.path.contains("/archive/"))
            #expect(try ledger.deliveries(of: file.id).map(\.state) == ["delivered"])
        }
    }

    @Test(
        "Bad messages go to a rejects file and the good ones continue; a file with nothing good goes to error/",
        arguments: LedgerEngine.allCases)
    func rejectsAndFailures(_ engine: LedgerEngine) async throws {
        let harness = try WatchHarness(engine)
        let good = try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")
        let bad = try Fixtures.bytes("cdanet/invalid/bad-date.txt")
        try harness.drop("mixed.txt", good + bad)
        // Bytes that hold no CDAnet message at all: nothing can be translated.
        try harness.drop("only-bad.txt", Array("NOT A CLAIM, JUST A NOTE LEFT IN THE WRONG FOLDER\n".utf8))
        try await harness.drain()

        let ledger = try harness.ledger()
        let files = try ledger.files().sorted { $0.name < $1.name }
        #expect(files.map(\.name) == ["mixed.txt", "only-bad.txt"])
        #expect(files[0].state == .delivered && files[0].rejected >= 1 && files[0].translated >= 1)
        #expect(files[1].state == .failed && files[1].error?.isEmpty == false)

        let rejects = harness.files(in: harness.inbox + "/rejects")
        #expect(rejects.contains { $0.hasSuffix("mixed.txt.rejects.jsonl") })
        #expect(harness.files(in: harness.inbox + "/error") == ["only-bad.txt", "only-bad.txt.error.json"])
        let report = try String(contentsOfFile: harness.inbox + "/error/only-bad.txt.error.json", encoding: .utf8)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any])
        #expect(json["file"] as? String == "only-bad.txt")
        #expect((json["problems"] as? [[String: Any]])?.first?["messageNumber"] as? Int == 1)
        #expect(!report.contains("originalBase64"))
        // One delivery, for the good part of mixed.txt.
        #expect(harness.files(in: harness.output).count == 1)
    }

    @Test(
        "A file with the same content as one already processed is recorded as a duplicate and not sent again",
        arguments: LedgerEngine.allCases)
    func duplicates(_ engine: LedgerEngine) async throws {
        let harness = try WatchHarness(engine)
        let bytes = try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")
        try harness.drop("first.txt", bytes)
        try await harness.drain()
        try harness.drop("again.txt", bytes)
        try await harness.drain()

        let files = try harness.ledger().files().sorted { $0.id < $1.id }
        #expect(files.map(\.state) == [.delivered, .duplicate])
        #expect(files[1].duplicateOf == files[0].id)
        #expect(harness.files(in: harness.output).count == 1)
        #expect(harness.files(in: harness.inbox + "/archive").count == 2)
    }

    @Test("With resubmit on, the same content is processed and delivered again", arguments: LedgerEngine.allCases)
    func resubmission(_ engine: LedgerEngine) async throws {
        let harness = try WatchHarness(engine, routeOptions: "stableSeconds: 0\n    resubmit: true")
        let bytes = try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")
        try harness.drop("first.txt", bytes)
        try await harness.drain()
        try harness.drop("again.txt", bytes)
        try await harness.drain()
        #expect(try harness.ledger().countsByState() == [.delivered: 2])
        #expect(harness.files(in: harness.output).count == 2)
    }

    @Test("Temporary and hidden names are left alone; a done-marker route waits for the marker", arguments: LedgerEngine.allCases)
    func partialFiles(_ engine: LedgerEngine) async throws {
        let harness = try WatchHarness(engine, routeOptions: "doneMarker: .done")
        let bytes = try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")
        try Data(bytes).write(to: URL(fileURLWithPath: harness.inbox + "/upload.txt.tmp"))
        try Data(bytes).write(to: URL(fileURLWithPath: harness.inbox + "/.hidden.txt"))
        try Data(bytes).write(to: URL(fileURLWithPath: harness.inbox + "/waiting.txt"))
        try Data(bytes).write(to: URL(fileURLWithPath: harness.inbox + "/ready.txt"))
        try Data().write(to: URL(fileURLWithPath: harness.inbox + "/ready.txt.done"))
        try await harness.drain()

        #expect(try harness.ledger().files().map(\.name) == ["ready.txt"])
        let left = harness.files(in: harness.inbox).filter { !$0.contains("/") }
        #expect(left == [".hidden.txt", "upload.txt.tmp", "waiting.txt"])
    }

    @Test("A file still being written (changed within the stable time) is not taken")
    func stability() throws {
        let harness = try WatchHarness(routeOptions: "stableSeconds: 60")
        try harness.drop("fresh.txt", [0x31])
        let listing = InboxScanner(route: harness.configuration.routes[0]).scan()
        #expect(listing.ready.isEmpty)
        let next = try #require(listing.nextCheck)
        #expect(next > Date().timeIntervalSince1970 + 50)
        let later = InboxScanner(route: harness.configuration.routes[0]).scan(now: Date().timeIntervalSince1970 + 61)
        #expect(later.ready.map(\.name) == ["fresh.txt"])
    }
}
