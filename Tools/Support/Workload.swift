// What the benchmarks measure with: the journal's typical symptom entry, and small helpers
// for timing and memory. Part of ToolSupport, shared by the tools under Tools/ (and, for its
// seeded generator, by the tests).
import CMallocInfo
import FlareCRDT
import Foundation

/// A symptom entry of 8 fields: timestamp, pain, stiffness, fatigue, sleep hours, flare flag,
/// 1–3 regions and a ~40-character note.
public struct SymptomEntry: Sendable {
    public let id: String
    public let at: Int64
    public let pain: Int64
    public let stiffness: Int64
    public let fatigue: Int64
    public let sleepHours: Double
    public let flare: Bool
    public let regions: [String]
    public let note: String

    /// The field writes it takes (one per register, one per region, one for the note).
    public var fieldWrites: Int { 7 + regions.count }

    /// Records the entry as one change's operations.
    public func record(_ change: inout ChangeBuilder) throws {
        try change.create(id, type: "symptom")
        try change.set(id, "at", to: .int(at))
        try change.set(id, "pain", to: .int(pain))
        try change.set(id, "stiffness", to: .int(stiffness))
        try change.set(id, "fatigue", to: .int(fatigue))
        try change.set(id, "sleep_hours", to: .double(sleepHours))
        try change.set(id, "flare", to: .bool(flare))
        for region in regions { try change.add(id, "regions", region) }
        try change.insertText(id, "note", at: 0, note)
    }

    /// The entry as compact JSON, the size a plain export of it would take.
    public var json: Data {
        let object: [String: Any] = [
            "id": id, "type": "symptom", "at": at, "pain": pain, "stiffness": stiffness, "fatigue": fatigue,
            "sleep_hours": sleepHours, "flare": flare, "regions": regions, "note": note,
        ]
        return try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }
}

/// Random entries, as a person would log them.
public struct Workload {
    static let regions = ["neck", "shoulders", "upper back", "lower back", "hips", "thighs", "calves", "arms", "widespread"]
    static let notes = [
        "woke stiff, eased after a warm shower", "deep ache in both shoulders all evening",
        "burning along the lower back after work", "tired and foggy, could not focus at work",
        "better day, short walk helped a little", "flare after a long drive, hips very sore",
    ]

    var generator = SystemRandomNumberGenerator()

    public init() {}

    public mutating func documentID() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        return String((0..<12).map { _ in alphabet[Int.random(in: 0..<32, using: &generator)] })
    }

    public mutating func entry(at wallMilliseconds: UInt64) -> SymptomEntry {
        SymptomEntry(
            id: documentID(),
            at: Int64(wallMilliseconds / 1000),
            pain: Int64.random(in: 0...10, using: &generator),
            stiffness: Int64.random(in: 0...10, using: &generator),
            fatigue: Int64.random(in: 0...10, using: &generator),
            sleepHours: Double(Int.random(in: 8...18, using: &generator)) / 2,
            flare: Int.random(in: 0..<5, using: &generator) == 0,
            regions: Array(Self.regions.shuffled(using: &generator).prefix(Int.random(in: 1...3, using: &generator))),
            note: Self.notes.randomElement(using: &generator)!)
    }
}

public func median(_ values: [Double]) -> Double { percentile(values, 0.5) }

/// The value below which `fraction` of `values` lie (nearest rank).
public func percentile(_ values: [Double], _ fraction: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.down)))]
}

public func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// A line of /proc/PID/status (VmRSS:, VmHWM:) in megabytes, for this process or another.
public func residentMegabytes(_ key: String, process: String = "self") -> Double {
    guard let status = try? String(contentsOfFile: "/proc/\(process)/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix(key) {
        let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        return kilobytes / 1024
    }
    return 0
}

/// Bytes the allocator has handed out and not had back (glibc's mallinfo2: heap chunks in use
/// plus mmapped blocks), so the growth across a step is what that step still holds, whatever
/// pages the allocator keeps.
public func heapBytesInUse() -> Int { Int(flare_heap_bytes_in_use()) }

/// Prints one result object as a line of JSON.
public func printJSON(_ object: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}
