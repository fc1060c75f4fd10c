import ClaimsBridge
import Foundation

// RAMQ XML batches from arbitrary bytes, fed in chunks of every size: never a crash, every reject holding exactly
// the input bytes at its offset, rejects never overlapping, the records and rejects adding up, messages bounded.

private let mappings = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Mappings").path
nonisolated(unsafe) private let ramq = try! TreeReadPipeline(
    mapping: try! TreeMapping.load(path: mappings + "/ramq/claim.mapping.yaml"))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzXMLScanner(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    var source = MemoryInput(input, chunkSize: 1 + Int(input.last ?? 0) * 17)
    var sink = MemoryOutput()
    var rejects: [RejectedMessage] = []
    guard let summary = try? ramq.run(input: &source, output: &sink, onReject: { rejects.append($0) }) else {
        fatalError("the pipeline threw")
    }
    precondition(summary.messages == summary.translated + summary.rejected, "counts do not add up")
    var kept: [Range<Int>] = []
    for reject in rejects {
        let range = reject.messageOffset..<(reject.messageOffset + reject.original.count)
        precondition(range.upperBound <= input.count && Array(input[range]) == reject.original, "reject bytes differ")
        precondition(!kept.contains { $0.overlaps(range) }, "rejects overlap")
        kept.append(range)
        precondition(reject.error.reason.count <= 700, "unbounded message")
        precondition(!reject.error.reason.contains("Bytes: 0x"), "a message quotes input bytes")
    }
    return 0
}
