import ArgumentParser

@main
struct Flare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flare",
        abstract: "An offline-first, end-to-end encrypted symptom and treatment journal.",
        subcommands: [Fixtures.self]
    )
}
