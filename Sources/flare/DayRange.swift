import ArgumentParser
import FlareJournal
import Foundation

/// `--from` and `--to` of the commands that read a stretch of days (`list`, `summary`,
/// `insights`, `report`), read by `HumanTime.day` like every other day.
struct DayRange: ParsableArguments {
    @Option(help: "First day: 2026-11-27, today or yesterday.") var from: String?
    @Option(help: "Last day, as --from.") var to: String?

    /// The days given (nil where not), refused when `--from` is after `--to`: a reversed range
    /// is a typo, not a question whose answer is "nothing".
    func bounds(now: Date = Date()) throws -> (first: Day?, last: Day?) {
        let first = try from.map { text throws(JournalError) in try HumanTime.day(text, field: "from", now: now) }
        let last = try to.map { text throws(JournalError) in try HumanTime.day(text, field: "to", now: now) }
        if let first, let last, first > last {
            throw CLIError.usage("--from \(first) is after --to \(last); give the earlier day first.")
        }
        return (first, last)
    }
}
