/// Refuses model keys that the mapping does not know, so a misspelt key (`lastname` for `lastName`) is an
/// error instead of a field silently left blank.
///
/// The allowed shape is the mapping's emit plan: the same objects, arrays and slots that reading writes.
struct ModelKeyCheck {
    let mapping: Mapping
    let tape: JSONTape

    private static let schemaVersionKey = Array("schemaVersion".utf8)
    private static let typeKey = Array("type".utf8)

    func check(root: Int) throws(BridgeError) {
        guard tape.kind(root) == .object, case .object(let members, _) = mapping.emitPlan else { return }
        for (keyToken, valueToken) in tape.members(root) {
            let key = tape.withStringBytes(keyToken) { Array($0) }
            if key == Self.typeKey { continue }
            if key == Self.schemaVersionKey {
                let supported =
                    tape.kind(valueToken) == .number
                    && tape.withNumberBytes(valueToken) { $0.elementsEqual("\(Mapping.schemaVersion)".utf8) }
                guard supported else {
                    throw BridgeError(
                        .unsupportedSchemaVersion,
                        "this version of ClaimsBridge reads schemaVersion \(Mapping.schemaVersion) only",
                        at: .init(byteOffset: tape.offset(valueToken), modelPath: "schemaVersion"))
                }
                continue
            }
            try checkMember(key, keyToken: keyToken, value: valueToken, among: members, path: "")
        }
    }

    private func check(_ token: Int, against node: EmitNode, path: String) throws(BridgeError) {
        if tape.kind(token) == .null { return }
        switch node {
        case .value:
            return
        case .object(let members, _), .conditional(_, .object(let members, _)):
            guard tape.kind(token) == .object else { throw wrongKind(token, path, "an object") }
            for (keyToken, valueToken) in tape.members(token) {
                let key = tape.withStringBytes(keyToken) { Array($0) }
                try checkMember(key, keyToken: keyToken, value: valueToken, among: members, path: path + ".")
            }
        case .conditional(_, let object):
            try check(token, against: object, path: path)
        case .array(_, let element):
            guard tape.kind(token) == .array else { throw wrongKind(token, path, "a list") }
            for (index, item) in tape.elements(token).enumerated() {
                try check(item, against: element, path: "\(path)[\(index)]")
            }
        case .slots(_, let slots, _):
            guard tape.kind(token) == .array else { throw wrongKind(token, path, "a list") }
            for (index, item) in tape.elements(token).enumerated() where index < slots.count {
                try check(item, against: slots[index], path: "\(path)[\(index)]")
            }
        }
    }

    private func checkMember(
        _ key: [UInt8], keyToken: Int, value: Int, among members: [EmitMember], path: String
    ) throws(BridgeError) {
        let name = String(decoding: key, as: UTF8.self)
        guard let member = members.first(where: { $0.key == key }) else {
            let close = members.first { String(decoding: $0.key, as: UTF8.self).lowercased() == name.lowercased() }
            let hint = close.map { "; did you mean \(String(decoding: $0.key, as: UTF8.self))?" } ?? ""
            let scope = path.isEmpty ? "a \(mapping.type)" : String(path.dropLast())
            throw BridgeError(
                .unknownKey, "\"\(name)\" is not part of \(scope)\(hint)",
                at: .init(byteOffset: tape.offset(keyToken), modelPath: path + name))
        }
        try check(value, against: member.node, path: path + name)
    }

    private func wrongKind(_ token: Int, _ path: String, _ expected: String) -> BridgeError {
        BridgeError(.wrongValueType, "must be \(expected)", at: .init(byteOffset: tape.offset(token), modelPath: path))
    }
}
