import FuzzSupport

@_cdecl("fuzz_tree_mapping_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, size in fuzzTreeMapping(data, size) }
}
