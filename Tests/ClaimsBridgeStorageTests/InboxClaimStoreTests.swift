import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import Foundation
import Synchronization
import Testing

/// The rules of ``InboxClaimStore``, checked on both engines with the same tests.
@Suite("Inbox claims, on SQLite and PostgreSQL")
struct InboxClaimStoreTests {
    enum Engine: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, postgreSQL
        var testDescription: String { rawValue }
    }

    /// A way to open several connections to one new, empty store.
    struct Opened: Sendable {
        let connect: @Sendable () throws -> any InboxClaimStore
    }

    func open(_ engine: Engine) throws -> Opened {
        switch engine {
        case .sqlite:
            let path = NSTemporaryDirectory() + "claims-\(UUID().uuidString).sqlite"
            return Opened { try SQLiteInboxClaimStore(path: path) }
        case .postgreSQL:
            let configuration = try PostgreSQLTestServer.shared().newDatabase()
            try PostgreSQLSchema.migrate(PostgreSQLDatabase(configuration: configuration))
            return Opened { try PostgreSQLInboxClaimStore(configuration: configuration) }
        }
    }

    func key(_ name: String, modified: Int64 = 1_700_000_000_000_000_000) -> InboxFileKey {
        InboxFileKey(route: "claims", name: name, size: 120, modifiedNanoseconds: modified)
    }

    @Test("One holder at a time; a takeover after the lease, with a greater token; the stale holder is fenced", arguments: Engine.allCases)
    func leaseAndFence(_ engine: Engine) throws {
        let store = try open(engine).connect()
        let file = key("a.jsonl")
        let first = try #require(try store.claim(file, worker: "m1", leaseSeconds: 10, now: 100))
        #expect(try store.claim(file, worker: "m2", leaseSeconds: 10, now: 105) == nil, "the lease is live")
        #expect(try store.renew(first, leaseSeconds: 10, now: 108))
        #expect(try store.claim(file, worker: "m2", leaseSeconds: 10, now: 115) == nil, "renewed until 118")
        let second = try #require(try store.claim(file, worker: "m2", leaseSeconds: 10, now: 119))
        #expect(second.token > first.token)
        #expect(try !store.renew(first, leaseSeconds: 10, now: 120), "the first holder is fenced off")
        #expect(try !store.finish(first, now: 120))
        #expect(try store.record(file)?.worker == "m2")
        #expect(try store.record(file)?.takeovers == 1)
        #expect(try store.finish(second, now: 121))
        #expect(try store.claim(file, worker: "m3", leaseSeconds: 10, now: 500) == nil, "a finished file is never claimed again")
        #expect(try store.record(file)?.finished == true)
    }

    @Test("A restarted worker takes its own file back at once; another file of the same name is a new file", arguments: Engine.allCases)
    func ownAndNew(_ engine: Engine) throws {
        let store = try open(engine).connect()
        let file = key("b.jsonl")
        let before = try #require(try store.claim(file, worker: "m1", leaseSeconds: 60, now: 100))
        let again = try #require(try store.claim(file, worker: "m1", leaseSeconds: 60, now: 101))
        #expect(again.token > before.token)
        #expect(try !store.renew(before, leaseSeconds: 60, now: 102), "the earlier process of the same worker is fenced")
        #expect(try store.record(file)?.takeovers == 0)
        #expect(try store.finish(again, now: 103))
        #expect(try store.claim(key("b.jsonl", modified: 1_800_000_000_000_000_000), worker: "m2", leaseSeconds: 60, now: 104) != nil)
        #expect(try store.deleteFinished(before: 104) == 1)
        #expect(try store.record(file) == nil)
        #expect(try store.deleteFinished(before: 200) == 1, "a claim whose lease ended long ago goes too")
    }

    @Test("The latest claim of a name and size, without the modification time", arguments: Engine.allCases)
    func latestByNameAndSize(_ engine: Engine) throws {
        let store = try open(engine).connect()
        #expect(try store.latest(route: "claims", name: "c.jsonl", size: 120) == nil)
        let older = key("c.jsonl", modified: 1_700_000_000_000_000_000)
        let newer = key("c.jsonl", modified: 1_700_000_001_000_000_000)
        let first = try #require(try store.claim(older, worker: "m1", leaseSeconds: 60, now: 100))
        #expect(try store.finish(first, now: 101))
        _ = try #require(try store.claim(newer, worker: "m2", leaseSeconds: 60, now: 102))
        _ = try #require(try store.claim(key("d.jsonl"), worker: "m3", leaseSeconds: 60, now: 103))
        let found = try #require(try store.latest(route: "claims", name: "c.jsonl", size: 120))
        #expect(found.key == newer)
        #expect(found.record.worker == "m2" && !found.record.finished && found.record.leaseExpiresAt == 162)
        #expect(try store.latest(route: "claims", name: "c.jsonl", size: 121) == nil)
        #expect(try store.latest(route: "labs", name: "c.jsonl", size: 120) == nil)
    }

    @Test("Four workers claiming 100 files at once: each file is claimed once", arguments: Engine.allCases)
    func concurrentClaims(_ engine: Engine) throws {
        let opened = try open(engine)
        _ = try opened.connect()
        let files = (0..<100).map { key("f\($0).jsonl") }
        let won = try onThreads(4) { worker in
            let store = try opened.connect()
            return try files.filter { try store.claim($0, worker: "m\(worker)", leaseSeconds: 30, now: 1000) != nil }
        }
        #expect(won.map(\.count).reduce(0, +) == 100)
        #expect(Set(won.flatMap { $0 }).count == 100)
    }
}
