// swift-tools-version: 6.2
import PackageDescription

/// A package of this machine's list, by its GitHub path.
func github(_ path: String, _ version: Version) -> Package.Dependency { .package(url: "https://github.com/\(path).git", from: version) }

/// What every layer above the Redis client uses.
let core: [Target.Dependency] = [
    "RedisClient",
    "ConnectWire",
    .product(name: "Crypto", package: "swift-crypto"),
    .product(name: "HTTPTypes", package: "swift-http-types"),
    .product(name: "Logging", package: "swift-log"),
]
let lifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
/// A SwiftNIO module.
func nio(_ name: String) -> Target.Dependency { .product(name: name, package: "swift-nio") }
/// What drives whole nodes from outside (the server's tests and the benchmarks).
let server: [Target.Dependency] = [
    "Switchboard", "SwitchboardCore", "ContactEngine", "RedisClient", "TestSupport",
    .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
]

let package = Package(
    name: "switchboard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchboard", targets: ["switchboard"]),
        .executable(name: "switchboard-bench", targets: ["switchboard-bench"]),
        .library(name: "RedisClient", targets: ["RedisClient"]),
        .library(name: "Switchboard", targets: ["Switchboard"]),
        // For the fuzz targets (Tests/Fuzz), a package of their own that can only use products.
        .library(name: "SwitchboardCore", targets: ["SwitchboardCore"]),
        .library(name: "ConnectWire", targets: ["ConnectWire"]),
    ],
    dependencies: [
        github("apple/swift-nio", "2.101.2"),
        github("apple/swift-log", "1.16.2"),
        github("apple/swift-metrics", "2.13.0"),
        github("apple/swift-argument-parser", "1.8.2"),
        github("apple/swift-crypto", "3.12.3"),
        github("swift-server/swift-prometheus", "2.4.1"),
        github("swift-server/swift-service-lifecycle", "2.13.0"),
        github("hummingbird-project/hummingbird", "2.28.1"),
        github("hummingbird-project/hummingbird-websocket", "2.8.1"),
        github("x-sheep/swift-property-based", "2.0.1"),
        github("apple/swift-http-types", "1.8.0"),
        github("swift-server/async-http-client", "1.37.0"),
        github("apple/swift-nio-ssl", "2.37.6"),
    ],
    targets: [
        .systemLibrary(
            name: "CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .target(name: "RedisClient", dependencies: ["CHiredis", nio("NIOCore"), nio("NIOPosix"), lifecycle] + [
            .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        .target(name: "ConnectWire", dependencies: [nio("NIOCore"), nio("NIOHTTP1")] + [
            .product(name: "Crypto", package: "swift-crypto"), .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        // The three layers (README, "Architecture"): each depends on the one below and on what it uses itself.
        .target(name: "SwitchboardCore", dependencies: core + [.product(name: "_CryptoExtras", package: "swift-crypto")]),
        .target(name: "ContactEngine", dependencies: core + ["SwitchboardCore", lifecycle]),
        .target(
            name: "Switchboard",
            dependencies: core + ["SwitchboardCore", "ContactEngine", lifecycle, nio("NIOCore"), nio("NIOHTTP1")] + [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "switchboard",
            dependencies: [
                "Switchboard",
                "SwitchboardCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "switchboard-bench",
            dependencies: server + [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                nio("NIOPosix"),
            ]
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "RedisClient",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                nio("NIOCore"),
                nio("NIOPosix"),
                nio("NIOWebSocket"),
            ],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "RedisClientTests",
            dependencies: [
                "RedisClient",
                "TestSupport",
                nio("NIOPosix"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "ConnectWireTests",
            dependencies: ["ConnectWire"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "SwitchboardTests",
            dependencies: server + [
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
