import ClaimsBridge
import Foundation

/// The reference the tree path is measured against: `xmllint --stream --schema` (libxml2's own streaming parser
/// and schema validator) on the very batch the pipelines read and write, timed in the same run.
enum XMLLintReference {
    /// The CPU seconds (user + system) and wall-clock seconds `xmllint --noout --stream --schema <xsd> <file>`
    /// took, or nil when xmllint is not installed or does not find the file valid.
    static func seconds(schema: String, file: String) -> (cpu: Double, wall: Double)? {
        seconds(schema: schema, files: [file])
    }

    /// The same for many documents checked in one xmllint run (`xmllint … <file> <file> …`).
    static func seconds(schema: String, files: [String]) -> (cpu: Double, wall: Double)? {
        guard let tool = ["/usr/bin/xmllint", "/usr/local/bin/xmllint"].first(where: FileManager.default.isExecutableFile)
        else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["--noout", "--stream", "--schema", schema] + files
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let before = childrenCPUSeconds()
        let clock = ContinuousClock()
        let start = clock.now
        do { try process.run() } catch { return nil }
        process.waitUntilExit()
        let elapsed = clock.now - start
        guard process.terminationStatus == 0 else { return nil }
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return (childrenCPUSeconds() - before, wall)
    }

    /// Writes a batch input to a file, so that xmllint reads the same bytes.
    static func write<Input: ByteInput>(_ input: inout Input, to path: String) throws {
        guard let handle = fopen(path, "wb") else { throw BenchError("cannot write \(path)") }
        defer { fclose(handle) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try input.read(into: $0) }
            if count == 0 { break }
            guard fwrite(buffer, 1, count, handle) == count else { throw BenchError("cannot write \(path)") }
        }
    }

    private static func childrenCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) * 1e-6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
