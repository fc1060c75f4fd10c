/// A compiled record layout: the fields of one transaction in wire order, with repeating groups,
/// conditional blocks and variable-length fields resolved to indices.
///
/// Layouts are data (`Mappings/cdanet/v04/01-claim.layout.yaml`); see `Docs/mapping-language.md`.
/// Groups do not nest, so a decoded message is a flat list of field spans (``DecodedRecord``).
package final class RecordLayout: Sendable {
    /// The layout's name, e.g. `cdanet-v04-01`.
    package let name: String
    /// The file it was loaded from.
    package let file: String
    /// The value of the version field (A03) this layout reads, e.g. `04`.
    package let version: String
    /// The transaction code (A04), e.g. `01`.
    package let transaction: String
    /// The human name, e.g. `Claim`.
    package let title: String
    /// Whether messages of this layout are requests (sent by the office) or responses.
    package let isRequest: Bool
    package let fields: [LayoutField]
    package let groups: [LayoutGroup]
    /// Root items in wire order.
    package let items: [LayoutItem]
    /// The index of the message-length field (A07).
    package let lengthField: Int
    /// The byte offset and width of the message-length field.
    package let lengthFieldOffset: Int
    package let lengthFieldWidth: Int
    /// The shortest possible message (every repeat at its minimum, every optional block absent).
    package let minimumLength: Int
    /// The same fields and groups as plain values, for hot loops.
    package let tables: LayoutTables
    /// Which requests a response answers; which numbers a request's sender allocates (`answers:`, `sequence:`).
    package let correlation: TransactionCorrelation

    package init(
        name: String, file: String, version: String, transaction: String, title: String, isRequest: Bool,
        fields: [LayoutField], groups: [LayoutGroup], items: [LayoutItem], lengthField: Int,
        lengthFieldOffset: Int, minimumLength: Int, correlation: TransactionCorrelation = TransactionCorrelation()
    ) {
        self.name = name
        self.file = file
        self.version = version
        self.transaction = transaction
        self.title = title
        self.isRequest = isRequest
        self.fields = fields
        self.groups = groups
        self.items = items
        self.lengthField = lengthField
        self.lengthFieldOffset = lengthFieldOffset
        self.lengthFieldWidth = fields[lengthField].width
        self.minimumLength = minimumLength
        self.tables = LayoutTables(fields: fields, groups: groups, items: items)
        self.correlation = correlation
    }

    /// The index of the root-level field with this ID, or of the field in `group`.
    package func fieldIndex(id: String, group: Int?) -> Int? {
        fields.firstIndex { $0.id == id && $0.group == group && !$0.isFiller }
    }

    /// The index of the group with this name.
    package func groupIndex(name: String) -> Int? {
        groups.firstIndex { $0.name == name }
    }
}

/// One field position in a layout.
package struct LayoutField: Sendable {
    /// What the writer computes for a field instead of taking it from the model.
    package enum Role: Sendable, Equatable {
        case data
        /// The length of the whole message (A07).
        case messageLength
        /// The number of repetitions of a group.
        case count(group: Int)
        /// 1 when a conditional group is present, 0 when not.
        case flag(group: Int)
        /// The byte length of a variable-length field.
        case length(of: Int)
    }

    package var id: String
    package var name: String
    /// The width in bytes; -1 for a variable-length field.
    package var width: Int
    package var type: FieldType
    package var isPersonal: Bool
    package var isFiller: Bool
    /// The byte a filler is written with.
    package var fill: UInt8
    /// The group this field belongs to, or nil at the root.
    package var group: Int?
    /// For a variable-length field: the field holding its length.
    package var lengthSource: Int?
    /// Whether a variable-length field holds a complete embedded message.
    package var isEmbedded: Bool
    package var role: Role
    /// The line in the layout file.
    package var line: Int

    package var isVariable: Bool { width < 0 }

    /// `C06 (Patient last name)`.
    package var label: String { "\(id) (\(name))" }
}

/// A repeating group or a conditional block.
package struct LayoutGroup: Sendable {
    package enum Kind: Sendable, Equatable {
        case repeating(minimum: Int, maximum: Int)
        case conditional
    }

    package var name: String
    package var kind: Kind
    /// The count field (repeating) or flag field (conditional).
    package var control: Int
    /// The group's fields, contiguous in ``RecordLayout/fields``.
    package var fields: Range<Int>
    package var line: Int

    package var maximumCount: Int {
        switch kind {
        case .repeating(_, let maximum): return maximum
        case .conditional: return 1
        }
    }
}

/// A root item of a layout.
package enum LayoutItem: Sendable {
    case field(Int)
    case group(Int)
}
