/// A tooth in FDI (ISO 3950) two-digit notation: quadrant then position.
///
/// Permanent teeth are 11–18, 21–28, 31–38 and 41–48; primary (deciduous) teeth 51–55, 61–65, 71–75 and
/// 81–85. The JSON form is the two digits as a string (`"36"`), as for claims.
public struct ToothNumber: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The FDI number, such as 36.
    public let number: Int

    /// A tooth, or nil when `number` is not an FDI tooth.
    public init?(_ number: Int) {
        let quadrant = number / 10
        let position = number % 10
        switch quadrant {
        case 1...4: guard (1...8).contains(position) else { return nil }
        case 5...8: guard (1...5).contains(position) else { return nil }
        default: return nil
        }
        self.number = number
    }

    /// A tooth from its two digits (`"36"`), or nil.
    public init?(_ text: String) {
        guard text.utf8.count == 2, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = Int(text) else {
            return nil
        }
        self.init(value)
    }

    /// Whether this is a primary (deciduous) tooth, 51–85.
    public var isPrimary: Bool { number >= 51 }

    /// The two digits.
    public var description: String { String(number) }

    /// The rule, in words, for error messages.
    static let rule = "must be an FDI tooth number: 11–18, 21–28, 31–38, 41–48, or primary 51–55, 61–65, 71–75, 81–85"

    /// Decodes the two digits from a JSON string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let tooth = ToothNumber(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: Self.rule)
        }
        self = tooth
    }

    /// Encodes the two digits as a JSON string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
