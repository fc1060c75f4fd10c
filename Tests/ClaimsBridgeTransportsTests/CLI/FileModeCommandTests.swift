import ClaimsBridgeTestSupport
import Foundation
import Testing

/// The mode bits of `path`.
private func mode(of path: String) -> mode_t {
    var info = stat()
    guard stat(path, &info) == 0 else { return 0o7777 }
    return info.st_mode & 0o7777
}

/// The commands run as a user with the usual umask 022 would run them (the spawned binary inherits it).
@Suite("Files the commands create are private")
struct FileModeCommandTests {
    let folder: String

    init() throws {
        umask(0o022)
        folder = try makeScratchFolder("modes")
    }

    func write(_ text: String, _ name: String, mode: mode_t = 0o644) throws -> String {
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, mode)
        return path
    }

    @Test("send: the outbox and delivered files are owner-only; a destination's fileMode is applied exactly")
    func send() throws {
        for out in ["out", "shared"] {
            try FileManager.default.createDirectory(atPath: folder + "/" + out, withIntermediateDirectories: true)
        }
        let config = try write(
            """
            outbox: {path: outbox.sqlite}
            destinations:
              archive: {type: folder, directory: out, namePattern: "{key}.json"}
              practice: {type: folder, directory: shared, namePattern: "{key}.json", fileMode: "0640"}
            """, "folder.yaml")
        let payload = try write("{\"patient\":\"Jane Doe\"}", "a.json")
        for destination in ["archive", "practice"] {
            let result = try CLIRun.run(["send", "--config", config, "--to", destination, "--key", "claim-1", payload])
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(mode(of: folder + "/outbox.sqlite") == 0o600)
        #expect(mode(of: folder + "/out/claim-1.json") == 0o600)
        #expect(mode(of: folder + "/shared/claim-1.json") == 0o640)
    }

    @Test("A bad fileMode or group is reported at its file:line")
    func badFileMode() throws {
        for (setting, reason) in [("fileMode: \"0755\"", "is not a file mode"), ("group: no-such-group-here", "there is no group")] {
            let config = try write(
                """
                destinations:
                  archive:
                    type: folder
                    directory: out
                    \(setting)
                """, "bad.yaml")
            let result = try CLIRun.run(["send", "--config", config, "--to", "archive", "--dry-run", config])
            #expect(result.status == 1)
            #expect(result.stderr.contains("bad.yaml:5: error:") && result.stderr.contains(reason), "\(result.stderr)")
        }
    }

    @Test("send --dry-run --output makes an owner-only folder and files")
    func dryRunOutput() throws {
        let config = try write("destinations:\n  archive: {type: folder, directory: out}\n", "c.yaml")
        let payload = try write("{\"patient\":\"Jane Doe\"}", "a.json")
        let result = try CLIRun.run([
            "send", "--config", config, "--to", "archive", "--dry-run", "--key", "claim-1", "--output", folder + "/dry/run",
            payload,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(mode(of: folder + "/dry") == 0o700)
        #expect(mode(of: folder + "/dry/run") == 0o700)
        #expect(mode(of: folder + "/dry/run/claim-1") == 0o600)
    }

    @Test("translate --output, --errors and --explain files are owner-only")
    func translateFiles() throws {
        let result = try CLIRun.run([
            "translate", "--from", "cdanet", "--to", "json", "--input", Fixtures.url("cdanet/invalid/bad-date.txt").path,
            "--output", folder + "/out.jsonl", "--errors", folder + "/errors.jsonl", "--explain", folder + "/explain.txt",
        ])
        #expect(result.status == 2, "\(result.stderr)")
        for name in ["out.jsonl", "errors.jsonl", "explain.txt"] {
            #expect(FileManager.default.fileExists(atPath: folder + "/" + name), "\(name)")
            #expect(mode(of: folder + "/" + name) == 0o600, "\(name)")
        }
    }

    @Test("watch --check warns about a secret file open to other accounts, and fails with openPermissions: refuse")
    func checkOpenSecret() throws {
        try FileManager.default.createDirectory(atPath: folder + "/inbox", withIntermediateDirectories: true)
        let secret = try write("s3cret", "webhook.secret")
        _ = try write(
            """
            destinations:
              hook: {type: webhook, url: "https://127.0.0.1:1/x", secret: "file:\(secret)"}
            """, "delivery.yaml")
        for refuse in [false, true] {
            let routes = try write(
                """
                state: state
                delivery: delivery.yaml
                \(refuse ? "openPermissions: refuse" : "")
                routes:
                  - name: claims
                    inbox: inbox
                    deliver: [hook]
                """, "routes.yaml")
            let result = try CLIRun.run(["watch", "--config", routes, "--check"])
            let line = "\(refuse ? "error" : "warning"): the secret file \(secret) is open to its group and other accounts (mode 644); run chmod 600 \(secret)"
            #expect(result.stderr.contains(line), "\(result.stderr)")
            #expect(result.status == (refuse ? 1 : 0))
            #expect(!result.stderr.contains("s3cret"))
        }
        chmod(secret, 0o600)
        let fixed = try CLIRun.run(["watch", "--config", folder + "/routes.yaml", "--check"])
        #expect(fixed.status == 0 && !fixed.stderr.contains("open to"), "\(fixed.stderr)")
    }
}
