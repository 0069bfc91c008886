import Foundation

/// A set of daily values (pain on the days after short nights, say) and what the insights
/// need of it. Hand-written: no maintained Swift statistics library is in the package mirror,
/// and the report needs only means, spreads, Welch intervals and Pearson's r.
public struct Sample: Equatable, Sendable {
    public let values: [Double]

    public init(_ values: [Double]) { self.values = values }

    public var count: Int { values.count }

    /// The arithmetic mean; nil when empty.
    public var mean: Double? { values.isEmpty ? nil : values.reduce(0, +) / Double(values.count) }

    /// The sample variance (n − 1 in the denominator); nil below two values.
    public var variance: Double? {
        guard values.count >= 2, let mean else { return nil }
        return values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
    }
}

/// Two samples compared: the difference of their means (`second − first`) with a 95%
/// interval from Welch's t (unequal variances, Welch–Satterthwaite degrees of freedom).
public struct Comparison: Equatable, Sendable {
    public let first: Sample
    public let second: Sample

    public init(_ first: Sample, _ second: Sample) {
        self.first = first
        self.second = second
    }

    /// `second.mean − first.mean`; nil if either is empty.
    public var difference: Double? {
        guard let a = first.mean, let b = second.mean else { return nil }
        return b - a
    }

    /// The 95% interval of `difference`; nil below two values on either side. When both
    /// samples have no spread at all the interval is the difference itself.
    public var interval: ClosedRange<Double>? {
        guard let difference, let va = first.variance, let vb = second.variance else { return nil }
        let (na, nb) = (Double(first.count), Double(second.count))
        let squaredError = va / na + vb / nb
        guard squaredError > 0 else { return difference...difference }
        let freedom = squaredError * squaredError / ((va / na) * (va / na) / (na - 1) + (vb / nb) * (vb / nb) / (nb - 1))
        let margin = Self.tQuantile975(degreesOfFreedom: freedom) * squaredError.squareRoot()
        return (difference - margin)...(difference + margin)
    }

    /// The 0.975 quantile of Student's t: exact table values up to 30 degrees of freedom
    /// (linearly interpolated), then the Cornish–Fisher expansion around the normal quantile.
    static func tQuantile975(degreesOfFreedom freedom: Double) -> Double {
        let table: [Double] = [
            12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
            2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
        ]
        let df = max(1, freedom)
        if df <= 30 {
            let lower = Int(df.rounded(.down))
            let upper = min(lower + 1, 30)
            let fraction = df - Double(lower)
            return table[lower - 1] + (table[upper - 1] - table[lower - 1]) * fraction
        }
        let z = 1.959964
        let z3 = z * z * z
        let z5 = z3 * z * z
        return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df * df)
    }
}

/// Pearson's correlation of paired values; nil below three pairs or without spread.
public func correlation(_ pairs: [(Double, Double)]) -> Double? {
    guard pairs.count >= 3 else { return nil }
    let n = Double(pairs.count)
    let mx = pairs.reduce(0) { $0 + $1.0 } / n
    let my = pairs.reduce(0) { $0 + $1.1 } / n
    var (sxy, sxx, syy) = (0.0, 0.0, 0.0)
    for (x, y) in pairs {
        sxy += (x - mx) * (y - my)
        sxx += (x - mx) * (x - mx)
        syy += (y - my) * (y - my)
    }
    guard sxx > 0, syy > 0 else { return nil }
    return sxy / (sxx * syy).squareRoot()
}
