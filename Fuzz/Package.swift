// swift-tools-version: 6.1
// Coverage-guided fuzz targets (libFuzzer). Each folder under Sources/ is one target: an executable whose
// `LLVMFuzzerTestOneInput` checks one part of ClaimsBridge; `FuzzSupport` holds what several targets share.
// Build and run them with Scripts/fuzz.sh (`make fuzz`); see README.md.
import Foundation
import PackageDescription

let sources = Context.packageDirectory + "/Sources"
let support = "FuzzSupport"
let targets = ((try? FileManager.default.contentsOfDirectory(atPath: sources)) ?? [])
    .filter { !$0.hasPrefix(".") && $0 != support }
    .sorted()

let package = Package(
    name: "ClaimsBridgeFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "ClaimsBridge", path: "..")
    ],
    targets: [
        .target(name: support, dependencies: [.product(name: "ClaimsBridge", package: "ClaimsBridge")])
    ]
        + targets.map { name in
            .executableTarget(
                name: name,
                dependencies: [.target(name: support), .product(name: "ClaimsBridge", package: "ClaimsBridge")],
                path: "Sources/\(name)",
                swiftSettings: [.unsafeFlags(["-parse-as-library"])]
            )
        },
    swiftLanguageModes: [.v6]
)
