import ClaimsBridge

let catalog = CDAnetFuzzChecks.catalog()

/// Reads arbitrary bytes as CDAnet and writes each message back: see ``CDAnetFuzzChecks/roundTrip(_:catalog:)``.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let problem = CDAnetFuzzChecks.roundTrip(Array(UnsafeBufferPointer(start: data, count: size)), catalog: catalog) {
        fatalError(problem)
    }
    return 0
}
