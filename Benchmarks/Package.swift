// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "ClaimsBridgeBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "ClaimsBridge", path: "..")
    ],
    targets: [
        .executableTarget(
            name: "claimsbridge-bench",
            dependencies: [.product(name: "ClaimsBridge", package: "ClaimsBridge")]
        ),
        .executableTarget(
            name: "claimsbridge-transport-bench",
            dependencies: [
                .product(name: "ClaimsBridge", package: "ClaimsBridge"),
                .product(name: "ClaimsBridgeTransports", package: "ClaimsBridge"),
            ]
        ),
        .executableTarget(
            name: "claimsbridge-mutation-survey",
            dependencies: [.product(name: "ClaimsBridge", package: "ClaimsBridge")]
        ),
        .executableTarget(
            name: "claimsbridge-watch-bench",
            dependencies: [
                .product(name: "ClaimsBridge", package: "ClaimsBridge"),
                .product(name: "ClaimsBridgeTransports", package: "ClaimsBridge"),
                .product(name: "ClaimsBridgeWatcher", package: "ClaimsBridge"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
