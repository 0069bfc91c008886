/// Which records a timeline shows. Empty parts do not filter.
public struct TimelineFilter: Sendable {
    /// First and last day shown (inclusive), as the person's days.
    public var from: Day?
    public var to: Day?
    /// Record types shown (`symptom`, `treatment`, `treatment-event`, `check-in`).
    public var types: Set<String>
    /// Only symptom entries with this region.
    public var region: Term?
    /// Only symptom entries with this trigger.
    public var trigger: Term?

    public init(from: Day? = nil, to: Day? = nil, types: Set<String> = [], region: Term? = nil, trigger: Term? = nil) {
        self.from = from
        self.to = to
        self.types = types
        self.region = region
        self.trigger = trigger
    }

    func admits(type: String, day: Day?) -> Bool {
        if !types.isEmpty, !types.contains(type) { return false }
        if (region != nil || trigger != nil), type != SymptomEntry.recordType { return false }
        guard from != nil || to != nil else { return true }
        guard let day else { return false }
        if let from, day < from { return false }
        if let to, day > to { return false }
        return true
    }
}

/// One record in a timeline.
public enum TimelineItem: Sendable {
    case symptom(Stored<SymptomEntry>)
    case treatment(Stored<Treatment>)
    case event(Stored<TreatmentEvent>)
    case checkIn(Stored<CheckIn>)

    public var id: String {
        switch self {
        case .symptom(let stored): return stored.id
        case .treatment(let stored): return stored.id
        case .event(let stored): return stored.id
        case .checkIn(let stored): return stored.id
        }
    }

    /// The person's day it belongs to (a treatment's start day; none if it has no start).
    public var day: Day? {
        switch self {
        case .symptom(let stored): return stored.record.at.day
        case .treatment(let stored): return stored.record.started?.day
        case .event(let stored): return stored.record.at.day
        case .checkIn(let stored): return stored.record.day
        }
    }

    /// Sorts by day, then by instant within the day (a check-in closes its day), then by id.
    var order: (Day?, Int64, String) {
        switch self {
        case .symptom(let stored): return (day, stored.record.at.secondsSince1970, id)
        case .treatment(let stored): return (day, stored.record.started?.secondsSince1970 ?? .min, id)
        case .event(let stored): return (day, stored.record.at.secondsSince1970, id)
        case .checkIn: return (day, .max, id)
        }
    }
}

extension Journal {
    /// The records `filter` admits, in time order (treatments without a start first).
    public func timeline(_ filter: TimelineFilter = TimelineFilter()) -> [TimelineItem] {
        var items: [TimelineItem] = []
        for stored in all(SymptomEntry.self).records where filter.admits(type: SymptomEntry.recordType, day: stored.record.at.day) {
            if let region = filter.region, !stored.record.regions.contains(region) { continue }
            if let trigger = filter.trigger, !stored.record.triggers.contains(trigger) { continue }
            items.append(.symptom(stored))
        }
        for stored in all(Treatment.self).records where filter.admits(type: Treatment.recordType, day: stored.record.started?.day) {
            items.append(.treatment(stored))
        }
        for stored in all(TreatmentEvent.self).records where filter.admits(type: TreatmentEvent.recordType, day: stored.record.at.day) {
            items.append(.event(stored))
        }
        for stored in all(CheckIn.self).records where filter.admits(type: CheckIn.recordType, day: stored.record.day) {
            items.append(.checkIn(stored))
        }
        return items.sorted { lhs, rhs in
            let (a, b) = (lhs.order, rhs.order)
            switch (a.0, b.0) {
            case (nil, .some): return true
            case (.some, nil): return false
            case (let x?, let y?) where x != y: return x < y
            default: return (a.1, a.2) < (b.1, b.2)
            }
        }
    }
}
