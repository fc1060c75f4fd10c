import ClaimsBridge
import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
@testable import ClaimsBridgeWatcher
import Foundation
import Logging
import Testing

/// Routes with `pickup:` fetch replies from a partner's SFTP folder or a local folder, each file exactly once.
@Suite("Pick-up routes")
struct PickupTests {
    let root: String
    let replies = ["11-claim-acknowledgement.txt", "21-eob-basic.txt"]

    init() throws { root = try makeScratchFolder("pickup") }

    /// A watcher of the route `replies` fetching from `source`; its ledger and outbox are SQLite files of the state
    /// folder, or in `store`.
    func watcher(pickup: Route.Pickup, source: any PickupSource, store: PostgreSQLConfiguration?) throws -> Watcher {
        var route = Route(
            name: "replies", inbox: root + "/replies", readiness: .stableFor(.zero), translation: .cdanetToJSON,
            transports: ["practice"])
        route.pickup = pickup
        try FileManager.default.createDirectory(atPath: root + "/replies", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/practice", withIntermediateDirectories: true)
        var configuration = WatchConfiguration(stateDirectory: root + "/state", routes: [route])
        configuration.outboxStore = store.map { .postgreSQL($0) }
        return Watcher(
            configuration: configuration,
            resources: TranslationResources(catalog: Fixtures.catalog),
            transports: ["practice": try FolderTransport(directory: root + "/practice", namePattern: "{name}-{key}")],
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            pickupSources: ["replies": source])
    }

    func put(_ fixture: String, into folder: String, as name: String? = nil) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(try Fixtures.bytes("cdanet/v04/" + fixture)).write(
            to: URL(fileURLWithPath: folder + "/" + (name ?? fixture)))
    }

