/// A layout's fields and groups as plain values, for the decoder's and writer's inner loops.
package final class LayoutTables: Sendable {
    /// One field as the hot loops need it.
    package struct Field: BitwiseCopyable {
        package var width: Int32
        /// The field holding this field's length, or -1.
        package var lengthSource: Int32
        /// The group, or -1 at the root.
        package var group: Int32
        package var type: FieldType
        package var role: Role
        /// The group (count, flag) or field (length) a computed field describes.
        package var roleTarget: Int32
        package var fill: UInt8
        package var isFiller: Bool
        package var isEmbedded: Bool
    }

    package enum Role: UInt8, BitwiseCopyable {
        case data, messageLength, count, flag, length
    }

    package struct Group: BitwiseCopyable {
        package var minimum: Int32
        package var maximum: Int32
        package var control: Int32
        package var firstField: Int32
        package var fieldCount: Int32
    }

    package let fields: FlatTable<Field>
    package let groups: FlatTable<Group>
    /// Root items in order: a field index, or `-(group + 1)`.
    package let items: FlatTable<Int32>
    /// The most field spans one message can hold: every root field once, every group at its maximum count.
    package let maximumSpanCount: Int

    init(fields layoutFields: [LayoutField], groups layoutGroups: [LayoutGroup], items layoutItems: [LayoutItem]) {
        fields = FlatTable(
            layoutFields.map { field in
                let (role, target): (Role, Int) =
                    switch field.role {
                    case .data: (.data, -1)
                    case .messageLength: (.messageLength, -1)
                    case .count(let group): (.count, group)
                    case .flag(let group): (.flag, group)
                    case .length(let of): (.length, of)
                    }
                return Field(
                    width: Int32(field.width), lengthSource: Int32(field.lengthSource ?? -1),
                    group: Int32(field.group ?? -1), type: field.type, role: role, roleTarget: Int32(target),
                    fill: field.fill, isFiller: field.isFiller, isEmbedded: field.isEmbedded)
            })
        groups = FlatTable(
            layoutGroups.map { group in
                let (minimum, maximum): (Int, Int) =
                    switch group.kind {
                    case .repeating(let minimum, let maximum): (minimum, maximum)
                    case .conditional: (0, 1)
                    }
                return Group(
                    minimum: Int32(minimum), maximum: Int32(maximum),
                    control: Int32(group.control), firstField: Int32(group.fields.lowerBound),
                    fieldCount: Int32(group.fields.count))
            })
        maximumSpanCount =
            layoutFields.filter { $0.group == nil }.count
            + layoutGroups.reduce(0) { $0 + $1.maximumCount * $1.fields.count }
        items = FlatTable(
            layoutItems.map { item in
                switch item {
                case .field(let index): Int32(index)
                case .group(let index): Int32(-(index + 1))
                }
            })
    }
}
