import FlareJournal

/// The thresholds the insights use, in one place so the report can state them.
public enum InsightRules {
    /// Days needed on each side of a comparison (as Bearable asks: 3 with and 3 without).
    public static let minimumEachSide = 3
    /// A short night: under this many hours of sleep.
    public static let shortNightHours = 6.0
    /// A high-stress day: stress of at least this, out of 10.
    public static let highStress = 6.0
    /// Flare-ups needed before comparing what went before them.
    public static let minimumFlareUps = 3
    /// The window before a flare-up in which triggers count.
    public static let hoursBeforeFlareUp: Int64 = 48
    /// The longest window on each side of a treatment's start.
    public static let treatmentWindowDays = 28
    /// The shortest window worth comparing.
    public static let minimumWindowDays = 7
}

extension JournalDays {
    /// Every insight for the days `first`…`last`: sleep, stress, triggers before flare-ups, and
    /// one per treatment started and per dose changed in the period.
    public func insights(from first: Day, to last: Day) -> [Insight] {
        let records = records(from: first, to: last)
        return [sleepAndNextDayPain(records), stressAndSameDayPain(records), triggersBeforeFlareUps(from: first, to: last)]
            + treatmentChanges(from: first, to: last)
    }

    /// Pain on the day after a short night against the day after a longer one.
    func sleepAndNextDayPain(_ records: [DayRecord]) -> Insight {
        let title = "Sleep and next-day pain"
        let limit = Figure.threshold(InsightRules.shortNightHours)
        let split = FactorSplit(records, factor: \.sleepHours) { $0 < InsightRules.shortNightHours }
        let (short, longer) = (split.with, split.without)
        guard split.enough else {
            return Insight(
                kind: .sleepAndNextDayPain, title: title,
                notEnough: "Not enough data yet: \(nights(short.count)) under \(limit) hours and \(nights(longer.count)) of \(limit) hours or more have pain logged the day after; at least \(InsightRules.minimumEachSide) of each are needed.",
                figures: ["short_nights": Double(short.count), "longer_nights": Double(longer.count)])
        }
        var sentence = "After \(nights(short.count)) under \(limit) hours of sleep, your pain the next day averaged \(Figure.one(short.mean!)); after \(nights(longer.count)) of \(limit) hours or more, \(Figure.one(longer.mean!)): \(split.change)."
        if let r = split.correlation { sentence += " Over all \(nights(split.pairs.count)), \(relation(r, more: "sleep", less: "pain"))." }
        return Insight(
            kind: .sleepAndNextDayPain, title: title, sentence: sentence,
            table: [
                ["Nights", "Count", "Mean pain the day after"],
                ["Under \(limit) h", String(short.count), Figure.one(short.mean!)],
                ["\(limit) h or more", String(longer.count), Figure.one(longer.mean!)],
            ],
            figures: split.figures([
                "short_nights": Double(short.count), "longer_nights": Double(longer.count), "pain_after_short_nights": short.mean!,
                "pain_after_longer_nights": longer.mean!,
            ]))
    }

    /// Pain on high-stress days against the other days.
    func stressAndSameDayPain(_ records: [DayRecord]) -> Insight {
        let title = "Stress and same-day pain"
        let limit = Figure.threshold(InsightRules.highStress)
        let split = FactorSplit(records, factor: \.stress) { $0 >= InsightRules.highStress }
        let (high, lower) = (split.with, split.without)
        guard split.enough else {
            return Insight(
                kind: .stressAndSameDayPain, title: title,
                notEnough: "Not enough data yet: \(Figure.days(high.count)) with stress of \(limit) or more and \(Figure.days(lower.count)) below it have pain logged; at least \(InsightRules.minimumEachSide) of each are needed.",
                figures: ["high_stress_days": Double(high.count), "other_days": Double(lower.count)])
        }
        var sentence = "On \(Figure.days(high.count)) with stress of \(limit) or more out of 10, your pain averaged \(Figure.one(high.mean!)); on \(Figure.days(lower.count)) with less stress, \(Figure.one(lower.mean!)): \(split.change)."
        if let r = split.correlation { sentence += " Over all \(Figure.days(split.pairs.count)), \(relation(r, more: "stress", less: "pain"))." }
        return Insight(
            kind: .stressAndSameDayPain, title: title, sentence: sentence,
            table: [
                ["Days", "Count", "Mean pain"],
                ["Stress \(limit) or more", String(high.count), Figure.one(high.mean!)],
                ["Stress under \(limit)", String(lower.count), Figure.one(lower.mean!)],
            ],
            figures: split.figures([
                "high_stress_days": Double(high.count), "other_days": Double(lower.count), "pain_on_high_stress_days": high.mean!,
                "pain_on_other_days": lower.mean!,
            ]))
    }

