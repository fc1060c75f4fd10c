/// How a field's wire bytes become a model value and back. Every transform has an exact inverse.
package enum Transform: Sendable {
    /// Text without trailing spaces ↔ left-justified, space-padded; a variable-length field is carried byte for
    /// byte, trailing spaces included.
    case text
    /// Digits as a string, leading zeros kept ↔ right-justified, zero-filled.
    case digits
    /// A JSON number ↔ zero-filled digits.
    case integer
    /// `"125.50"` ↔ whole cents, zero-filled, optional leading sign.
    case money
    /// `"2026-11-25"` ↔ `20261125`; zeros ↔ absent.
    case date
    /// A code table name ↔ its wire code.
    case codes(CodeTable)
    /// A complete embedded message ↔ its own model object.
    case embedded

    /// The name used in mapping files.
    package var name: String {
        switch self {
        case .text: return "text"
        case .digits: return "digits"
        case .integer: return "integer"
        case .money: return "money"
        case .date: return "date"
        case .codes(let table): return "codes \(table.name)"
        case .embedded: return "embedded"
        }
    }

    /// The transform a field gets when its rule names none.
    package static func defaultFor(_ field: LayoutField) -> Transform {
        if field.isEmbedded { return .embedded }
        switch field.type {
        case .numeric: return .digits
        case .money: return .money
        case .date: return .date
        case .alpha, .alphanumeric, .alphaExtended, .alphanumericExtended: return .text
        }
    }

    /// Whether an empty field is left out of the model unless the rule says otherwise.
    package var omitsEmptyByDefault: Bool {
        switch self {
        case .text, .date, .codes, .embedded: return true
        case .digits, .integer, .money: return false
        }
    }
}

/// A value written in a mapping file (`default:`), in the form the model would carry it.
package enum ModelLiteral: Sendable {
    case string([UInt8])
    case number([UInt8])
}
