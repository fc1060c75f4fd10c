// Named values of the lab-order model, as they appear in its JSON form (see Docs/lab-orders.md).
// Each is a struct wrapping the name, like the claim model's enumerations, so a name added later decodes
// without breaking anyone's `switch`; `isKnown` says whether this version knows the name.

/// What the lab makes for one item of an order.
public struct RestorationKind: ModelEnumeration {
    /// The name as it appears in the JSON form.
    public let rawValue: String
    /// Wraps a name.
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let crown = RestorationKind(rawValue: "crown")
    public static let bridge = RestorationKind(rawValue: "bridge")
    public static let inlay = RestorationKind(rawValue: "inlay")
    public static let onlay = RestorationKind(rawValue: "onlay")
    public static let veneer = RestorationKind(rawValue: "veneer")
    public static let implantAbutment = RestorationKind(rawValue: "implantAbutment")
    public static let implantCrown = RestorationKind(rawValue: "implantCrown")
    public static let fullDenture = RestorationKind(rawValue: "fullDenture")
    public static let partialDenture = RestorationKind(rawValue: "partialDenture")
    public static let nightGuard = RestorationKind(rawValue: "nightGuard")
    public static let aligner = RestorationKind(rawValue: "aligner")
    public static let model = RestorationKind(rawValue: "model")

    public static let knownValues: [RestorationKind] = [
        .crown, .bridge, .inlay, .onlay, .veneer, .implantAbutment, .implantCrown, .fullDenture, .partialDenture,
        .nightGuard, .aligner, .model,
    ]

    /// Kinds made for whole arches rather than named teeth.
    static let archKinds: Set<RestorationKind> = [.fullDenture, .nightGuard, .aligner, .model]
    /// Kinds that may be made for primary (deciduous) teeth.
    static let primaryToothKinds: Set<RestorationKind> = [.crown, .partialDenture, .model, .nightGuard, .aligner]
}

/// What an item is made of.
public struct LabMaterial: ModelEnumeration {
    /// The name as it appears in the JSON form.
    public let rawValue: String
    /// Wraps a name.
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let zirconia = LabMaterial(rawValue: "zirconia")
    public static let lithiumDisilicate = LabMaterial(rawValue: "lithiumDisilicate")
    public static let porcelainFusedToMetal = LabMaterial(rawValue: "porcelainFusedToMetal")
    public static let goldAlloy = LabMaterial(rawValue: "goldAlloy")
    public static let titanium = LabMaterial(rawValue: "titanium")
    public static let cobaltChrome = LabMaterial(rawValue: "cobaltChrome")
    public static let compositeResin = LabMaterial(rawValue: "compositeResin")
    public static let feldspathicPorcelain = LabMaterial(rawValue: "feldspathicPorcelain")
    public static let pmma = LabMaterial(rawValue: "pmma")
    public static let acrylic = LabMaterial(rawValue: "acrylic")
    public static let thermoplastic = LabMaterial(rawValue: "thermoplastic")
    public static let stone = LabMaterial(rawValue: "stone")
    public static let resin = LabMaterial(rawValue: "resin")

    public static let knownValues: [LabMaterial] = [
        .zirconia, .lithiumDisilicate, .porcelainFusedToMetal, .goldAlloy, .titanium, .cobaltChrome,
        .compositeResin, .feldspathicPorcelain, .pmma, .acrylic, .thermoplastic, .stone, .resin,
    ]
}

/// The shade guide a shade value refers to.
public struct ShadeSystem: ModelEnumeration {
    /// The name as it appears in the JSON form.
    public let rawValue: String
    /// Wraps a name.
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let vitaClassical = ShadeSystem(rawValue: "vitaClassical")
    public static let vita3DMaster = ShadeSystem(rawValue: "vita3DMaster")
    public static let chromascop = ShadeSystem(rawValue: "chromascop")
    public static let other = ShadeSystem(rawValue: "other")

    public static let knownValues: [ShadeSystem] = [.vitaClassical, .vita3DMaster, .chromascop, .other]
}

/// What a tooth is in an item: the restored tooth itself, or for a bridge an abutment or a pontic.
public struct ToothRole: ModelEnumeration {
    /// The name as it appears in the JSON form.
    public let rawValue: String
    /// Wraps a name.
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let restored = ToothRole(rawValue: "restored")
    public static let abutment = ToothRole(rawValue: "abutment")
    public static let pontic = ToothRole(rawValue: "pontic")

    public static let knownValues: [ToothRole] = [.restored, .abutment, .pontic]
}

/// The arch of an appliance or denture.
public struct DentalArch: ModelEnumeration {
    /// The name as it appears in the JSON form.
    public let rawValue: String
    /// Wraps a name.
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let upper = DentalArch(rawValue: "upper")
    public static let lower = DentalArch(rawValue: "lower")
    public static let both = DentalArch(rawValue: "both")

    public static let knownValues: [DentalArch] = [.upper, .lower, .both]
}
