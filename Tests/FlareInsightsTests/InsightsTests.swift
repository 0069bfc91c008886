import FlareInsights
import FlareJournal
import Testing

/// A small fixed journal and the statistics computed from it by hand (the comments show the
/// arithmetic), including the cases with too little data.
@Suite struct InsightsTests {
    static func day(_ text: String) -> Day { try! Day(parsing: text) }

    /// Noon UTC of `day`, plus `hours`.
    static func moment(_ day: String, hours: Int64 = 0) -> Moment {
        try! Moment(secondsSince1970: Int64(Self.day(day).number) * 86_400 + 43_200 + hours * 3600, utcOffsetMinutes: 0)
    }

    static func rating(_ value: Int?) -> Rating? { value.map { try! Rating($0, field: "test") } }

    static func terms(_ words: [String]) -> Set<Term> { Set(words.map { try! Term($0, field: "test") }) }

    static func checkIn(_ day: String, pain: Int?, sleep: Double? = nil, stress: Int? = nil) -> CheckIn {
        try! CheckIn(day: Self.day(day), pain: rating(pain), sleepHours: sleep, stress: rating(stress))
    }

    static func entry(
        _ day: String, hours: Int64 = 0, pain: Int? = nil, fatigue: Int? = nil, regions: [String] = [], flare: Bool = false,
        triggers: [String] = [], cognitive: Int? = nil, sleepQuality: Int? = nil
    ) -> SymptomEntry {
        try! SymptomEntry(
            at: moment(day, hours: hours), pain: rating(pain), regions: terms(regions), fatigue: rating(fatigue),
            cognitiveFatigue: rating(cognitive), sleepQuality: rating(sleepQuality), flare: flare, triggers: terms(triggers))
    }

    /// Seven days, 2026-01-05 to 2026-01-11: nights under 6 h on the first three.
    static let week: [CheckIn] = [
        checkIn("2026-01-05", pain: 6, sleep: 5, stress: 7),
        checkIn("2026-01-06", pain: 7, sleep: 5.5, stress: 3),
        checkIn("2026-01-07", pain: 8, sleep: 4, stress: 8),
        checkIn("2026-01-08", pain: 3, sleep: 7, stress: 2),
        checkIn("2026-01-09", pain: 2, sleep: 8, stress: 6),
        checkIn("2026-01-10", pain: 4, sleep: 7.5, stress: 5),
        checkIn("2026-01-11", pain: 3, sleep: 6, stress: 1),
    ]

    static func insight(_ kind: Insight.Kind, _ days: JournalDays, _ from: String, _ to: String) -> Insight {
        days.insights(from: day(from), to: day(to)).first { $0.kind == kind }!
    }

    @Test func sleepAgainstNextDayPain() throws {
        let found = Self.insight(.sleepAndNextDayPain, JournalDays(symptoms: [], checkIns: Self.week), "2026-01-05", "2026-01-11")
        #expect(found.enoughData)
        // Short nights 5, 5.5, 4 h: pain 6, 7, 8, mean 7, variance 1. Longer nights 7, 8, 7.5, 6 h:
        // pain 3, 2, 4, 3, mean 3, variance 2/3. Difference 4.
        #expect(found.figures["short_nights"] == 3)
        #expect(found.figures["longer_nights"] == 4)
        #expect(found.figures["pain_after_short_nights"] == 7)
        #expect(found.figures["pain_after_longer_nights"] == 3)
        #expect(found.figures["difference"] == 4)
        // Welch: se² = 1/3 + (2/3)/4 = 0.5; df = 0.25 / ((1/3)²/2 + (1/6)²/3) = 3.857;
        // t(0.975, 3.857) = 3.182 + (2.776 − 3.182) × 0.857 = 2.834; margin 2.834 × √0.5 = 2.004.
        let low = try #require(found.figures["interval_low"]), high = try #require(found.figures["interval_high"])
        #expect(abs(low - 1.99606) < 0.0001 && abs(high - 6.00394) < 0.0001, "\(low)…\(high)")
        // Pearson's r of (5,6) (5.5,7) (4,8) (7,3) (8,2) (7.5,4) (6,3): −0.87351.
        #expect(abs(found.figures["correlation"]! + 0.873510) < 0.00001)
        #expect(found.sentence.contains("After 3 nights under 6 hours of sleep, your pain the next day averaged 7.0"))
        #expect(found.sentence.contains("4.0 higher (95% interval 2.0 to 6.0 higher)"))
        #expect(found.table.count == 3)
    }

