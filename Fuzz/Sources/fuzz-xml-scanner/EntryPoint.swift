import FuzzSupport

@_cdecl("fuzz_xml_scanner_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, size in fuzzXMLScanner(data, size) }
}
