import FuzzSupport

@_cdecl("fuzz_json_reader_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, size in fuzzJSONReader(data, size) }
}