    @Test func stressAgainstSameDayPain() {
        let found = Self.insight(.stressAndSameDayPain, JournalDays(symptoms: [], checkIns: Self.week), "2026-01-05", "2026-01-11")
        // Stress ≥ 6 on the 5th, 7th and 9th: pain 6, 8, 2, mean 16/3. Under 6: pain 7, 3, 4, 3, mean 4.25.
        #expect(found.enoughData)
        #expect(found.figures["high_stress_days"] == 3)
        #expect(abs(found.figures["pain_on_high_stress_days"]! - 16.0 / 3) < 1e-9)
        #expect(found.figures["pain_on_other_days"] == 4.25)
        #expect(abs(found.figures["difference"]! - (16.0 / 3 - 4.25)) < 1e-9)
    }

    @Test func tooFewDaysOnOneSideSaysWhatIsMissing() {
        // Only the first two short nights and three longer ones: 2 under 6 h is too few.
        let days = JournalDays(symptoms: [], checkIns: Array(Self.week.prefix(2)) + Array(Self.week.suffix(3)))
        let sleep = Self.insight(.sleepAndNextDayPain, days, "2026-01-05", "2026-01-11")
        #expect(!sleep.enoughData)
        #expect(sleep.sentence == "Not enough data yet: 2 nights under 6 hours and 3 nights of 6 hours or more have pain logged the day after; at least 3 of each are needed.")
        #expect(sleep.table.isEmpty)
        // Stress ≥ 6 on the 5th and 9th only.
        let stress = Self.insight(.stressAndSameDayPain, days, "2026-01-05", "2026-01-11")
        #expect(!stress.enoughData)
        #expect(stress.figures["high_stress_days"] == 2)
        // An empty journal has nothing for any insight, and says so.
        let empty = JournalDays(symptoms: [])
        #expect(empty.insights(from: Self.day("2026-01-01"), to: Self.day("2026-03-31")).allSatisfy { !$0.enoughData })
    }

    /// Three flare-ups (Jan 10–11, Jan 20, Jan 30–31), each with "poor sleep" logged within the
    /// 48 hours before it began; "stress" before one of them and on one other day.
    static let flaring: [SymptomEntry] = {
        var entries: [SymptomEntry] = []
        for number in Self.day("2026-01-01").number...Self.day("2026-02-05").number {
            let day = Day(number: number)!.description
            entries.append(entry(day, pain: 3))
        }
        entries += [
            entry("2026-01-09", hours: -2, triggers: ["poor sleep"]),  // 46 h before the first flare entry
            entry("2026-01-10", hours: 1, pain: 8, flare: true), entry("2026-01-11", pain: 7, flare: true),
            entry("2026-01-18", hours: -1, triggers: ["poor sleep", "stress"]),  // two days before: 49 h, outside
            entry("2026-01-19", triggers: ["poor sleep"]),
            entry("2026-01-20", pain: 9, flare: true),
            entry("2026-01-30", triggers: ["poor sleep"]),  // logged on the flare entry itself counts
            entry("2026-01-30", hours: 1, pain: 8, flare: true), entry("2026-01-31", pain: 6, flare: true),
            entry("2026-01-03", triggers: ["stress"]), entry("2026-01-25", triggers: ["long sitting"]),
        ]
        return entries
    }()

