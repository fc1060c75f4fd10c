public import Foundation

/// Runs the built `claimsbridge` binary, which sits next to the test bundle, and captures what it prints.
public enum CommandRunner {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: String
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// The `claimsbridge` executable of this build.
    public static var executable: URL {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for folder in [
            besideTests, besideTests.deletingLastPathComponent(), Fixtures.root.appendingPathComponent(".build/debug"),
        ] {
            let candidate = folder.appendingPathComponent("claimsbridge")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return Fixtures.root.appendingPathComponent(".build/debug/claimsbridge")
    }

    /// ``run(_:stdin:)`` on a thread of its own, for async tests that serve the command in the same process (the
    /// carrier simulator): waiting on the cooperative pool would keep the server from answering.
    public static func runOffPool(_ arguments: [String], stdin: [UInt8] = []) async throws -> Result {
        try await offPool { try run(arguments, stdin: stdin) }
    }

    /// Runs `claimsbridge arguments…` in the package root with `stdin` as its standard input.
    public static func run(_ arguments: [String], stdin: [UInt8] = []) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = Fixtures.root
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let writer = Thread {
            input.fileHandleForWriting.write(Data(stdin))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let errorData = LockedData()
        let reader = Thread { errorData.set(errors.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while errorData.get() == nil { usleep(1000) }
        return Result(
            status: process.terminationStatus, stdout: Array(out),
            stderr: String(decoding: errorData.get() ?? Data(), as: UTF8.self))
    }
}

private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    func set(_ value: Data) { lock.withLock { data = value } }
    func get() -> Data? { lock.withLock { data } }
}