    func delivered() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root + "/practice")) ?? []).filter { !$0.hasPrefix(".") }
    }

    @Test(
        "Replies are fetched from an SFTP folder, translated, delivered, and removed from the server once recorded",
        .enabled(if: Tool.serversAvailable, "needs ssh-keygen and sshd"), arguments: StorageEngine.allCases)
    func sftp(_ engine: StorageEngine) async throws {
        let (server, remote) = try sftpServer(holding: replies)
        let source = Self.sftp(server, folder: remote)
        let watcher = try watcher(
            pickup: Route.Pickup(source: "partner", folder: remote), source: source, store: try engine.newStore())
        try await watcher.run(drain: true)
        #expect(delivered().count == 2, "\(delivered())")
        #expect(try FileManager.default.contentsOfDirectory(atPath: remote).isEmpty)
        let ledger = try Ledger(location: watcher.ledgerLocation)
        let records = try ledger.pickups(route: "replies")
        #expect(records.map(\.name).sorted() == replies.sorted())
        #expect(records.allSatisfy { $0.state == .removed })
        #expect(records.first { $0.name == replies[0] }?.sha256 == FileDigest.sha256(try Fixtures.bytes("cdanet/v04/" + replies[0])))

        // The partner puts the same file up again: it is fetched (a new upload), recognised as a duplicate, not sent.
        try put(replies[0], into: remote)
        try await watcher.run(drain: true)
        #expect(delivered().count == 2)
        #expect(try ledger.pickups(route: "replies").count == 3)
        #expect(try ledger.countsByState()[.duplicate] == 1)
    }

    /// A loopback SFTP server whose folder `outgoing` holds the fixtures `names`; the server and the folder's path.
    func sftpServer(holding names: [String]) throws -> (SSHServer, String) {
        let server = try SSHServer()
        let remote = server.dropFolder + "/outgoing"
        for name in names { try put(name, into: remote) }
        return (server, remote)
    }

    static func sftp(_ server: SSHServer, folder: String) -> SFTPPickupSource {
        SFTPPickupSource(
            connection: SFTPConnection(
                host: "127.0.0.1", port: server.port, user: server.user, privateKey: server.clientKey,
                hostKey: .sha256Fingerprint(server.hostKeyFingerprint), connectTimeoutSeconds: 5),
            folder: folder)
    }

    @Test(
        "SFTP: a crash between downloading a file and removing it from the server; after the restart it is processed once",
        .enabled(if: Tool.serversAvailable, "needs ssh-keygen and sshd"), arguments: StorageEngine.allCases)
    func sftpCrashBeforeRemoval(_ engine: StorageEngine) async throws {
        let store = try engine.newStore()
        let (server, remote) = try sftpServer(holding: replies)
        // The first run dies where the first file is downloaded, recorded and in the inbox, and still on the server:
        // removing it stops the watcher at once, before the inbox is read (as a kill would).
        let dying = DyingSource(inner: Self.sftp(server, folder: remote))
        let first = try watcher(pickup: Route.Pickup(source: "partner", folder: remote), source: dying, store: store)
        dying.die = { [weak first] in first?.stop() }
        try await first.run(drain: true)
        let ledger = try Ledger(location: first.ledgerLocation)
        #expect(try ledger.pickups(route: "replies").map(\.state) == [.dropped])
        #expect(FileManager.default.fileExists(atPath: root + "/replies/" + replies[0]), "in the inbox, not yet read")
        #expect(!FileManager.default.fileExists(atPath: root + "/replies/" + replies[1]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: remote).sorted() == replies.sorted())
        #expect(delivered().isEmpty)

        // The restarted watcher removes the first file from the server without fetching it again, fetches the other,
        // and delivers each once.
        let second = try watcher(
            pickup: Route.Pickup(source: "partner", folder: remote), source: Self.sftp(server, folder: remote),
            store: store)
        try await second.run(drain: true)
        #expect(delivered().count == 2, "\(delivered())")
        #expect(try FileManager.default.contentsOfDirectory(atPath: remote).isEmpty)
        let records = try ledger.pickups(route: "replies")
        #expect(records.map(\.name).sorted() == replies.sorted(), "one record per file")
        #expect(records.allSatisfy { $0.state == .removed })
        #expect(try ledger.countsByState()[.duplicate] == nil, "nothing was put in the inbox twice")
        #expect(dying.downloads == 1)
    }

    @Test(
        "SFTP: a crash after a file reached the inbox but before that was recorded; it is not put there again",
        .enabled(if: Tool.serversAvailable, "needs ssh-keygen and sshd"), arguments: StorageEngine.allCases)
    func sftpCrashBeforeRecordingTheInbox(_ engine: StorageEngine) async throws {
        let (server, remote) = try sftpServer(holding: [replies[0]])
        let watcher = try watcher(
            pickup: Route.Pickup(source: "partner", folder: remote), source: Self.sftp(server, folder: remote),
            store: try engine.newStore())
        try FileManager.default.createDirectory(atPath: root + "/state", withIntermediateDirectories: true)
        let ledger = try Ledger(location: watcher.ledgerLocation)
        // As if the last run had recorded the download and put it in the inbox, then died.
        let bytes = try Fixtures.bytes("cdanet/v04/" + replies[0])
        _ = try ledger.recordPickup(
            route: "replies", source: Self.sftp(server, folder: remote).description, name: replies[0],
            sha256: FileDigest.sha256(bytes), size: bytes.count)
        try put(replies[0], into: root + "/replies")
        try await watcher.run(drain: true)
        #expect(delivered().count == 1, "\(delivered())")
        #expect(try ledger.countsByState()[.duplicate] == nil, "the file was not put in the inbox a second time")
        #expect(try FileManager.default.contentsOfDirectory(atPath: remote).isEmpty)
        #expect(try ledger.pickups(route: "replies").map(\.state) == [.removed])

        // Again, but the partner replaced the file after the crash: the new content is fetched, not taken for the old.
        try put(replies[1], into: remote, as: replies[0])
        let next = try ledger.recordPickup(
            route: "replies", source: Self.sftp(server, folder: remote).description, name: replies[0],
            sha256: FileDigest.sha256(bytes), size: bytes.count)
        try put(replies[0], into: root + "/replies")
        try await watcher.run(drain: true)
        let records = try ledger.pickups(route: "replies")
        #expect(records.map(\.state) == [.removed, .recorded, .removed], "the old record stays as it was")
        #expect(records.last?.sha256 == FileDigest.sha256(try Fixtures.bytes("cdanet/v04/" + replies[1])))
        #expect(records[1].id == next)
        #expect(try FileManager.default.contentsOfDirectory(atPath: remote).isEmpty)
    }

    @Test("With remove: false the files stay at the source and each name is fetched once", arguments: StorageEngine.allCases)
    func keep(_ engine: StorageEngine) async throws {
        let source = root + "/lab-out"
        for name in replies { try put(name, into: source) }
        let watcher = try watcher(
            pickup: Route.Pickup(source: "lab", folder: source, removeAfterPickup: false),
            source: FolderPickupSource(folder: source), store: try engine.newStore())
        try await watcher.run(drain: true)
        try await watcher.run(drain: true)
        #expect(delivered().count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: source).sorted() == replies.sorted())
        try put("12-claim-reversal-response.txt", into: source)
        try await watcher.run(drain: true)
        #expect(delivered().count == 3)
        let records = try Ledger(location: watcher.ledgerLocation).pickups(route: "replies")
        #expect(records.count == 3 && records.allSatisfy { $0.state == .dropped })
    }

    @Test(
        "Patterns choose the files; hidden and .part files are left for the program still writing them",
        arguments: StorageEngine.allCases)
    func patterns(_ engine: StorageEngine) async throws {
        let source = root + "/out"
        try put(replies[0], into: source, as: "a.txt")
        try put(replies[1], into: source, as: "b.dat")
        try put(replies[1], into: source, as: "c.txt.part")
        try put(replies[1], into: source, as: ".d.txt")
        let watcher = try watcher(
            pickup: Route.Pickup(source: "lab", folder: source, patterns: ["*.txt"]),
            source: FolderPickupSource(folder: source), store: try engine.newStore())
        try await watcher.run(drain: true)
        #expect(try Ledger(location: watcher.ledgerLocation).pickups(route: "replies").map(\.name) == ["a.txt"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: source).sorted() == [".d.txt", "b.dat", "c.txt.part"])
    }

    @Test(
        "A file recorded as in the inbox before a crash is only removed from the source, never fetched twice",
        arguments: StorageEngine.allCases)
    func resumesAfterACrash(_ engine: StorageEngine) async throws {
        let source = root + "/out"
        try put(replies[0], into: source)
        let watcher = try watcher(
            pickup: Route.Pickup(source: "lab", folder: source), source: FolderPickupSource(folder: source),
            store: try engine.newStore())
        try FileManager.default.createDirectory(atPath: root + "/state", withIntermediateDirectories: true)
        let ledger = try Ledger(location: watcher.ledgerLocation)
        // As if the last run had put the file in the inbox, then died before removing it from the source.
        let bytes = try Fixtures.bytes("cdanet/v04/" + replies[0])
        let id = try ledger.recordPickup(
            route: "replies", source: "folder \(source)", name: replies[0], sha256: FileDigest.sha256(bytes),
            size: bytes.count)
        try ledger.markPickup(id, .dropped, inboxName: replies[0])
        try await watcher.run(drain: true)
        #expect(delivered().isEmpty, "the file was not put in the inbox a second time")
        #expect(try FileManager.default.contentsOfDirectory(atPath: source).isEmpty)
        #expect(try ledger.pickups(route: "replies").map(\.state) == [.removed])
    }

    @Test("watch --check shows where a route fetches from; a destination that cannot be read is refused")
    func configuration() throws {
        let delivery = """
            outbox: {path: state/outbox.sqlite}
            destinations:
              practice: {type: folder, directory: practice}
              lab: {type: folder, directory: lab-out}
              carrier: {type: https, url: "https://127.0.0.1:9/"}

            """
        try delivery.write(toFile: root + "/delivery.yaml", atomically: true, encoding: .utf8)
        for folder in ["practice", "lab-out", "replies"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        func routes(from source: String) throws {
            try """
                state: state
                delivery: delivery.yaml
                routes:
                  - name: replies
                    inbox: replies
                    from: cdanet
                    to: json
                    deliver: [practice]
                    pickup: {from: \(source), folder: lab-out, pattern: "*.txt", everySeconds: 30}

                """.write(toFile: root + "/routes.yaml", atomically: true, encoding: .utf8)
        }
        try routes(from: "lab")
        let check = try CLIRun.run(["watch", "--config", root + "/routes.yaml", "--check"])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("fetch from folder \(root)/lab-out every 30.0 seconds, removing each file"), "\(check.stdout)")
        try routes(from: "carrier")
        let refused = try CLIRun.run(["watch", "--config", root + "/routes.yaml", "--check"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("only sftp and folder destinations can be read from"), "\(refused.stderr)")
        try routes(from: "nowhere")
        let unknown = try CLIRun.run(["watch", "--config", root + "/routes.yaml", "--check"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("routes.yaml:9"), "\(unknown.stderr)")
    }
}

/// A pickup source that dies (runs `die`, then fails) when asked to remove a file, and counts downloads.
final class DyingSource: PickupSource, @unchecked Sendable {
    let inner: any PickupSource
    var die: () -> Void = {}
    private(set) var downloads = 0

    init(inner: any PickupSource) { self.inner = inner }

    var description: String { inner.description }
    func list() throws(TransportError) -> [String] { try inner.list() }
    func download(_ name: String) throws(TransportError) -> [UInt8] {
        downloads += 1
        return try inner.download(name)
    }
    func remove(_ name: String) throws(TransportError) {
        die()
        throw TransportError(.io, retryable: true, "the process died before removing \(name)")
    }
}