    @Test func triggersInTheFortyEightHoursBeforeFlareUps() {
        let days = JournalDays(symptoms: Self.flaring)
        let flareUps = days.flareUps(from: Self.day("2026-01-01"), to: Self.day("2026-02-05"))
        #expect(flareUps.map(\.length) == [2, 1, 2])
        #expect(flareUps.map(\.first.description) == ["2026-01-10", "2026-01-20", "2026-01-30"])
        let found = Self.insight(.triggersBeforeFlareUps, days, "2026-01-01", "2026-02-05")
        #expect(found.enoughData)
        // 36 days; flare-up days 10, 11, 20, 30, 31 and the two days before each (8, 9, 18, 19,
        // 28, 29) are not "other days": 36 − 5 − 6 = 25.
        #expect(found.figures["flare_ups"] == 3)
        #expect(found.figures["other_days"] == 25)
        #expect(found.figures["before_flare_ups.poor_sleep"] == 3)
        #expect(found.figures["other_days.poor_sleep"] == 0)
        // Stress on the 18th was 49 hours before the flare-up of the 20th: outside the window.
        #expect(found.figures["before_flare_ups.stress"] == 0)
        #expect(found.figures["other_days.stress"] == 1)
        #expect(found.figures["other_days.long_sitting"] == 1)
        #expect(found.table[1] == ["poor sleep", "3 of 3 (100%)", "0 of 25 (0%)"])
        #expect(found.sentence == "In the 48 hours before your 3 flare-ups, you had logged poor sleep before 3 of 3 (100%) against 0 of 25 other days (0%).")
        // Two flare-ups are not enough.
        let two = Self.insight(.triggersBeforeFlareUps, days, "2026-01-01", "2026-01-25")
        #expect(!two.enoughData)
        #expect(two.sentence.hasPrefix("Not enough data yet: 2 flare-ups began in this period"))
    }

    @Test func beforeAndAfterATreatmentStarted() throws {
        // Pain 5, 6, 5, 6, 5, 6, 5 in the 7 days before the 8th; 3, 4, 3, 4, 3, 4, 3 from it on.
        var entries: [SymptomEntry] = []
        for (index, pain) in [5, 6, 5, 6, 5, 6, 5, 3, 4, 3, 4, 3, 4, 3].enumerated() {
            entries.append(Self.entry(Day(number: Self.day("2026-03-01").number + index)!.description, pain: pain, flare: index == 2))
        }
        let started = try Treatment(kind: .medication, name: "Duloxetine", dose: "30 mg", started: Self.moment("2026-03-08"))
        let days = JournalDays(symptoms: entries, treatments: [("t-1", started)])
        let found = Self.insight(.treatmentStart, days, "2026-03-01", "2026-03-14")
        #expect(found.enoughData)
        #expect(found.subject == "Duloxetine")
        // Means 38/7 = 5.4286 and 24/7 = 3.4286: 2 lower. Both variances 2/7; df 12;
        // t(0.975, 12) = 2.179; se = √(2 × (2/7)/7) = 0.2857; margin 0.6226.
        #expect(found.figures["window_days"] == 7)
        #expect(abs(found.figures["pain_before"]! - 38.0 / 7) < 1e-9)
        #expect(abs(found.figures["pain_difference"]! + 2) < 1e-9)
        #expect(abs(found.figures["pain_interval_low"]! + 2.62257) < 0.0001)
        #expect(abs(found.figures["pain_interval_high"]! + 1.37743) < 0.0001)
        #expect(found.figures["flare_days_before"] == 1 && found.figures["flare_days_after"] == 0)
        #expect(found.sentence.contains("2.0 lower (95% interval 1.4 to 2.6 lower)"))
        #expect(found.sentence.contains("cannot show what caused"))
        // The same days around a dose change on the 8th give the same comparison, named for it.
        let raised = try DoseChange(treatment: "t-1", at: Self.moment("2026-03-08"), from: "30 mg", dose: "60 mg")
        let earlier = try Treatment(kind: .medication, name: "Duloxetine", dose: "60 mg", started: Self.moment("2026-02-01"))
        let dosed = JournalDays(symptoms: entries, treatments: [("t-1", earlier)], doseChanges: [raised])
        let change = Self.insight(.doseChange, dosed, "2026-03-01", "2026-03-14")
        #expect(change.title == "Since Duloxetine went to 60 mg")
        #expect(change.figures["pain_difference"] == found.figures["pain_difference"])
        #expect(change.sentence.hasPrefix("In the 7 days after Duloxetine went from 30 mg to 60 mg on 2026-03-08, your pain averaged 3.4"))
        let summary = dosed.visitSummary(from: Self.day("2026-03-01"), to: Self.day("2026-03-14")).treatments[0]
        #expect(summary.doseAtStart == "30 mg" && summary.dose == "60 mg" && summary.doseChanges.count == 1)
        // Before the change, the period's dose was the one it replaced.
        #expect(dosed.visitSummary(from: Self.day("2026-03-01"), to: Self.day("2026-03-05")).treatments[0].dose == "30 mg")
        // Started on the journal's first day: nothing before it to compare.
        let first = try Treatment(kind: .medication, name: "Pregabalin", started: Self.moment("2026-03-01"))
        let none = Self.insight(.treatmentStart, JournalDays(symptoms: entries, treatments: [("t-2", first)]), "2026-03-01", "2026-03-14")
        #expect(!none.enoughData)
        #expect(none.sentence.contains("there are 0 before and 14 from it on"))
    }

