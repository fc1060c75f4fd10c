// swift-tools-version: 6.1
// Coverage-guided fuzz targets (libFuzzer). Each folder under Sources/ is one target: an executable whose
// `LLVMFuzzerTestOneInput` checks one part of ClaimsBridge. Build and run them with Scripts/fuzz.sh
// (`make fuzz`); see README.md.
import Foundation
import PackageDescription

let sources = Context.packageDirectory + "/Sources"
let targets = ((try? FileManager.default.contentsOfDirectory(atPath: sources)) ?? [])
    .filter { !$0.hasPrefix(".") }
    .sorted()

let package = Package(
    name: "ClaimsBridgeFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "ClaimsBridge", path: "..")
    ],
    targets: targets.map { name in
        .executableTarget(
            name: name,
            dependencies: [.product(name: "ClaimsBridge", package: "ClaimsBridge")],
            path: "Sources/\(name)",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    },
    swiftLanguageModes: [.v6]
)
