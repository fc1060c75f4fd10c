import ClaimsBridge
import ClaimsBridgeTransports
import Foundation
import Testing

@Suite("claimsbridge send and outbox")
struct SendCommandTests {
    let folder: String

    init() throws { folder = try makeScratchFolder("send") }

    func write(_ text: String, _ name: String) throws -> String {
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A configuration `name` with the outbox in this folder and an `archive` folder destination writing
    /// `out/<key>.json`, plus the destination line `also`.
    func archiveConfiguration(_ name: String, also: String = "") throws -> String {
        try FileManager.default.createDirectory(atPath: folder + "/out", withIntermediateDirectories: true)
        return try write(
            """
            outbox: {path: outbox.sqlite}
            destinations:
              archive: {type: folder, directory: out, namePattern: "{key}.json"}
              \(also)
            """, name)
    }

    @Test("A configuration mistake is reported with file:line and exit code 1")
    func configurationError() throws {
        let config = try write(
            """
            destinations:
              archive:
                type: folder
                directory: out
                namePatern: "{key}"
            """, "bad.yaml")
        let result = try CLIRun.run(["send", "--config", config, "--to", "archive", "--dry-run", config])
        #expect(result.status == 1)
        #expect(result.stderr.contains("bad.yaml:5: error: unknown key `namePatern`"))
    }

    @Test("A literal secret in the configuration is refused")
    func literalSecret() throws {
        let config = try write(
            """
            destinations:
              hook:
                type: webhook
                url: https://127.0.0.1:9/hook
                secret: whsec_c2VjcmV0LXZhbHVlLXRoYXQtbGVha3M=
            """, "literal.yaml")
        let result = try CLIRun.run(["send", "--config", config, "--to", "hook", "--dry-run", config])
        #expect(result.status == 1)
        #expect(result.stderr.contains("literal.yaml:5: error: secret must be env:VARIABLE or file:PATH"))
        #expect(!result.stderr.contains("c2VjcmV0"))
    }

    @Test("--dry-run reports each secret's presence, never its value, and neither sends nor opens the outbox")
    func dryRun() throws {
        let config = try write(
            """
            outbox: {path: outbox.sqlite}
            destinations:
              hook:
                type: webhook
                url: https://127.0.0.1:9/hook
                secret: env:CB_TEST_HOOK_SECRET
            """, "hook.yaml")
        let payload = try write("{\"a\":1}", "a.json")
        let missing = try CLIRun.run(["send", "--config", config, "--to", "hook", "--dry-run", payload])
        #expect(missing.status == 1)
        #expect(missing.stdout.contains("secret secret: env:CB_TEST_HOOK_SECRET MISSING"))
        let secret = "whsec_" + Data(repeating: 7, count: 32).base64EncodedString()
        let present = try CLIRun.run(
            ["send", "--config", config, "--to", "hook", "--dry-run", payload],
            environment: ["CB_TEST_HOOK_SECRET": secret])
        #expect(present.status == 0)
        #expect(present.stdout.contains("secret secret: env:CB_TEST_HOOK_SECRET present"))
        #expect(present.stdout.contains("would deliver \(payload) (7 bytes) as a.json-"))
        #expect(!present.stdout.contains(secret) && !present.stderr.contains(secret))
        #expect(!FileManager.default.fileExists(atPath: folder + "/outbox.sqlite"))
    }

    @Test("send delivers to a folder once; outbox list, retry and purge manage the rows")
    func folderAndOutbox() throws {
        let config = try archiveConfiguration(
            "folder.yaml", also: #"broken: {type: folder, directory: missing, namePattern: "{key}.json"}"#)
        let payload = try write("{\"a\":1}", "a.json")
        let first = try CLIRun.run(["send", "--config", config, "--to", "archive", "--key", "claim-1", payload])
        #expect(first.status == 0)
        #expect(first.stdout.contains("delivered claim-1"))
        let again = try CLIRun.run(["send", "--config", config, "--to", "archive", "--key", "claim-1", payload])
        #expect(again.status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/out") == ["claim-1.json"])
        let failing = try CLIRun.run(["send", "--config", config, "--to", "broken", "--wait", "0", payload])
        #expect(failing.status == 2)
        #expect(failing.stdout.contains("pending a.json-"))
        let list = try CLIRun.run(["outbox", "list", "--config", config])
        #expect(list.stdout.contains("pending: 1, inFlight: 0, delivered: 1, dead: 0"))
        let purge = try CLIRun.run(["outbox", "purge", "--older-than", "0s", "--outbox", folder + "/outbox.sqlite"])
        #expect(purge.stdout.contains("1 deliveries purged"))
        let retry = try CLIRun.run(["outbox", "retry", "--all-dead", "--config", config])
        #expect(retry.status == 0 && retry.stdout.contains("0 dead deliveries"))
        #expect(try CLIRun.run(["outbox", "retry", "--config", config]).status == 64)
    }

    @Test("send --key K with other bytes than K already has is a conflict (exit 2) naming the key and both digests")
    func keyConflict() throws {
        let config = try archiveConfiguration("conflict.yaml")
        let first = try write("{\"a\":1}", "first.json")
        let second = try write("{\"a\":2}", "second.json")
        #expect(try CLIRun.run(["send", "--config", config, "--to", "archive", "--key", "K", first]).status == 0)
        let conflict = try CLIRun.run(["send", "--config", config, "--to", "archive", "--key", "K", second])
        #expect(conflict.status == 2)
        #expect(!conflict.stdout.contains("delivered"))
        #expect(conflict.stderr.contains("under the key K with other bytes"))
        let stored = try Self.sha256("{\"a\":1}")
        let new = try Self.sha256("{\"a\":2}")
        #expect(conflict.stderr.contains("stored sha256:\(stored), new sha256:\(new)"))
        #expect(FileManager.default.contents(atPath: folder + "/out/K.json") == Data("{\"a\":1}".utf8))
    }

    static func sha256(_ text: String) throws -> String {
        let file = try makeScratchFolder("digest") + "/input"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return String(try Tool.run("openssl", ["dgst", "-sha256", "-r", file]).prefix(64))
    }
}
