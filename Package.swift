// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "ClaimsBridge",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ClaimsBridge", targets: ["ClaimsBridge"]),
        .library(name: "ClaimsBridgeStorage", targets: ["ClaimsBridgeStorage"]),
        .library(name: "ClaimsBridgeTransports", targets: ["ClaimsBridgeTransports"]),
        .library(name: "ClaimsBridgeWatcher", targets: ["ClaimsBridgeWatcher"]),
        .executable(name: "claimsbridge", targets: ["claimsbridge"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // System libraries, each through a module map in Sources/<name>/ (see the README's "System libraries").
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CPostgreSQL", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .target(
            name: "ClaimsBridge",
            dependencies: [
                "CLibXML2",
                "COpenSSL",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "ClaimsBridgeStorage",
            dependencies: ["CSQLite", "COpenSSL", "CPostgreSQL"]
        ),
        .target(
            name: "ClaimsBridgeTransports",
            dependencies: [
                "ClaimsBridge", "ClaimsBridgeStorage", "CCurl", "COpenSSL",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "ClaimsBridgeWatcher",
            dependencies: [
                "ClaimsBridge",
                "ClaimsBridgeStorage",
                "ClaimsBridgeTransports",
                "COpenSSL",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "claimsbridge",
            dependencies: [
                "ClaimsBridge",
                "ClaimsBridgeStorage",
                "ClaimsBridgeTransports",
                "ClaimsBridgeWatcher",
                "ClaimsBridgeService",
                "ClaimsBridgeCarrierSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "ClaimsBridgeCarrierSimulator",
            dependencies: [
                "ClaimsBridge",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "ClaimsBridgeService",
            dependencies: [
                "ClaimsBridge",
                "ClaimsBridgeStorage",
                "ClaimsBridgeTransports",
                "ClaimsBridgeWatcher",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "ClaimsBridgeTestSupport",
            dependencies: ["ClaimsBridge", "ClaimsBridgeStorage"]
        ),
        .testTarget(
            name: "ClaimsBridgeTests",
            dependencies: ["ClaimsBridge", "ClaimsBridgeTestSupport"]
        ),
        .testTarget(
            name: "ClaimsBridgeStorageTests",
            dependencies: ["ClaimsBridgeStorage", "ClaimsBridgeTestSupport"]
        ),
        .testTarget(
            name: "ClaimsBridgeTransportsTests",
            dependencies: ["ClaimsBridgeTransports", "ClaimsBridgeTestSupport", "claimsbridge"],
            exclude: ["Servers"]
        ),
        .testTarget(
            name: "ClaimsBridgeWatcherTests",
            dependencies: ["ClaimsBridge", "ClaimsBridgeWatcher", "ClaimsBridgeTransports", "ClaimsBridgeTestSupport"]
        ),
        .testTarget(
            name: "ClaimsBridgeCarrierSimulatorTests",
            dependencies: [
                "ClaimsBridge", "ClaimsBridgeCarrierSimulator", "ClaimsBridgeTransports", "ClaimsBridgeTestSupport",
                "ClaimsBridgeWatcher", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ClaimsBridgeServiceTests",
            dependencies: [
                "ClaimsBridge", "ClaimsBridgeService", "ClaimsBridgeCarrierSimulator", "ClaimsBridgeTestSupport",
                "ClaimsBridgeStorage", "ClaimsBridgeTransports", "ClaimsBridgeWatcher",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(
            name: "ClaimsBridgeCLITests",
            dependencies: ["ClaimsBridge", "ClaimsBridgeCarrierSimulator", "ClaimsBridgeTestSupport", "claimsbridge"]
        ),
    ]
)

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
