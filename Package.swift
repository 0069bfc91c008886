// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Flare",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "FlareCRDT", targets: ["FlareCRDT"]),
        .library(name: "FlareFixtures", targets: ["FlareFixtures"]),
        .library(name: "FlareCrypto", targets: ["FlareCrypto"]),
        .library(name: "FlareStore", targets: ["FlareStore"]),
        .library(name: "FlareJournal", targets: ["FlareJournal"]),
        .library(name: "FlareInsights", targets: ["FlareInsights"]),
        .library(name: "FlareReport", targets: ["FlareReport"]),
        .library(name: "FlareRemind", targets: ["FlareRemind"]),
        .library(name: "FlareWire", targets: ["FlareWire"]),
        .library(name: "FlareRelay", targets: ["FlareRelay"]),
        .library(name: "FlareSync", targets: ["FlareSync"]),
        .executable(name: "flare", targets: ["flare"]),
        .executable(name: "flare-relay", targets: ["flare-relay"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        .target(name: "FlareBytes"),
        .target(name: "FlareWire", dependencies: ["FlareBytes", .product(name: "NIOCore", package: "swift-nio")]),
        .target(
            name: "FlareSync",
            dependencies: [
                "FlareBytes", "FlareWire", "FlareStore", "FlareCrypto", "FlareCRDT",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "FlareRelay",
            dependencies: [
                "FlareBytes", "FlareWire", "FlareCrypto", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "FlareCRDT", dependencies: ["FlareBytes"]),
        .target(name: "FlareCrypto", dependencies: ["CSodium", "FlareBytes"]),
        .target(
            name: "FlareStore",
            dependencies: ["FlareBytes", "FlareCRDT", "FlareCrypto", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(name: "FlareJournal", dependencies: ["FlareBytes", "FlareCRDT", "FlareStore"]),
        .target(name: "FlareFixtures", dependencies: ["FlareCRDT"]),
        .target(name: "FlareInsights", dependencies: ["FlareJournal"]),
        .target(name: "FlareReport", dependencies: ["FlareInsights", "FlareJournal"]),
        .target(name: "FlareRemind"),
        .executableTarget(
            name: "flare",
            dependencies: [
                "FlareBytes",
                "FlareFixtures",
                "FlareJournal",
                "FlareInsights",
                "FlareReport",
                "FlareRemind",
                "FlareSync",
                "FlareWire",
                "FlareStore",
                "FlareCrypto",
                "FlareCRDT",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "flare-relay",
            dependencies: [
                "FlareRelay", "FlareWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "flare-crdt-bench",
            dependencies: ["ToolSupport", "FlareCRDT"],
            path: "Tools/Benchmarks/CRDTBenchmark"
        ),
        .executableTarget(
            name: "flare-text-bench",
            dependencies: ["ToolSupport", "FlareCRDT"],
            path: "Tools/Benchmarks/TextBenchmark"
        ),
        .target(name: "ToolSupport", dependencies: ["FlareCRDT", "CMallocInfo"], path: "Tools/Support", exclude: ["CMallocInfo"]),
        .systemLibrary(name: "CMallocInfo", path: "Tools/Support/CMallocInfo"),
        .target(
            name: "TestSupport",
            dependencies: [.product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")],
            path: "Tests/Support"
        ),
        .executableTarget(
            name: "flare-store-bench",
            dependencies: [
                "ToolSupport", "CSodium", "FlareCRDT", "FlareCrypto", "FlareStore",
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            path: "Tools/Benchmarks/StoreBenchmark"
        ),
        .executableTarget(
            name: "flare-sync-bench",
            dependencies: [
                "ToolSupport", "FlareCrypto", "FlareStore", "FlareSync", "FlareRelay", "FlareWire",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Tools/Benchmarks/SyncBenchmark"
        ),
        .executableTarget(
            name: "flare-store-crash",
            dependencies: ["FlareStore", "FlareCRDT", "FlareCrypto", "ToolSupport"],
            path: "Tools/CrashTest"
        ),
        // libFuzzer harnesses (Tools/fuzz, Tools/Fuzz/README.md); a plain build replays inputs.
        .executableTarget(
            name: "flare-fuzz",
            dependencies: ["FlareBytes", "FlareCRDT", "FlareCrypto", "FlareStore", "FlareWire", "FlareRelay", "FlareFixtures"],
            path: "Tools/Fuzz/Sources"
        ),
        .testTarget(
            name: "FlareCRDTTests",
            dependencies: [
                "FlareBytes",
                "FlareCRDT",
                "TestSupport",
                "ToolSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(name: "FlareFixturesTests", dependencies: ["FlareFixtures"]),
        .testTarget(name: "FlareCryptoTests", dependencies: ["FlareCrypto"]),
        .testTarget(name: "FlareJournalTests", dependencies: ["FlareJournal", "TestSupport"]),
        .testTarget(name: "FlareRemindTests", dependencies: ["FlareRemind"]),
        .testTarget(name: "FlareInsightsTests", dependencies: ["FlareInsights", "FlareReport", "FlareJournal"]),
        .testTarget(
            name: "FlareRelayTests",
            dependencies: ["FlareBytes", "FlareRelay", "FlareCrypto", "FlareWire", "TestSupport", "ToolSupport", .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "FlareSyncTests",
            dependencies: [
                "FlareBytes", "FlareSync", "FlareRelay", "FlareStore", "FlareCRDT", "FlareCrypto", "FlareWire", "TestSupport", "ToolSupport",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "FlareWireTests",
            dependencies: [
                "FlareBytes", "FlareWire", "TestSupport", "ToolSupport", .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "FlareCLITests",
            dependencies: ["TestSupport", "ToolSupport", "FlareStore", "FlareWire", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "FlareStoreTests",
            dependencies: [
                "FlareBytes",
                "FlareStore",
                "TestSupport",
                "ToolSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
