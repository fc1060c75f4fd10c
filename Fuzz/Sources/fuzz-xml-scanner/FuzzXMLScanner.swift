import ClaimsBridge
import FuzzSupport

// RAMQ XML batches from arbitrary bytes, fed in chunks of every size: never a crash, every reject holding exactly
// the input bytes at its offset, rejects never overlapping, the records and rejects adding up, messages bounded.

private let mappings = mappingsFolder
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
    checkAccounting(input, summary, rejects)
    return 0
}
