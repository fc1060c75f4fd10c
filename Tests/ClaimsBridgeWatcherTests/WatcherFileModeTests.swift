import ClaimsBridge
import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
import Foundation
import Logging
import Synchronization
import Testing

@testable import ClaimsBridgeWatcher

/// Every folder and file under `folder` (not `folder` itself), with its mode bits.
func modes(under folder: String) -> [(path: String, mode: mode_t, isFolder: Bool)] {
    ((try? FileManager.default.subpathsOfDirectory(atPath: folder)) ?? []).sorted().map { relative in
        var info = stat()
        stat(folder + "/" + relative, &info)
        return (relative, info.st_mode & 0o7777, info.st_mode & S_IFMT == S_IFDIR)
    }
}

/// Problems with what the watcher created under `folder`: any folder not 0700, any file not 0600.
func openEntries(under folder: String, except: Set<String> = []) -> [String] {
    modes(under: folder).filter { !except.contains($0.path) }.compactMap { entry in
        entry.mode == (entry.isFolder ? 0o700 : 0o600) ? nil : "\(entry.path) \(String(entry.mode, radix: 8))"
    }
}

@Suite("Files the watcher creates are private", .serialized)
struct WatcherFileModeTests {
    /// A harness whose inboxes and output folder are made by the test under umask 022 (0755), as a user would.
    func usualHarness() throws -> WatchHarness {
        umask(0o022)
        return try WatchHarness()
    }

    @Test("Under umask 022, the state, ledger (with -wal and -shm), outbox, route folders, their files and deliveries are owner-only")
    func everythingOwnerOnly() async throws {
        let harness = try usualHarness()
        try harness.drop("mixed.txt", try Fixtures.bytes("cdanet/v04/01-claim-basic.txt") + Fixtures.bytes("cdanet/invalid/bad-date.txt"))
        try harness.drop("only-bad.txt", Array("NOT A CLAIM\n".utf8))
        for name in ["mixed.txt", "only-bad.txt"] { chmod(harness.inbox + "/" + name, 0o644) }  // as a user drops them
        try await harness.drain()

        // Keep a connection open so that the -wal and -shm files exist to be checked.
        let ledger = try harness.ledger()
        #expect(try ledger.files().count == 2)
        let state = harness.configuration.stateDirectory
        for file in ["ledger.sqlite", "ledger.sqlite-wal", "ledger.sqlite-shm", "outbox.sqlite"] {
            #expect(FileManager.default.fileExists(atPath: state + "/" + file), "\(file)")
        }
        #expect(mode(of: state) == 0o700)
        #expect(openEntries(under: state).isEmpty, "\(openEntries(under: state))")
        let created = ["processing", "archive", "error", "rejects"]
        for folder in created {
            #expect(mode(of: harness.inbox + "/" + folder) == 0o700, "\(folder)")
            #expect(openEntries(under: harness.inbox + "/" + folder).isEmpty, "\(folder): \(openEntries(under: harness.inbox + "/" + folder))")
        }
        #expect(!harness.files(in: harness.inbox + "/rejects").isEmpty)
        #expect(harness.files(in: harness.inbox + "/error").count == 2)
        #expect(!harness.files(in: harness.output).isEmpty)
        #expect(openEntries(under: harness.output).isEmpty, "\(openEntries(under: harness.output))")
    }