    @Test func visitSummaryAgainstThePreviousPeriod() {
        let earlier = [Self.checkIn("2025-12-30", pain: 9), Self.checkIn("2026-01-02", pain: 7)]
        let days = JournalDays(
            symptoms: [Self.entry("2026-01-07", pain: 10, flare: true), Self.entry("2026-01-08", pain: 9, flare: true)],
            checkIns: Self.week + earlier)
        let summary = days.visitSummary(from: Self.day("2026-01-05"), to: Self.day("2026-01-11"), questions: ["Why?"])
        #expect(summary.days == 7 && summary.daysLogged == 7)
        // Day means: 6, 7, (8 + 10)/2 = 9, (3 + 9)/2 = 6, 2, 4, 3: 37/7.
        #expect(abs(summary.meanPain! - 37.0 / 7) < 1e-9)
        #expect(summary.worstPain == 10)
        #expect(summary.previousFrom?.description == "2025-12-29" && summary.previousTo?.description == "2026-01-04")
        #expect(summary.previousMeanPain == 8 && summary.previousWorstPain == 9)
        #expect(abs(summary.painChange.difference! - (37.0 / 7 - 8)) < 1e-9)
        #expect(summary.flareDays == 2 && summary.flareUps.map(\.length) == [2])
        #expect(summary.shortNights == 3 && summary.nightsLogged == 7)
        #expect(summary.questions == ["Why?"])
    }

    @Test func widespreadPainIndexAndSeverityItems() {
        let entries = [
            Self.entry("2026-01-09", fatigue: 5, regions: ["shoulders", "lower back"], cognitive: 7, sleepQuality: 8),
            Self.entry("2026-01-10", fatigue: 5, regions: ["left thigh", "head"], cognitive: 7, sleepQuality: 8),
            Self.entry("2026-01-11", regions: ["widespread"]),
            // Eight days before the week's last: outside it.
            Self.entry("2026-01-03", regions: ["neck", "chest"]),
        ]
        let scores = JournalDays(symptoms: entries).criteriaScores(endingOn: Self.day("2026-01-11"))
        #expect(scores.from.description == "2026-01-05")
        // Both shoulder girdles, lower back, left upper leg: 4 of 19; head is not an index region.
        #expect(scores.widespreadPainIndex == 4)
        #expect(scores.regions == Set<BodyRegion>([.leftShoulderGirdle, .rightShoulderGirdle, .lowerBack, .leftUpperLeg]))
        #expect(scores.widespreadOnlyDays == 1)
        // Fatigue mean 5 → moderate 2; sleep quality 8 → unrefreshed 2 → mild 1; cognitive 7 → severe 3.
        #expect(scores.fatigue == 2 && scores.wakingUnrefreshed == 1 && scores.cognitiveSymptoms == 3)
        #expect(scores.severityPart == 6)
        // A week with nothing logged has no index.
        #expect(JournalDays(symptoms: entries).criteriaScores(endingOn: Self.day("2026-02-28")).widespreadPainIndex == nil)
    }

    @Test func dayArithmeticAgreesWithTheCalendar() throws {
        #expect(Self.day("1970-01-01").number == 0)
        #expect(Self.day("2026-11-30").number == 20_787)
        #expect(Self.day("2024-03-01").days(since: Self.day("2024-02-28")) == 2)
        #expect(Day(number: Self.day("0001-01-01").number - 1) == nil)
        #expect(Day(number: Self.day("9999-12-31").number)?.description == "9999-12-31")
        #expect(Day(number: Self.day("9999-12-31").number + 1) == nil)
        #expect(Self.day("2026-11-30").weekday == 1 && Self.day("2026-11-29").weekday == 7)
        #expect(Self.day("2026-12-03").monday.description == "2026-11-30")
        for number in stride(from: Self.day("0001-01-01").number, through: Self.day("9999-12-31").number, by: 997) {
            let day = Day(number: number)!
            #expect(try Day(parsing: day.description).number == number)
        }
    }
}
