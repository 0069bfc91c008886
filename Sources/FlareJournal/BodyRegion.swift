/// The 19 regions of the Widespread Pain Index (ACR 2010/2016 fibromyalgia criteria): the
/// journal's canonical words for where pain is. Other words people use ("shoulders", "thighs",
/// "lower back") map onto them through `BodyRegion.regions(for:)`.
public enum BodyRegion: String, CaseIterable, Sendable, Comparable {
    case leftJaw = "left jaw"
    case rightJaw = "right jaw"
    case leftShoulderGirdle = "left shoulder girdle"
    case rightShoulderGirdle = "right shoulder girdle"
    case leftUpperArm = "left upper arm"
    case rightUpperArm = "right upper arm"
    case leftLowerArm = "left lower arm"
    case rightLowerArm = "right lower arm"
    case leftHip = "left hip"
    case rightHip = "right hip"
    case leftUpperLeg = "left upper leg"
    case rightUpperLeg = "right upper leg"
    case leftLowerLeg = "left lower leg"
    case rightLowerLeg = "right lower leg"
    case neck
    case upperBack = "upper back"
    case lowerBack = "lower back"
    case chest
    case abdomen

    public static func < (lhs: BodyRegion, rhs: BodyRegion) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Places people log pain that the index does not count: they are kept and shown, never
    /// scored.
    public static let otherPlaces = ["head", "hands", "feet", "knees"]

    /// The word for pain everywhere at once. It names no region, so the index does not count it.
    public static let widespread = "widespread"

    /// Common words and the regions they mean; each canonical name also means itself.
    public static let aliases: [String: Set<BodyRegion>] = {
        var aliases: [String: Set<BodyRegion>] = [:]
        for region in allCases { aliases[region.rawValue] = [region] }
        func both(_ words: [String], _ left: BodyRegion, _ right: BodyRegion) {
            for word in words { aliases[word] = [left, right] }
            for word in words {
                let singular = word.hasSuffix("s") ? String(word.dropLast()) : word
                aliases["left " + singular] = [left]
                aliases["right " + singular] = [right]
            }
        }
        both(["jaw", "jaws"], .leftJaw, .rightJaw)
        both(["shoulders", "shoulder girdles"], .leftShoulderGirdle, .rightShoulderGirdle)
        both(["upper arms"], .leftUpperArm, .rightUpperArm)
        both(["lower arms", "forearms"], .leftLowerArm, .rightLowerArm)
        both(["hips", "buttocks"], .leftHip, .rightHip)
        both(["thighs", "upper legs"], .leftUpperLeg, .rightUpperLeg)
        both(["calves", "lower legs", "shins"], .leftLowerLeg, .rightLowerLeg)
        aliases["shoulder"] = [.leftShoulderGirdle, .rightShoulderGirdle]
        aliases["left shoulder"] = [.leftShoulderGirdle]
        aliases["right shoulder"] = [.rightShoulderGirdle]
        aliases["left calf"] = [.leftLowerLeg]
        aliases["right calf"] = [.rightLowerLeg]
        aliases["left thigh"] = [.leftUpperLeg]
        aliases["right thigh"] = [.rightUpperLeg]
        aliases["arms"] = [.leftUpperArm, .rightUpperArm, .leftLowerArm, .rightLowerArm]
        aliases["legs"] = [.leftUpperLeg, .rightUpperLeg, .leftLowerLeg, .rightLowerLeg]
        aliases["back"] = [.upperBack, .lowerBack]
        aliases["stomach"] = [.abdomen]
        aliases["belly"] = [.abdomen]
        return aliases
    }()

    /// The index regions `term` names: none for `widespread`, for the other places and for a
    /// word Flare does not know.
    public static func regions(for term: Term) -> Set<BodyRegion> { aliases[term.text] ?? [] }

    /// Whether Flare knows `term` as a place: an index region, an alias of some, one of
    /// `otherPlaces`, or `widespread`.
    public static func isKnown(_ term: Term) -> Bool {
        aliases[term.text] != nil || otherPlaces.contains(term.text) || term.text == widespread
    }
}