    @Test("After a crash at any step, whatever is left (claimed originals, temporaries, the state) is owner-only", arguments: ProcessingStep.allCases)
    func privateAfterCrash(step: ProcessingStep) async throws {
        struct SimulatedCrash: Error {}
        let harness = try usualHarness()
        try harness.drop("a.txt", try Fixtures.bytes("cdanet/v04/01-claim-basic.txt"))
        await #expect(throws: SimulatedCrash.self) {
            try await harness.drain { reached, _ in if reached == step { throw SimulatedCrash() } }
        }
        let inboxLeft = openEntries(under: harness.inbox, except: ["a.txt"])
        #expect(inboxLeft.isEmpty, "\(inboxLeft)")
        #expect(openEntries(under: harness.configuration.stateDirectory).isEmpty)
        #expect(openEntries(under: harness.output).isEmpty)
    }

    @Test("watch --dry-run output (results, rejects, error reports, scratch ledger) is owner-only under umask 022")
    func dryRunOutput() throws {
        let harness = try usualHarness()
        try harness.drop("mixed.txt", try Fixtures.bytes("cdanet/v04/01-claim-basic.txt") + Fixtures.bytes("cdanet/invalid/bad-date.txt"))
        try harness.drop("only-bad.txt", Array("NOT A CLAIM\n".utf8))
        let dryRun = WatchDryRun(
            configuration: harness.configuration,
            resources: try TranslationResources.load(for: harness.configuration, mappingsDirectory: Fixtures.mappings.path),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let outcomes = try dryRun.run(outputDirectory: harness.root + "/dry")
        #expect(outcomes.count == 2)
        #expect(mode(of: harness.root + "/dry") == 0o700)
        #expect(modes(under: harness.root + "/dry").filter { !$0.isFolder }.count >= 3)
        #expect(openEntries(under: harness.root + "/dry").isEmpty, "\(openEntries(under: harness.root + "/dry"))")
    }

    @Test("A temporary left by a crash mid-write, even a readable one, is replaced by an owner-only file")
    func leftoverTemporaryReplaced() throws {
        let folder = NSTemporaryDirectory() + "durable-\(UUID().uuidString)"
        try DurableFiles.makeDirectory(folder)
        let target = folder + "/claim.rejects.jsonl"
        let leftover = DurableFiles.temporaryName(for: target)
        #expect(FileManager.default.createFile(atPath: leftover, contents: Data("half a message".utf8)))
        chmod(leftover, 0o644)
        try DurableFiles.write(Array("whole\n".utf8), to: target)
        #expect(mode(of: target) == 0o600)
        #expect(String(decoding: FileManager.default.contents(atPath: target) ?? Data(), as: UTF8.self) == "whole\n")
        #expect(!FileManager.default.fileExists(atPath: leftover))
    }

    @Test("A state folder open to other accounts is warned about at start, or refused with openPermissions: refuse")
    func openStateFolder() async throws {
        var harness = try usualHarness()
        let state = harness.configuration.stateDirectory
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        chmod(state, 0o755)
        let recorder = RecordingLogHandler()
        let watcher = Watcher(
            configuration: harness.configuration, resources: TranslationResources(), transports: [:],
            retryPolicy: RetryPolicy(), metrics: WatchMetrics(), logger: Logger(label: "test", factory: { _ in recorder }),
            afterStep: nil)
        try watcher.checkFilePermissions()
        let warnings = recorder.lines.withLock { $0 }.filter { $0.level == .warning }
        #expect(warnings.count == 1)
        #expect(warnings.first?.metadata["problem"] == "the state folder \(state) is open to its group and other accounts (mode 755); run chmod 700 \(state)")

        harness.configuration.refusesOpenPermissions = true
        try harness.drop("a.txt", try Fixtures.bytes("cdanet/v04/01-claim-basic.txt"))
        await #expect { try await harness.drain() } throws: { error in
            "\(error)".contains("refusing to start (openPermissions: refuse): the state folder")
        }
        #expect(!FileManager.default.fileExists(atPath: state + "/ledger.sqlite"), "nothing created")
        #expect(harness.files(in: harness.inbox) == ["a.txt"], "nothing taken")
    }

    @Test("stateFileMode and openPermissions are read from the routes file; bad values are errors at their line")
    func settings() throws {
        let harness = try WatchHarness(
            routesYAML: """
                state: state
                stateFileMode: "0640"
                openPermissions: refuse
                delivery: delivery.yaml
                routes:
                  - name: claims
                    inbox: inbox
                    deliver: [out]

                """)
        #expect(harness.configuration.statePermissions.fileMode == 0o640)
        #expect(harness.configuration.refusesOpenPermissions)
        for (line, expected) in [("stateFileMode: \"0777\"", "is not a file mode"), ("openPermissions: sometimes", "must be warn or refuse")] {
            #expect {
                _ = try WatchHarness(routesYAML: "state: state\n\(line)\ndelivery: d.yaml\nroutes:\n  - name: a\n    inbox: in\n    deliver: [out]\n")
            } throws: { error in
                "\(error)".contains("routes.yaml:2") && "\(error)".contains(expected)
            }
        }
    }

    @Test("With stateFileMode 0640 the state folder is 0750 and the ledger 0640, and neither is reported")
    func sharedState() async throws {
        var harness = try usualHarness()
        harness.configuration.statePermissions = FilePermissions(fileMode: 0o640)
        try harness.drop("a.txt", try Fixtures.bytes("cdanet/v04/01-claim-basic.txt"))
        try await harness.drain()
        let state = harness.configuration.stateDirectory
        #expect(mode(of: state) == 0o750)
        #expect(mode(of: state + "/ledger.sqlite") == 0o640)
        #expect(mode(of: state + "/outbox.sqlite") == 0o600)
        #expect(harness.configuration.openPermissionProblems().isEmpty)
    }
}

/// The mode bits of `path`.
func mode(of path: String) -> mode_t {
    var info = stat()
    guard stat(path, &info) == 0 else { return 0o7777 }
    return info.st_mode & 0o7777
}
