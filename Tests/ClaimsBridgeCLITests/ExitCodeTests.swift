import ClaimsBridgeTestSupport
import Foundation
import Testing

/// Exit code 1 (not 64 with the usage text) for a file that cannot be read or written, in every command.
@Suite struct ExitCodeTests {
    static let missing = "/nonexistent-\(UUID().uuidString)/file"

    /// Exit code 1, the file named, no usage text.
    static func expectFailure(_ result: CommandRunner.Result, naming path: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 1, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(path), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(!result.stderr.contains("Usage:"), "\(result.stderr)", sourceLocation: sourceLocation)
    }

    @Test func unreadableInputExits1() throws {
        let result = try CommandRunner.run(["translate", "--from", "cdanet", "--to", "json", "--input", Self.missing])
        Self.expectFailure(result, naming: Self.missing)
        #expect(result.stderr.contains("cannot open the input file (No such file or directory)"))
    }

    @Test(arguments: ["--output", "--errors", "--explain"])
    func unwritableOutputExits1(_ option: String) throws {
        let result = try CommandRunner.run(
            ["translate", "--from", "cdanet", "--to", "json", option, Self.missing],
            stdin: try Fixtures.bytes("cdanet/v04/01-claim-basic.txt"))
        Self.expectFailure(result, naming: Self.missing)
        #expect(result.stderr.contains("cannot create the output file"))
    }

    @Test func missingMappingsFolderExits1() throws {
        let result = try CommandRunner.run(
            ["translate", "--from", "lab-order", "--to", "lab:example-xml", "--mappings", Self.missing],
            stdin: try Fixtures.bytes("labs/example-xml/01-single-crown.input.jsonl"))
        Self.expectFailure(result, naming: Self.missing)
    }

    @Test func missingTreeMappingExits1() throws {
        let result = try CommandRunner.run(
            ["translate", "--from", "json", "--to", "xml", "--mapping", Self.missing], stdin: Array("{}\n".utf8))
        Self.expectFailure(result, naming: Self.missing)
    }

    @Test func missingOrdersFileExits1() throws {
        let result = try CommandRunner.run([
            "translate", "--from", "lab:example-rest-status", "--to", "json", "--orders", Self.missing,
            "--input", "Fixtures/labs/example-rest/status/updates.jsonl",
        ])
        Self.expectFailure(result, naming: Self.missing)
    }

    @Test(arguments: [["watch", "--check"], ["watch", "--dry-run"], ["reprocess", "1"], ["status"]])
    func missingRoutesFileExits1(_ command: [String]) throws {
        let result = try CommandRunner.run(command + ["--config", Self.missing])
        Self.expectFailure(result, naming: Self.missing)
    }

    @Test func routesFileWithoutDeliveryExits1() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cb-routes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let routes = folder.appendingPathComponent("routes.yaml")
        try "routes:\n  - name: a\n    inbox: in\n    deliver: [x]\n".write(to: routes, atomically: true, encoding: .utf8)
        Self.expectFailure(try CommandRunner.run(["watch", "--check", "--config", routes.path]), naming: routes.path)
    }

    @Test func validateOfAMissingFolderExits1() throws {
        Self.expectFailure(try CommandRunner.run(["validate", Self.missing]), naming: Self.missing)
    }

    @Test func lintOfAMissingFileExits1() throws {
        let result = try CommandRunner.run(["lint", Self.missing])
        #expect(result.status == 1)
        #expect(!result.stderr.contains("Usage:"))
        #expect((result.stdoutText + result.stderr).contains(Self.missing))
    }

    @Test func catalogCheckOfAMissingLabExits1() throws {
        let result = try CommandRunner.run(["catalog", "check", "--lab", "no-such-lab-\(UUID().uuidString)"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(!result.stderr.contains("Usage:"))
    }

    @Test func sendOfAnUnreadableFileExits1() throws {
        let result = try CommandRunner.run([
            "send", "--config", "Examples/watch/delivery.yaml", "--to", "carrier", "--dry-run", Self.missing,
        ])
        Self.expectFailure(result, naming: Self.missing)
    }

    @Test func sendWithAMissingConfigurationExits1() throws {
        Self.expectFailure(
            try CommandRunner.run(["send", "--config", Self.missing, "--to", "carrier"]), naming: Self.missing)
    }

    @Test func outboxListOfAMissingOutboxExits1() throws {
        Self.expectFailure(try CommandRunner.run(["outbox", "list", "--outbox", Self.missing]), naming: Self.missing)
    }

    @Test func commandLineMistakesStillExit64() throws {
        let result = try CommandRunner.run(["translate", "--from", "cdanet", "--to", "json", "--log-level", "loud"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("Usage:"))
    }
}
