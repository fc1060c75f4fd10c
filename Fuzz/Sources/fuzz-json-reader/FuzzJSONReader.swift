import ClaimsBridge
import FuzzSupport

// Model JSON Lines (→ CDAnet) and partner JSON Lines (→ model) from arbitrary bytes: never a crash, every line
// translated or rejected, every reject holding exactly the input bytes at its offset, messages bounded.

private let mappings = mappingsFolder
private let catalog = try! CDAnetCatalog(directory: mappings + "/cdanet")
nonisolated(unsafe) private let partner = try! TreeReadPipeline(
    mapping: try! TreeMapping.load(path: mappings + "/partners/example-claim.mapping.yaml"))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let chunk = 1 + Int(input.first ?? 0) % 97
    var modelWrite = ModelWritePipeline(catalog: catalog, chunkSize: chunk * 13, maximumLineLength: 2048)
    modelWrite.failFast = false
    checkRun(input) { source, sink, onReject in try modelWrite.run(input: &source, output: &sink, onReject: onReject) }
    var partnerRead = partner
    partnerRead.maximumLineLength = 2048
    checkRun(input, chunkSize: chunk) { source, sink, onReject in
        try partnerRead.run(input: &source, output: &sink, onReject: onReject)
    }
    return 0
}

/// Runs one pipeline over `input` and checks the accounting invariants; a broken one stops the fuzzer.
private func checkRun(
    _ input: [UInt8], chunkSize: Int = .max,
    _ run: (inout MemoryInput, inout MemoryOutput, (RejectedMessage) throws -> Void) throws -> TranslationSummary
) {
    var source = MemoryInput(input, chunkSize: chunkSize)
    var sink = MemoryOutput()
    var rejects: [RejectedMessage] = []
    guard let summary = try? run(&source, &sink, { rejects.append($0) }) else { fatalError("the pipeline threw") }
    checkAccounting(input, summary, rejects)
}
