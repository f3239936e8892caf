// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "ovn-egress",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "OVSDBClient", targets: ["OVSDBClient"]),
        .library(name: "OVNSchema", targets: ["OVNSchema"]),
        .executable(name: "ovsdb-modelgen", targets: ["ovsdb-modelgen"]),
        .library(name: "EgressPolicy", targets: ["EgressPolicy"]),
        .executable(name: "ovn-egressctl", targets: ["ovn-egressctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CJansson",
            pkgConfig: "jansson",
            providers: [.apt(["libjansson-dev"])]
        ),
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        // glibc's malloc.h (malloc_trim, mallopt), which the Glibc module leaves out.
        .systemLibrary(name: "CMalloc"),
        .target(
            name: "OVSDBClient",
            dependencies: [
                "CJansson",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "OVSDBModelGen", dependencies: ["OVSDBClient"]),
        .executableTarget(name: "ovsdb-modelgen", dependencies: ["OVSDBModelGen", "OVSDBClient"]),
        .target(name: "OVNSchema", dependencies: ["OVSDBClient"]),
        .target(
            name: "EgressPolicy",
            dependencies: [
                "OVSDBClient", "OVNSchema", "CYAML", "CJansson", "CMalloc",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
        .executableTarget(
            name: "ovn-egressctl",
            dependencies: [
                "OVSDBClient", "OVNSchema", "EgressPolicy", "CMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "ovsdb-wire-bench",
            dependencies: ["OVSDBClient"],
            path: "Benchmarks/WireBench"
        ),
        .executableTarget(
            name: "egress-bench",
            dependencies: ["EgressPolicy", "OVSDBClient", "CMalloc"],
            path: "Benchmarks/EgressBench"
        ),
        .executableTarget(
            name: "egress-embedded-controller",
            dependencies: ["EgressPolicy", "OVSDBClient", .product(name: "Logging", package: "swift-log")],
            path: "examples/EmbeddedController"
        ),
        .executableTarget(
            name: "egress-two-zones",
            dependencies: ["EgressPolicy"],
            path: "examples/TwoZones"
        ),
        .executableTarget(
            name: "ovsdb-quickstart",
            dependencies: ["OVSDBClient"],
            path: "examples/Quickstart"
        ),
        .testTarget(
            name: "OVSDBClientTests",
            dependencies: [
                "OVSDBClient", "OVSDBTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ]
        ),
        .target(
            name: "OVSDBTestSupport",
            dependencies: ["OVSDBClient"],
            path: "Tests/OVSDBTestSupport"
        ),
        .testTarget(
            name: "EgressPolicyTests",
            dependencies: ["EgressPolicy", "OVNSchema", "OVSDBClient", "OVSDBTestSupport"]
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["ovn-egressctl", "OVSDBClient", "OVSDBTestSupport"]
        ),
        .testTarget(
            name: "OVNSchemaTests",
            dependencies: ["OVNSchema", "OVSDBModelGen", "OVSDBClient", "OVSDBTestSupport"]
        ),
        .testTarget(
            name: "OVSDBIntegrationTests",
            dependencies: [
                "OVSDBClient", "OVSDBTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
