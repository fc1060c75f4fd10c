import ClaimsBridgeTestSupport
import Foundation
import Testing

/// `claimsbridge --version`, and the progress line of long batches (on a terminal only).
@Suite struct VersionAndProgressTests {
    @Test func versionIsPrinted() throws {
        let result = try CommandRunner.run(["--version"])
        #expect(result.status == 0)
        let text = result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(text.split(separator: ".").count == 3 && text.allSatisfy { $0.isNumber || $0 == "." }, "\(text)")
    }

    /// Runs `translate` on a batch that arrives slowly, with standard error a terminal or a pipe.
    static func slowBatch(underTerminal: Bool) throws -> String {
        let binary = CommandRunner.executable.path
        let file = Fixtures.root.appendingPathComponent("Fixtures/cdanet/v04/21-eob-basic.txt").path
        // A message every half second for 5 s, so that reads go on well past the one-second delay however long
        // the command takes to start.
        let writer = "for i in 1 2 3 4 5 6 7 8 9 10; do cat '\(file)'; sleep 0.5; done"
        let pipeline = "(\(writer)) | '\(binary)' translate --from cdanet --to json >/dev/null"
        let process = Process()
        let captured = Pipe()
        if underTerminal {
            // `script` gives the command a pseudo-terminal and copies what it shows to our pipe.
            process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
            process.arguments = ["-qec", pipeline, "/dev/null"]
            process.standardOutput = captured
        } else {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", pipeline]
            process.standardOutput = FileHandle.nullDevice
        }
        process.standardError = captured
        process.standardInput = FileHandle.nullDevice
        process.currentDirectoryURL = Fixtures.root
        try process.run()
        let data = captured.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func progressIsShownOnATerminal() throws {
        let shown = try Self.slowBatch(underTerminal: true)
        #expect(shown.contains("claimsbridge: 0.0 MB read"), "\(shown.debugDescription)")
        #expect(shown.contains("MB/s"))
        #expect(shown.hasSuffix("\r\u{1B}[K"), "the line is cleared at the end: \(shown.debugDescription)")
    }

    @Test func progressIsNeverWrittenToAPipe() throws {
        let stderr = try Self.slowBatch(underTerminal: false)
        #expect(stderr.isEmpty, "\(stderr.debugDescription)")
    }
}
