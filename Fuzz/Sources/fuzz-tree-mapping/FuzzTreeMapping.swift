import ClaimsBridge
import FuzzSupport

// Model JSON Lines written as a RAMQ batch and as partner JSON, then read back: whatever is written is read
// back without a reject (read → write → read is identical in count, or the object is refused when written).

private let mappings = mappingsFolder
private let ramqPath = mappings + "/ramq/claim.mapping.yaml"
private let partnerPath = mappings + "/partners/example-claim.mapping.yaml"
nonisolated(unsafe) private let pairs: [(TreeWritePipeline, TreeReadPipeline)] = [
    (
        try! TreeWritePipeline(
            mapping: try! TreeMapping.load(path: ramqPath),
            parameters: ["transmitter": "18001", "provider": "212345", "establishment": "12345", "batchDate": "2026-03-01"]),
        try! TreeReadPipeline(mapping: try! TreeMapping.load(path: ramqPath))
    ),
    (
        try! TreeWritePipeline(mapping: try! TreeMapping.load(path: partnerPath)),
        try! TreeReadPipeline(mapping: try! TreeMapping.load(path: partnerPath))
    ),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTreeMapping(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    for (writer, reader) in pairs {
        var source = MemoryInput(input)
        var written = MemoryOutput()
        guard let wrote = try? writer.run(input: &source, output: &written, onReject: { _ in }) else {
            fatalError("writing threw")
        }
        precondition(wrote.messages == wrote.translated + wrote.rejected, "write counts do not add up")
        guard wrote.translated > 0 else { continue }
        var back = MemoryInput(written.bytes)
        var model = MemoryOutput()
        var rejects: [RejectedMessage] = []
        guard let read = try? reader.run(input: &back, output: &model, onReject: { rejects.append($0) }) else {
            fatalError("reading back threw")
        }
        precondition(
            read.rejected == 0 && read.translated == wrote.translated,
            "written output not read back: \(rejects.first.map { "\($0.error.code): \($0.error.reason)" } ?? "")")
    }
    return 0
}
