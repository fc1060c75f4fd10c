// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "ClaimsBridge",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ClaimsBridge", targets: ["ClaimsBridge"]),
        .executable(name: "claimsbridge", targets: ["claimsbridge"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .target(
            name: "ClaimsBridge",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "claimsbridge",
            dependencies: [
                "ClaimsBridge",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "ClaimsBridgeTestSupport",
            dependencies: ["ClaimsBridge"]
        ),
        .testTarget(
            name: "ClaimsBridgeTests",
            dependencies: ["ClaimsBridge", "ClaimsBridgeTestSupport"]
        ),
        .testTarget(
            name: "ClaimsBridgeCLITests",
            dependencies: ["ClaimsBridge", "ClaimsBridgeTestSupport", "claimsbridge"]
        ),
    ]
)

for target in package.targets {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
