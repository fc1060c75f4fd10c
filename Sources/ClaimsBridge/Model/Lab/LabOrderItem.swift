/// One thing a lab makes for an order: a crown, a bridge, a denture, an appliance, a model.
///
/// JSON form: `{"lineNumber":1,"kind":"bridge","material":"zirconia","teeth":[{"tooth":"14","role":"abutment"},
/// {"tooth":"15","role":"pontic"},{"tooth":"16","role":"abutment"}],"shade":{"system":"vitaClassical","value":"A2"}}`.
public struct LabOrderItem: Sendable, Hashable, Codable {
    /// The item's position in the order, from 1.
    public var lineNumber: Int?
    /// What is made.
    public var kind: RestorationKind
    /// What it is made of.
    public var material: LabMaterial?
    /// The teeth involved (FDI); for a bridge, its abutments and pontics.
    public var teeth: [ToothUnit]
    /// The arch, for dentures, guards, aligners and models.
    public var arch: DentalArch?
    /// The shade to match.
    public var shade: Shade?
    /// Design wishes: margins, contours, contacts.
    public var designNotes: String?
    /// Occlusion wishes: clearance, contacts, guidance.
    public var occlusionNotes: String?

    /// An item.
    public init(
        lineNumber: Int? = nil, kind: RestorationKind, material: LabMaterial? = nil, teeth: [ToothUnit] = [],
        arch: DentalArch? = nil, shade: Shade? = nil, designNotes: String? = nil, occlusionNotes: String? = nil
    ) {
        self.lineNumber = lineNumber
        self.kind = kind
        self.material = material
        self.teeth = teeth
        self.arch = arch
        self.shade = shade
        self.designNotes = designNotes
        self.occlusionNotes = occlusionNotes
    }

    private enum CodingKeys: String, CodingKey {
        case lineNumber, kind, material, teeth, arch, shade, designNotes, occlusionNotes
    }

    /// Decodes an item from its JSON form; `teeth` may be left out.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        lineNumber = try c.decodeIfPresent(Int.self, forKey: .lineNumber)
        kind = try c.decode(RestorationKind.self, forKey: .kind)
        material = try c.decodeIfPresent(LabMaterial.self, forKey: .material)
        teeth = try c.decodeList([ToothUnit].self, forKey: .teeth)
        arch = try c.decodeIfPresent(DentalArch.self, forKey: .arch)
        shade = try c.decodeIfPresent(Shade.self, forKey: .shade)
        designNotes = try c.decodeIfPresent(String.self, forKey: .designNotes)
        occlusionNotes = try c.decodeIfPresent(String.self, forKey: .occlusionNotes)
    }

    /// Encodes the JSON form, leaving out what is not given.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(lineNumber, forKey: .lineNumber)
        try c.encode(kind, forKey: .kind)
        try c.encodeIfPresent(material, forKey: .material)
        try c.encodeList(teeth, forKey: .teeth)
        try c.encodeIfPresent(arch, forKey: .arch)
        try c.encodeIfPresent(shade, forKey: .shade)
        try c.encodeIfPresent(designNotes, forKey: .designNotes)
        try c.encodeIfPresent(occlusionNotes, forKey: .occlusionNotes)
    }
}

/// A tooth of an item and what it is in it.
public struct ToothUnit: Sendable, Hashable, Codable {
    /// The FDI tooth number.
    public var tooth: ToothNumber
    /// Restored tooth (the default), or for a bridge an abutment or a pontic.
    public var role: ToothRole?

    /// A tooth of an item.
    public init(tooth: ToothNumber, role: ToothRole? = nil) {
        self.tooth = tooth
        self.role = role
    }
}

/// A shade: the guide and the value in it (`vitaClassical`, `A2`).
public struct Shade: Sendable, Hashable, Codable {
    /// The shade guide.
    public var system: ShadeSystem
    /// The value in that guide, such as `A2` or `2M2`.
    public var value: String

    /// A shade.
    public init(system: ShadeSystem, value: String) {
        self.system = system
        self.value = value
    }
}