    /// Which triggers were logged in the 48 hours before each flare-up began, against how
    /// often they were logged on days away from flare-ups.
    func triggersBeforeFlareUps(from first: Day, to last: Day) -> Insight {
        let title = "Triggers before flare-ups"
        let flareUps = flareUps(from: first, to: last)
        // Days away from flare-ups: logged, not a flare-up day, not one of the two days before one.
        var nearFlareUps = Set<Int>()
        for flareUp in self.flareUps(from: first.adding(days: -2) ?? first, to: last.adding(days: 2) ?? last) {
            for number in (flareUp.first.number - 2)...flareUp.last.number { nearFlareUps.insert(number) }
        }
        let otherDays = records(from: first, to: last).filter { !$0.flare && !nearFlareUps.contains($0.day.number) }
        guard flareUps.count >= InsightRules.minimumFlareUps, otherDays.count >= InsightRules.minimumEachSide else {
            return Insight(
                kind: .triggersBeforeFlareUps, title: title,
                notEnough: "Not enough data yet: \(count(flareUps.count, "flare-up")) began in this period, with \(Figure.days(otherDays.count)) logged away from flare-ups; at least \(InsightRules.minimumFlareUps) flare-ups and \(InsightRules.minimumEachSide) other days are needed.",
                figures: ["flare_ups": Double(flareUps.count), "other_days": Double(otherDays.count)])
        }
        var before: [Term: Int] = [:]
        for flareUp in flareUps {
            guard let onset = flareUp.onset else { continue }
            let start = onset.secondsSince1970 - InsightRules.hoursBeforeFlareUp * 3600
            var seen = Set<Term>()
            for log in triggerLogs where log.at.secondsSince1970 >= start && log.at.secondsSince1970 <= onset.secondsSince1970 {
                seen.formUnion(log.triggers)
            }
            for trigger in seen { before[trigger, default: 0] += 1 }
        }
        var elsewhere: [Term: Int] = [:]
        for day in otherDays { for trigger in day.triggers { elsewhere[trigger, default: 0] += 1 } }
        let rows = Set(before.keys).union(elsewhere.keys).map { trigger in
            (trigger, before[trigger] ?? 0, elsewhere[trigger] ?? 0)
        }.sorted { lhs, rhs in
            let (l, r) = (share(lhs.1, flareUps.count) - share(lhs.2, otherDays.count), share(rhs.1, flareUps.count) - share(rhs.2, otherDays.count))
            return l != r ? l > r : lhs.0 < rhs.0
        }
        var figures: [String: Double] = ["flare_ups": Double(flareUps.count), "other_days": Double(otherDays.count)]
        for (trigger, flares, others) in rows {
            let key = trigger.text.map { $0.isLetter || $0.isNumber ? $0 : "_" }
            figures["before_flare_ups." + String(key)] = Double(flares)
            figures["other_days." + String(key)] = Double(others)
        }
        let standouts = rows.filter { share($0.1, flareUps.count) > share($0.2, otherDays.count) && $0.1 > 0 }
        let sentence: String
        if standouts.isEmpty {
            sentence = "No suspected trigger was logged more often in the 48 hours before your \(flareUps.count) flare-ups than on other days."
        } else {
            let named = standouts.prefix(3).map { trigger, flares, others in
                "\(trigger.text) before \(Figure.part(flares, of: flareUps.count)) against \(others) of \(otherDays.count) other days (\(Figure.percent(share(others, otherDays.count))))"
            }
            sentence = "In the 48 hours before your \(flareUps.count) flare-ups, you had logged " + list(named) + "."
        }
        return Insight(
            kind: .triggersBeforeFlareUps, title: title, sentence: sentence,
            table: [["Trigger", "Before flare-ups", "Other days"]] + rows.map { trigger, flares, others in
                [trigger.text, Figure.part(flares, of: flareUps.count), Figure.part(others, of: otherDays.count)]
            },
            figures: figures)
    }

