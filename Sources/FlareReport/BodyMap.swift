import FlareInsights
import FlareJournal

/// Where pain was logged, by share of days, on the 19 regions of the Widespread Pain Index:
/// a front view (the person's right on the viewer's left, as a clinician sees them) and a back
/// view for the back regions. Darker means more of the days.
struct BodyMap {
    /// Each region's share of the days with a place logged (0…1).
    let shares: [BodyRegion: Double]

    /// A shape in the front or back view.
    enum Shape {
        case rect(x: Double, y: Double, width: Double, height: Double)
        case ellipse(cx: Double, cy: Double, rx: Double, ry: Double)

        /// The element with `attributes` and `content` (a `<title>`, say) inside it.
        func element(_ attributes: String, _ content: String = "") -> String {
            let (tag, geometry): (String, String)
            switch self {
            case .rect(let x, let y, let width, let height):
                (tag, geometry) = ("rect", "x=\"\(coordinate(x))\" y=\"\(coordinate(y))\" width=\"\(coordinate(width))\" height=\"\(coordinate(height))\" rx=\"5\"")
            case .ellipse(let cx, let cy, let rx, let ry):
                (tag, geometry) = ("ellipse", "cx=\"\(coordinate(cx))\" cy=\"\(coordinate(cy))\" rx=\"\(coordinate(rx))\" ry=\"\(coordinate(ry))\"")
            }
            return content.isEmpty ? "<\(tag) \(geometry) \(attributes)/>" : "<\(tag) \(geometry) \(attributes)>\(content)</\(tag)>"
        }

        var center: (Double, Double) {
            switch self {
            case .rect(let x, let y, let width, let height): return (x + width / 2, y + height / 2)
            case .ellipse(let cx, let cy, _, _): return (cx, cy)
            }
        }
    }

    /// The front view: the person's right side is drawn on the left.
    static let front: [(BodyRegion, Shape)] = [
        (.rightJaw, .ellipse(cx: 92, cy: 50, rx: 8, ry: 5)),
        (.leftJaw, .ellipse(cx: 108, cy: 50, rx: 8, ry: 5)),
        (.neck, .rect(x: 91, y: 57, width: 18, height: 12)),
        (.rightShoulderGirdle, .rect(x: 58, y: 70, width: 40, height: 14)),
        (.leftShoulderGirdle, .rect(x: 102, y: 70, width: 40, height: 14)),
        (.chest, .rect(x: 72, y: 86, width: 56, height: 40)),
        (.abdomen, .rect(x: 74, y: 128, width: 52, height: 36)),
        (.rightUpperArm, .rect(x: 50, y: 86, width: 18, height: 52)),
        (.leftUpperArm, .rect(x: 132, y: 86, width: 18, height: 52)),
        (.rightLowerArm, .rect(x: 44, y: 140, width: 18, height: 52)),
        (.leftLowerArm, .rect(x: 138, y: 140, width: 18, height: 52)),
        (.rightHip, .rect(x: 72, y: 166, width: 27, height: 24)),
        (.leftHip, .rect(x: 101, y: 166, width: 27, height: 24)),
        (.rightUpperLeg, .rect(x: 72, y: 192, width: 26, height: 60)),
        (.leftUpperLeg, .rect(x: 102, y: 192, width: 26, height: 60)),
        (.rightLowerLeg, .rect(x: 74, y: 254, width: 23, height: 58)),
        (.leftLowerLeg, .rect(x: 103, y: 254, width: 23, height: 58)),
    ]

    /// The back view, beside the front one.
    static let back: [(BodyRegion, Shape)] = [
        (.upperBack, .rect(x: 272, y: 72, width: 56, height: 52)),
        (.lowerBack, .rect(x: 274, y: 126, width: 52, height: 38)),
    ]

    /// The outline of the back view's other parts, not scored there.
    static let backOutline: [Shape] = [
        .ellipse(cx: 300, cy: 34, rx: 17, ry: 21), .rect(x: 291, y: 57, width: 18, height: 12), .rect(x: 258, y: 70, width: 84, height: 14),
        .rect(x: 250, y: 86, width: 18, height: 52), .rect(x: 332, y: 86, width: 18, height: 52),
        .rect(x: 272, y: 166, width: 56, height: 24), .rect(x: 272, y: 192, width: 26, height: 60), .rect(x: 302, y: 192, width: 26, height: 60),
    ]

    var svg: String {
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 400 330\" role=\"img\" aria-labelledby=\"body-title\" class=\"body-map\">"
        svg += "<title id=\"body-title\">Where pain was logged, by share of days, on the 19 Widespread Pain Index regions</title>"
        svg += "<ellipse cx=\"100\" cy=\"34\" rx=\"17\" ry=\"21\" class=\"outline\"/>"
        for shape in Self.backOutline { svg += shape.element("class=\"outline\"") }
        for (region, shape) in Self.front + Self.back {
            let share = shares[region] ?? 0
            svg += shape.element(
                "class=\"region\" fill-opacity=\"\(coordinate(0.08 + 0.92 * share))\"", "<title>\(escaped(region.rawValue)): \(Figure.percent(share)) of days</title>")
            if share > 0 {
                let (x, y) = shape.center
                let style = share > 0.5 ? "share light" : "share"
                svg += "<text x=\"\(coordinate(x))\" y=\"\(coordinate(y + 3))\" text-anchor=\"middle\" class=\"\(style)\">\(Figure.percent(share))</text>"
            }
        }
        svg += "<text x=\"100\" y=\"326\" text-anchor=\"middle\" class=\"tick\">Front (their right on the left)</text>"
        svg += "<text x=\"300\" y=\"326\" text-anchor=\"middle\" class=\"tick\">Back</text>"
        svg += "<text x=\"62\" y=\"20\" class=\"tick\">R</text><text x=\"134\" y=\"20\" class=\"tick\">L</text>"
        return svg + "</svg>"
    }
}
