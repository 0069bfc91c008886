// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Flare",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "FlareCRDT", targets: ["FlareCRDT"]),
        .library(name: "FlareFixtures", targets: ["FlareFixtures"]),
        .executable(name: "flare", targets: ["flare"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        .target(name: "FlareCRDT"),
        .target(name: "FlareFixtures", dependencies: ["FlareCRDT"]),
        .executableTarget(
            name: "flare",
            dependencies: [
                "FlareFixtures",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "flare-crdt-bench",
            dependencies: ["FlareCRDT"],
            path: "Tools/Benchmarks/CRDTBenchmark"
        ),
        .testTarget(
            name: "FlareCRDTTests",
            dependencies: [
                "FlareCRDT",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(name: "FlareFixturesTests", dependencies: ["FlareFixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
