import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// A run that throws frees its output buffers (320 KiB each) like a run that succeeds: a daemon that meets
/// a failing disk every few seconds for months must not grow. (The sanitizer run, `make test-sanitize`,
/// checks every other path for leaks too.)
///
/// Under AddressSanitizer, freed memory is held in quarantine, so the measure means nothing there; LeakSanitizer
/// checks the same paths instead.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["ASAN_OPTIONS"] == nil))
struct BufferOwnershipTests {
    /// An output whose every write fails, like a full disk.
    struct FailingOutput: ByteOutput {
        mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
            throw BridgeError(.io, "the disk is full")
        }
    }

    /// The process's data memory (heap and private mappings) in bytes, from /proc/self/status: a buffer that is
    /// never freed keeps its address space, touched or not.
    static func heapInUse() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmData:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    /// The heap growth across `runs` failing runs of `body`.
    static func growth(runs: Int, _ body: () throws -> Void) -> Int {
        for _ in 0..<5 { try? body() }
        let before = heapInUse()
        for _ in 0..<runs { #expect(throws: BridgeError.self) { try body() } }
        return heapInUse() - before
    }

    // 1,000 leaking runs would hold 320 MiB; what tests running alongside map meanwhile (thread stacks of
    // 8 MiB, buffers) stays well below 96 MiB.
    static let runs = 1000
    static let allowed = 96 << 20

    @Test func aModelWriteRunThatThrowsFreesItsBuffer() throws {
        let input = try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json")
        let pipeline = ModelWritePipeline(catalog: Fixtures.catalog)
        let growth = Self.growth(runs: Self.runs) {
            var source = MemoryInput(input)
            var sink = FailingOutput()
            _ = try pipeline.run(input: &source, output: &sink) { _ in }
        }
        #expect(growth < Self.allowed, "the heap grew by \(growth >> 20) MiB")
    }

    @Test func aCDAnetReadRunThatThrowsFreesItsBuffer() throws {
        let input = try Fixtures.bytes("cdanet/v04/21-eob-basic.txt")
        let pipeline = CDAnetReadPipeline(catalog: Fixtures.catalog, format: .json)
        let growth = Self.growth(runs: Self.runs) {
            var source = MemoryInput(input)
            var sink = FailingOutput()
            _ = try pipeline.run(input: &source, output: &sink) { _ in }
        }
        #expect(growth < Self.allowed, "the heap grew by \(growth >> 20) MiB")
    }

    @Test func aRejectHandlerThatThrowsDoesNotLeakEither() throws {
        let input = try Fixtures.bytes("cdanet/invalid/bad-date.txt")
        let pipeline = CDAnetReadPipeline(catalog: Fixtures.catalog, format: .json)
        let growth = Self.growth(runs: Self.runs) {
            var source = MemoryInput(input)
            var sink = MemoryOutput()
            _ = try pipeline.run(input: &source, output: &sink) { _ in throw BridgeError(.io, "cannot keep the reject") }
        }
        #expect(growth < Self.allowed, "the heap grew by \(growth >> 20) MiB")
    }
}
