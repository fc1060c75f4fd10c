/// One field as the dictionary defines it: ID, name, width and type.
package struct FieldDefinition: Sendable {
    package var id: String
    package var name: String
    /// The width in bytes, or nil for a variable-length field.
    package var width: Int?
    package var type: FieldType
    /// Whether the field holds patient or subscriber data, whose value is never printed.
    package var isPersonal: Bool
}

/// The fields of one message family and version (`Mappings/cdanet/v04/fields.yaml`).
package struct FieldDictionary: Sendable {
    package var name: String
    package var file: String
    package var definitions: [String: FieldDefinition]

    /// Loads and checks a dictionary file.
    /// - Throws: ``BridgeError`` (`invalidConfiguration`) with `file:line`.
    package static func load(path: String) throws -> FieldDictionary {
        let root = try ConfigNode.load(path: path)
        try root.expectKeys(["dictionary", "fields"], in: "a field dictionary")
        let name = try root.required("dictionary").string("`dictionary`")
        var definitions: [String: FieldDefinition] = [:]
        for entry in try root.required("fields").entries("`fields`") {
            let spec = entry.value
            try spec.expectKeys(["name", "width", "type", "personal"], in: "field \(entry.key)")
            let widthNode = try spec.required("width")
            let width: Int?
            if widthNode.scalar == "variable" {
                width = nil
            } else {
                let value = try widthNode.int("`width`")
                guard value > 0 else { throw widthNode.error("`width` must be at least 1") }
                width = value
            }
            let typeNode = try spec.required("type")
            guard let type = FieldType(rawValue: try typeNode.string("`type`")) else {
                let known = FieldType.allCases.map(\.rawValue).joined(separator: ", ")
                throw typeNode.error("unknown field type; use one of \(known)")
            }
            if type == .date, width != 8 { throw typeNode.error("a date field is 8 bytes wide (YYYYMMDD)") }
            guard definitions[entry.key] == nil else {
                throw entry.keyNode.error("field \(entry.key) is defined twice")
            }
            definitions[entry.key] = FieldDefinition(
                id: entry.key, name: try spec.required("name").string("`name`"), width: width, type: type,
                isPersonal: try spec["personal"]?.bool("`personal`") ?? false)
        }
        return FieldDictionary(name: name, file: path, definitions: definitions)
    }
}
