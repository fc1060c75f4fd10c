import ClaimsBridgeTestSupport
import Foundation
import Testing

/// Runs the built `claimsbridge` binary end to end.
@Suite struct TranslateCommandTests {
    static let v04Batch: [UInt8] = Fixtures.files(in: "cdanet/v04", withExtension: "txt").flatMap {
        (try? Fixtures.bytes($0)) ?? []
    }

    @Test func cdanetToJSONAndBackThroughPipes() throws {
        let json = try CommandRunner.run(["translate", "--from", "cdanet", "--to", "json"], stdin: Self.v04Batch)
        #expect(json.status == 0, "\(json.stderr)")
        #expect(json.stderr.isEmpty)
        #expect(json.stdoutText.split(separator: "\n").count == 24)
        let back = try CommandRunner.run(["translate", "--from", "json", "--to", "cdanet"], stdin: json.stdout)
        #expect(back.status == 0, "\(back.stderr)")
        #expect(back.stdout == Self.v04Batch)
    }

    @Test func rejectsGiveExitCode2AndAnErrorsFile() throws {
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent(
            "cb-errors-\(UUID().uuidString).jsonl")
        let result = try CommandRunner.run([
            "translate", "--from", "cdanet", "--to", "json", "--input", "Fixtures/cdanet/invalid/bad-date.txt",
            "--errors", errors.path,
        ])
        #expect(result.status == 2)
        #expect(result.stdoutText.split(separator: "\n").count == 2)
        #expect(result.stderr.contains("message 2, byte 608, field F09 (Date of service): error:"))
        #expect(result.stderr.contains("3 messages read, 2 translated, 1 rejected"))
        let line = try String(contentsOf: errors, encoding: .utf8)
        #expect(line.contains("\"messageNumber\":2"))
        #expect(line.contains("\"fieldId\":\"F09\""))
        #expect(line.contains("\"originalBase64\":\"SVRSQU5T"))
    }

    @Test func outputFileAndFailFast() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("cb-out-\(UUID().uuidString).jsonl")
        let result = try CommandRunner.run([
            "translate", "--from", "cdanet", "--to", "json", "--input", "Fixtures/cdanet/invalid/bad-date.txt",
            "--output", output.path, "--fail-fast",
        ])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--fail-fast"))
        #expect(try String(contentsOf: output, encoding: .utf8).split(separator: "\n").count == 1)
    }

    @Test func fieldListingHidesPersonalDataUnlessAsked() throws {
        let claim = try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")
        let hidden = try CommandRunner.run(["translate", "--from", "cdanet", "--to", "fields"], stdin: claim)
        #expect(hidden.status == 0)
        #expect(hidden.stdoutText.contains("C06    Patient last name"))
        #expect(hidden.stdoutText.contains("     127     25  C06"))
        #expect(!hidden.stdoutText.contains("Tremblay"))
        #expect(hidden.stdoutText.contains("\"000125\""))
        let shown = try CommandRunner.run(
            ["translate", "--from", "cdanet", "--to", "fields", "--show-personal-data"], stdin: claim)
        #expect(shown.stdoutText.contains("\"Tremblay                 \""))
    }

    @Test func badUsageExits64() throws {
        let result = try CommandRunner.run(["translate", "--from", "json", "--to", "json"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("cannot translate --from json --to json"))
        #expect(try CommandRunner.run(["translate", "--from", "xml", "--to", "json"]).status == 64)
    }

    @Test func emptyInputIsReported() throws {
        let result = try CommandRunner.run(["translate", "--from", "cdanet", "--to", "json"], stdin: [])
        #expect(result.status == 2)
        #expect(result.stderr.contains("the input is empty"))
    }

    @Test func brokenMappingsFolderExits1WithFileAndLine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cb-maps-\(UUID().uuidString)")
        let cdanet = folder.appendingPathComponent("cdanet")
        try FileManager.default.createDirectory(at: cdanet, withIntermediateDirectories: true)
        try "mapping: x\nlayout: missing.layout.yaml\ntype: claim\nrules: []\n".write(
            to: cdanet.appendingPathComponent("x.mapping.yaml"), atomically: true, encoding: .utf8)
        let result = try CommandRunner.run(["translate", "--from", "cdanet", "--to", "json", "--mappings", folder.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("x.mapping.yaml:2: error:"), "\(result.stderr)")
    }

    @Test func mappingThatCannotWriteIsRefusedBeforeTranslating() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cb-maps-\(UUID().uuidString)")
        let target = folder.appendingPathComponent("cdanet/v04")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        let source = Fixtures.mappings.appendingPathComponent("cdanet/v04")
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            try FileManager.default.copyItem(
                at: source.appendingPathComponent(name), to: target.appendingPathComponent(name))
        }
        let codes = target.appendingPathComponent("codes.yaml")
        let text = try String(contentsOf: codes, encoding: .utf8)
            .replacingOccurrences(of: "\"4\": commonLawSpouse", with: "\"4\": spouse")
        try text.write(to: codes, atomically: true, encoding: .utf8)
        let json = try CommandRunner.run(
            ["translate", "--from", "cdanet", "--to", "json", "--mappings", folder.path],
            stdin: try Fixtures.bytes("cdanet/v04/01-claim-basic.txt"))
        #expect(json.status == 0, "reading still works: \(json.stderr)")
        let cdanet = try CommandRunner.run(
            ["translate", "--from", "json", "--to", "cdanet", "--mappings", folder.path], stdin: json.stdout)
        #expect(cdanet.status == 1)
        #expect(cdanet.stdout.isEmpty)
        #expect(cdanet.stderr.contains(".mapping.yaml:"), "\(cdanet.stderr)")
        #expect(cdanet.stderr.contains("spouse"))
    }

    @Test func validateAndLintPassOnTheShippedFiles() throws {
        let validate = try CommandRunner.run(["validate"])
        #expect(validate.status == 0, "\(validate.stdoutText)")
        #expect(validate.stdoutText.hasSuffix("190 passed, 0 failed\n"))
        let lint = try CommandRunner.run(["lint"])
        #expect(lint.status == 0)
        #expect(lint.stdout == Array("0 errors, 0 warnings\n".utf8))
    }

    @Test func validateFailsWithExitCode1() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cb-v-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(try Fixtures.bytes("cdanet/v04/02-claim-reversal.txt")).write(
            to: folder.appendingPathComponent("x.txt"))
        try "{}\n".write(to: folder.appendingPathComponent("x.expected.json"), atomically: true, encoding: .utf8)
        let result = try CommandRunner.run(["validate", folder.path, "--format", "json"])
        #expect(result.status == 1)
        #expect(result.stdoutText.contains("\"passed\":false"))
        #expect(result.stdoutText.hasSuffix("{\"passed\":0,\"failed\":1,\"updated\":0}\n"))
    }

    @Test func explainWritesTheLineageOfEveryMessage() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "cb-explain-\(UUID().uuidString).jsonl")
        let result = try CommandRunner.run(
            ["translate", "--from", "cdanet", "--to", "json", "--explain", file.path], stdin: Self.v04Batch)
        #expect(result.status == 0)
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 24)
        #expect(lines[0].hasPrefix("{\"messageNumber\":1,\"fields\":[{"))
        #expect(lines[0].contains("\"path\":\"procedures[0].fee\""))
    }
}
