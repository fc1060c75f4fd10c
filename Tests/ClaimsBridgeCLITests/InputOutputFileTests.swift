import ClaimsBridgeTestSupport
import Foundation
import Testing

/// The rules every `translate` direction shares for its files: an empty input, and an output that is the input.
@Suite struct InputOutputFileTests {
    static let office = [
        "--param", "transmitter=18001", "--param", "provider=212345", "--param", "establishment=12345",
    ]

    /// One command line per input format, reading standard input.
    static let everyFormat: [[String]] = [
        ["--from", "cdanet", "--to", "json"],
        ["--from", "cdanet", "--to", "fields"],
        ["--from", "json", "--to", "cdanet"],
        ["--from", "json", "--to", "ramq"] + office,
        ["--from", "ramq", "--to", "json"],
        ["--from", "ramq-response", "--to", "json"],
        ["--from", "json", "--to", "partner-json", "--mapping", "Mappings/partners/example-claim.mapping.yaml"],
        ["--from", "partner-json", "--to", "json", "--mapping", "Mappings/partners/example-claim.mapping.yaml"],
        ["--from", "lab-order", "--to", "lab:example-xml"],
        ["--from", "lab:example-xml", "--to", "lab-order"],
        ["--from", "lab:example-rest", "--to", "lab-order"],
        ["--from", "lab:example-rest-status", "--to", "json", "--orders", "Fixtures/labs/orders.jsonl"],
    ]

    static func temporaryFile(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("cb-\(UUID().uuidString)-\(name)")
    }

    @Test(arguments: everyFormat, [[UInt8](), Array(" \n\r\n\t\n".utf8)])
    func emptyInputIsOneRejectAndExit2(_ direction: [String], _ input: [UInt8]) throws {
        let errors = Self.temporaryFile("errors.jsonl")
        defer { try? FileManager.default.removeItem(at: errors) }
        let result = try CommandRunner.run(["translate"] + direction + ["--errors", errors.path], stdin: input)
        #expect(result.status == 2, "\(direction): \(result.stderr)")
        #expect(result.stdout.isEmpty, "\(direction) wrote \(result.stdout.count) bytes")
        #expect(result.stderr.contains("error: the input is empty: there is no message to translate"), "\(result.stderr)")
        #expect(result.stderr.contains("1 message read, 0 translated, 1 rejected"), "\(result.stderr)")
        let line = try String(contentsOf: errors, encoding: .utf8)
        #expect(line.contains("\"code\":\"emptyInput\""), "\(line)")
        #expect(line.contains("\"length\":0,\"originalBase64\":\"\""))
    }

    @Test func blankLinesBeforeAMessageAreStillRead() throws {
        let claim = try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json")
        let result = try CommandRunner.run(
            ["translate", "--from", "json", "--to", "cdanet"], stdin: Array("\n  \n".utf8) + claim)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == (try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")))
    }

    @Test(arguments: ["--output", "--errors", "--explain"])
    func anOutputThatIsTheInputIsRefusedAndTheInputKept(_ option: String) throws {
        let file = Self.temporaryFile("batch.txt")
        defer { try? FileManager.default.removeItem(at: file) }
        let original = try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")
        try Data(original).write(to: file)
        let result = try CommandRunner.run([
            "translate", "--from", "cdanet", "--to", "json", "--input", file.path, option, file.path,
        ])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("\(option) \(file.path) is the same file as the --input"), "\(result.stderr)")
        #expect(Array(try Data(contentsOf: file)) == original)
    }

    @Test func aLinkToTheInputIsRecognised() throws {
        let file = Self.temporaryFile("batch.txt")
        let hardLink = Self.temporaryFile("hard.txt")
        let symbolicLink = Self.temporaryFile("symbolic.txt")
        defer { for url in [file, hardLink, symbolicLink] { try? FileManager.default.removeItem(at: url) } }
        let original = try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")
        try Data(original).write(to: file)
        try FileManager.default.linkItem(at: file, to: hardLink)
        try FileManager.default.createSymbolicLink(at: symbolicLink, withDestinationURL: file)
        for output in [hardLink, symbolicLink] {
            let result = try CommandRunner.run([
                "translate", "--from", "cdanet", "--to", "json", "--input", file.path, "--output", output.path,
            ])
            #expect(result.status == 64, "\(result.stderr)")
        }
        #expect(Array(try Data(contentsOf: file)) == original)
    }

    @Test func standardInputRedirectedFromTheOutputFileIsRefused() throws {
        let file = Self.temporaryFile("batch.txt")
        defer { try? FileManager.default.removeItem(at: file) }
        let original = try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")
        try Data(original).write(to: file)
        let process = Process()
        process.executableURL = CommandRunner.executable
        process.arguments = ["translate", "--from", "cdanet", "--to", "json", "--output", file.path]
        process.currentDirectoryURL = Fixtures.root
        process.standardInput = try FileHandle(forReadingFrom: file)
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 64)
        #expect(Array(try Data(contentsOf: file)) == original)
    }

    @Test func twoOutputsNamingOneFileAreRefused() throws {
        let file = Self.temporaryFile("out.jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try CommandRunner.run(
            ["translate", "--from", "cdanet", "--to", "json", "--output", file.path, "--errors", file.path],
            stdin: try Fixtures.bytes("cdanet/v04/01-claim-basic.txt"))
        #expect(result.status == 64)
        #expect(result.stderr.contains("--errors \(file.path) is the same file as --output"), "\(result.stderr)")
    }

    @Test func anExistingOutputIsReplaced() throws {
        let file = Self.temporaryFile("out.txt")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(repeating: 0x41, count: 100_000).write(to: file)
        let result = try CommandRunner.run(
            ["translate", "--from", "json", "--to", "cdanet", "--output", file.path],
            stdin: try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json"))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Array(try Data(contentsOf: file)) == (try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")))
    }

    @Test func devNullAsInputAndOutputIsAllowed() throws {
        let result = try CommandRunner.run([
            "translate", "--from", "cdanet", "--to", "json", "--input", "/dev/null", "--output", "/dev/null",
        ])
        #expect(result.status == 2, "empty input, not a refusal: \(result.stderr)")
        #expect(result.stderr.contains("the input is empty"))
    }
}
