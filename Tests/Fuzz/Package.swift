// swift-tools-version: 6.2
import PackageDescription

// libFuzzer targets (docs/fuzzing.md). A package of its own because a fuzz executable has no `main` (libFuzzer brings
// it), so it cannot be part of the root package's `swift build`. ops/fuzz.sh builds it with libFuzzer, AddressSanitizer
// and `-enable-testing`, which lets the targets `@testable import` the internal parsers (the hiredis reader, the SigV4
// canonicaliser) without making them API.

/// One fuzz target: `Sources/<name>/`, an executable linked with libFuzzer's `main`.
func fuzzTarget(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(name: name, dependencies: dependencies, swiftSettings: [.unsafeFlags(["-parse-as-library"])])
}

let package = Package(
    name: "switchboard-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "switchboard", path: "../.."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        fuzzTarget("FuzzContactEvent", [.product(name: "SwitchboardCore", package: "switchboard")]),
        fuzzTarget("FuzzRedisReader", [
            .product(name: "RedisClient", package: "switchboard"), .product(name: "NIOCore", package: "swift-nio"),
        ]),
        fuzzTarget("FuzzSigV4", [.product(name: "ConnectWire", package: "switchboard")]),
        fuzzTarget("FuzzConfig", [.product(name: "SwitchboardCore", package: "switchboard")]),
    ],
    swiftLanguageModes: [.v6]
)