    /// For each treatment started in the period, and each dose change in it: pain, fatigue and
    /// flare-up days over equal windows before and after.
    func treatmentChanges(from first: Day, to last: Day) -> [Insight] {
        guard let span else { return [] }
        var insights: [Insight] = []
        for course in treatments {
            let name = course.treatment.name
            if let start = course.treatment.started?.day, start >= first, start <= last {
                insights.append(
                    beforeAndAfter(start, span: span, last: last, kind: .treatmentStart, subject: name, title: "Since \(name) started",
                                   event: "\(name) started on \(start)"))
            }
            for change in course.doseChanges where change.at.day >= first && change.at.day <= last {
                let day = change.at.day
                insights.append(
                    beforeAndAfter(day, span: span, last: last, kind: .doseChange, subject: name, title: "Since \(name) went to \(change.dose)",
                                   event: "\(name) went \(change.from.map { "from \($0) " } ?? "")to \(change.dose) on \(day)"))
            }
        }
        return insights
    }

    /// Pain, fatigue and flare-up days over equal windows before `day` and from it on, the
    /// windows as long as the journal allows up to `InsightRules.treatmentWindowDays`.
    private func beforeAndAfter(
        _ day: Day, span: ClosedRange<Day>, last: Day, kind: Insight.Kind, subject: String, title: String, event: String
    ) -> Insight {
        let end = min(last, span.upperBound)
        let window = min(InsightRules.treatmentWindowDays, day.days(since: span.lowerBound), end.days(since: day) + 1)
        guard window >= InsightRules.minimumWindowDays,
            let beforeFirst = day.adding(days: -window), let beforeLast = day.adding(days: -1), let afterLast = day.adding(days: window - 1)
        else {
            return Insight(
                kind: kind, subject: subject, title: title,
                notEnough: "Not enough data yet: \(event); comparing needs at least \(InsightRules.minimumWindowDays) journal days before and after it (there are \(max(0, day.days(since: span.lowerBound))) before and \(max(0, end.days(since: day) + 1)) from it on).")
        }
        let before = records(from: beforeFirst, to: beforeLast)
        let after = records(from: day, to: afterLast)
        let pain = Comparison(Sample(before.compactMap(\.pain)), Sample(after.compactMap(\.pain)))
        let fatigue = Comparison(Sample(before.compactMap(\.fatigue)), Sample(after.compactMap(\.fatigue)))
        let flaresBefore = before.filter(\.flare).count
        let flaresAfter = after.filter(\.flare).count
        guard pain.first.count >= InsightRules.minimumEachSide, pain.second.count >= InsightRules.minimumEachSide else {
            return Insight(
                kind: kind, subject: subject, title: title,
                notEnough: "Not enough data yet: in the \(window) days before and after \(event), pain was logged on \(Figure.days(pain.first.count)) before and \(Figure.days(pain.second.count)) after; at least \(InsightRules.minimumEachSide) on each side are needed.")
        }
        var sentence = "In the \(window) days after \(event), your pain averaged \(Figure.one(pain.second.mean!)) against \(Figure.one(pain.first.mean!)) in the \(window) days before: \(Figure.change(pain.difference!)) (\(Figure.interval(pain.interval)))."
        if let difference = fatigue.difference {
            sentence += " Fatigue: \(Figure.one(fatigue.second.mean!)) against \(Figure.one(fatigue.first.mean!)), \(Figure.change(difference))."
        }
        sentence += " Flare-up days: \(flaresAfter) after, \(flaresBefore) before. This compares two periods; it cannot show what caused a difference."
        var figures: [String: Double] = [
            "window_days": Double(window), "pain_before": pain.first.mean!, "pain_after": pain.second.mean!, "pain_difference": pain.difference!,
            "flare_days_before": Double(flaresBefore), "flare_days_after": Double(flaresAfter),
            "days_logged_before": Double(before.count), "days_logged_after": Double(after.count),
        ]
        figures["pain_interval_low"] = pain.interval?.lowerBound
        figures["pain_interval_high"] = pain.interval?.upperBound
        figures["fatigue_before"] = fatigue.first.mean
        figures["fatigue_after"] = fatigue.second.mean
        figures["fatigue_difference"] = fatigue.difference
        return Insight(
            kind: kind, subject: subject, title: title, sentence: sentence,
            table: [
                ["", "\(window) days before", "\(window) days after", "Difference"],
                ["Mean pain", Figure.one(pain.first.mean!), Figure.one(pain.second.mean!), "\(Figure.change(pain.difference!)) (\(Figure.interval(pain.interval)))"],
                ["Mean fatigue", Figure.optional(fatigue.first.mean), Figure.optional(fatigue.second.mean),
                 fatigue.difference.map { "\(Figure.change($0)) (\(Figure.interval(fatigue.interval)))" } ?? "–"],
                ["Flare-up days", String(flaresBefore), String(flaresAfter), flaresAfter == flaresBefore ? "same" : flaresAfter > flaresBefore ? "\(flaresAfter - flaresBefore) more" : "\(flaresBefore - flaresAfter) fewer"],
                ["Days logged", String(before.count), String(after.count), ""],
            ],
            figures: figures)
    }
}

