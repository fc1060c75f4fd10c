// swift-tools-version: 6.1
// Coverage-guided fuzz targets (libFuzzer through `swiftc -sanitize=fuzzer`), one executable per target,
// kept out of the main package so that `swift build` and `swift test` never build them.
import Foundation
import PackageDescription

/// The root package's identity is its folder's name.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

func fuzzTarget(_ name: String) -> Target {
    .executableTarget(
        name: name, dependencies: ["FuzzSupport", .product(name: "ClaimsBridge", package: root)],
        swiftSettings: [.unsafeFlags(["-parse-as-library", "-sanitize=fuzzer"])],
        linkerSettings: [.unsafeFlags(["-sanitize=fuzzer"])])
}

let package = Package(
    name: "ClaimsBridgeFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [.target(name: "FuzzSupport", dependencies: [.product(name: "ClaimsBridge", package: root)])]
        + ["fuzz-json-reader", "fuzz-xml-scanner", "fuzz-tree-mapping"].map(fuzzTarget)
)
