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
    /// The records `filter` admits, in time order (treatments without a start first). Each
    /// document is read once; records that cannot be read are left out.
    public func timeline(_ filter: TimelineFilter = TimelineFilter()) -> [TimelineItem] {
        var items: [TimelineItem] = []
        for id in vault.replica.liveDocumentIDs {
            guard let document = vault.replica.document(id) else { continue }
            let item: TimelineItem?
            switch document.type {
            case SymptomEntry.recordType:
                item = (try? Self.read(SymptomEntry.self, id, document).get()).flatMap { stored in
                    if let region = filter.region, !stored.record.regions.contains(region) { return nil }
                    if let trigger = filter.trigger, !stored.record.triggers.contains(trigger) { return nil }
                    return .symptom(stored)
                }
            case Treatment.recordType: item = (try? Self.read(Treatment.self, id, document).get()).map(TimelineItem.treatment)
            case TreatmentEvent.recordType: item = (try? Self.read(TreatmentEvent.self, id, document).get()).map(TimelineItem.event)
            case CheckIn.recordType: item = (try? Self.read(CheckIn.self, id, document).get()).map(TimelineItem.checkIn)
            default: item = nil
            }
            if let item, filter.admits(type: document.type, day: item.day) { items.append(item) }
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
