import ClaimsBridge

let catalog = CDAnetFuzzChecks.catalog()

/// Frames arbitrary bytes as CDAnet: see ``CDAnetFuzzChecks/framing(_:catalog:)``.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let problem = CDAnetFuzzChecks.framing(Array(UnsafeBufferPointer(start: data, count: size)), catalog: catalog) {
        fatalError(problem)
    }
    return 0
}
