import ClaimsBridge
import FuzzSupport

// RAMQ XML batches from arbitrary bytes, fed in chunks of every size: never a crash, every reject holding exactly
// the input bytes at its offset, rejects never overlapping, the records and rejects adding up, messages bounded;
// and the same translations and rejects whether records' trees are built from libxml2's reading or from their bytes.

/// The RAMQ pipeline with each claim's tree built where libxml2 reads it, or (`onWorkers`) from the claim's bytes.
private func ramqPipeline(_ treeBuilding: TreeReadPipeline.TreeBuilding) -> TreeReadPipeline {
    var pipeline = try! TreeReadPipeline(mapping: try! TreeMapping.load(path: mappingsFolder + "/ramq/claim.mapping.yaml"))
    pipeline.workerThreads = 2
    pipeline.treeBuilding = treeBuilding
    return pipeline
}
nonisolated(unsafe) private let ramq = ramqPipeline(.whileReading)
nonisolated(unsafe) private let onWorkers = ramqPipeline(.onWorkers)

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
    // The records' trees built by the workers from the records' bytes translate exactly as those libxml2 built.
    var again = MemoryInput(input, chunkSize: 1 + Int(input.last ?? 0) * 17)
    var onWorkersSink = MemoryOutput()
    var onWorkersRejects: [RejectedMessage] = []
    guard let onWorkersSummary = try? onWorkers.run(input: &again, output: &onWorkersSink, onReject: { onWorkersRejects.append($0) })
    else {
        fatalError("the pipeline threw with the trees built on the workers")
    }
    guard onWorkersSink.bytes == sink.bytes, onWorkersSummary == summary,
        onWorkersRejects.map(\.jsonLine) == rejects.map(\.jsonLine)
    else {
        fatalError("trees built from the records' bytes translate differently from libxml2's")
    }
    return 0
}