/// The days with both a factor (sleep, stress) and pain, split into those where `has` holds
/// and the rest: the pain of each side compared, and the factor's correlation with pain.
private struct FactorSplit {
    let pairs: [(Double, Double)]
    let with: Sample
    let without: Sample

    init(_ records: [DayRecord], factor: (DayRecord) -> Double?, has: (Double) -> Bool) {
        pairs = records.compactMap { record in factor(record).flatMap { value in record.pain.map { (value, $0) } } }
        with = Sample(pairs.filter { has($0.0) }.map(\.1))
        without = Sample(pairs.filter { !has($0.0) }.map(\.1))
    }

    var enough: Bool { with.count >= InsightRules.minimumEachSide && without.count >= InsightRules.minimumEachSide }

    /// Pain with the factor against without it.
    var comparison: Comparison { Comparison(without, with) }

    var correlation: Double? { FlareInsights.correlation(pairs) }

    /// "2.1 higher (95% interval 1.2 to 2.9 higher)".
    var change: String { "\(Figure.change(comparison.difference!)) (\(Figure.interval(comparison.interval)))" }

    /// `named` with the difference, its interval and the correlation added.
    func figures(_ named: [String: Double]) -> [String: Double] {
        var figures = named
        figures["difference"] = comparison.difference
        figures["correlation"] = correlation
        figures["interval_low"] = comparison.interval?.lowerBound
        figures["interval_high"] = comparison.interval?.upperBound
        return figures
    }
}

private func share(_ part: Int, _ whole: Int) -> Double { whole == 0 ? 0 : Double(part) / Double(whole) }

private func nights(_ count: Int) -> String { count == 1 ? "1 night" : "\(count) nights" }

private func count(_ number: Int, _ noun: String) -> String { number == 1 ? "1 \(noun)" : "\(number) \(noun)s" }

private func list(_ parts: [String]) -> String {
    switch parts.count {
    case 0: return ""
    case 1: return parts[0]
    default: return parts.dropLast().joined(separator: "; ") + "; and " + parts.last!
    }
}

/// Pearson's r in words: "more sleep went with less pain (r = −0.62, a strong relation)".
private func relation(_ r: Double, more: String, less: String) -> String {
    let size = abs(r)
    let strength = size < 0.1 ? "no clear" : size < 0.3 ? "a weak" : size < 0.5 ? "a moderate" : "a strong"
    let value = "r = \(String(format: "%.2f", r))"
    if size < 0.1 { return "\(more) and \(less) showed no clear relation (\(value))" }
    let direction = r > 0 ? "more" : "less"
    return "more \(more) went with \(direction) \(less) (\(value), \(strength) relation)"
}
