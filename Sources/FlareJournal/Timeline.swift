import FlareCRDT

/// Which records a timeline shows. Empty parts do not filter.
public struct TimelineFilter: Sendable {
    /// First and last day shown (inclusive), as the person's days.
    public var from: Day?
    public var to: Day?
    /// Record types shown (`symptom`, `treatment`, `treatment-event`, `dose-change`, `check-in`).
    public var types: Set<String>
    /// Only symptom entries with a region that overlaps this one (`BodyRegion.overlaps`), so
    /// "shoulders" finds entries stored as "left shoulder girdle" and old ones that say
    /// "shoulder".
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
    case doseChange(Stored<DoseChange>)
    case checkIn(Stored<CheckIn>)

    public var id: String {
        switch self {
        case .symptom(let stored): return stored.id
        case .treatment(let stored): return stored.id
        case .event(let stored): return stored.id
        case .doseChange(let stored): return stored.id
        case .checkIn(let stored): return stored.id
        }
    }

    /// The person's day it belongs to (a treatment's start day; none if it has no start).
    public var day: Day? {
        switch self {
        case .symptom(let stored): return stored.record.at.day
        case .treatment(let stored): return stored.record.started?.day
        case .event(let stored): return stored.record.at.day
        case .doseChange(let stored): return stored.record.at.day
        case .checkIn(let stored): return stored.record.day
        }
    }

    /// Sorts by day, then by instant within the day (a check-in closes its day), then by id.
    var order: (Day?, Int64, String) {
        switch self {
        case .symptom(let stored): return (day, stored.record.at.secondsSince1970, id)
        case .treatment(let stored): return (day, stored.record.started?.secondsSince1970 ?? .min, id)
        case .event(let stored): return (day, stored.record.at.secondsSince1970, id)
        case .doseChange(let stored): return (day, stored.record.at.secondsSince1970, id)
        case .checkIn: return (day, .max, id)
        }
    }
}

extension TimelineItem {
    /// The record document `id` holds, read as its type; nil for a document that is not a
    /// journal record (a device name) or of a type this version does not know (a newer
    /// device's), which a timeline leaves out.
    static func read(_ id: String, _ document: Document) -> Result<TimelineItem, JournalError>? {
        switch document.type {
        case SymptomEntry.recordType: return Journal.read(SymptomEntry.self, id, document).map(TimelineItem.symptom)
        case Treatment.recordType: return Journal.read(Treatment.self, id, document).map(TimelineItem.treatment)
        case TreatmentEvent.recordType: return Journal.read(TreatmentEvent.self, id, document).map(TimelineItem.event)
        case DoseChange.recordType: return Journal.read(DoseChange.self, id, document).map(TimelineItem.doseChange)
        case CheckIn.recordType: return Journal.read(CheckIn.self, id, document).map(TimelineItem.checkIn)
        default: return nil
        }
    }
}

extension Journal {
    /// The record `id`, whatever its type; reads that one document only.
    public func item(_ id: String) throws -> TimelineItem {
        guard let document = vault.replica.document(id), let result = TimelineItem.read(id, document) else {
            throw JournalError.unknownRecord(id)
        }
        return try result.get()
    }

    /// The records `filter` admits, in time order (treatments without a start first). Each
    /// document is read once; records that cannot be read are left out.
    public func timeline(_ filter: TimelineFilter = TimelineFilter()) -> [TimelineItem] {
        var items: [TimelineItem] = []
        for id in vault.replica.liveDocumentIDs {
            guard let document = vault.replica.document(id), let item = try? TimelineItem.read(id, document)?.get(),
                filter.admits(type: document.type, day: item.day)
            else { continue }
            if case .symptom(let stored) = item {
                if let region = filter.region, !stored.record.regions.contains(where: { BodyRegion.overlaps($0, region) }) { continue }
                if let trigger = filter.trigger, !stored.record.triggers.contains(trigger) { continue }
            }
            items.append(item)
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
