import Foundation
import GRDB

/// Columns of a vault's rows read without trusting them: the ids and seqs beside each sealed
/// box are plain in the file, so a damaged or tampered file may hold anything there. Each is
/// checked as it is read and a bad one is reported as a damaged row, never trapped on.
extension Row {
    /// A seq column: nil unless it holds an integer from 1 to 2^63 − 1.
    func storedSeq(_ column: String) -> UInt64? {
        guard let value = Int64.fromDatabaseValue(self[column] as DatabaseValue), value >= 1 else { return nil }
        return UInt64(value)
    }

    /// A blob column: nil unless it holds bytes.
    func storedBytes(_ column: String) -> [UInt8]? {
        Data.fromDatabaseValue(self[column] as DatabaseValue).map { [UInt8]($0) }
    }

    /// How a row names itself in an error when its own key columns are damaged.
    func describing(_ column: String) -> String { "\(column) \(self[column] as DatabaseValue)" }
}
