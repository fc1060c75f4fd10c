public import ClaimsBridge
public import ClaimsBridgeStorage

/// The `encryption:` setting of a delivery configuration: the key stored payloads are encrypted with, and the
/// keys of earlier rotations that still decrypt.
///
/// ```yaml
/// encryption:
///   keyId: k2
///   key: env:CB_KEY                 # 32 bytes, base64 or hex
///   previousKeys:
///     - keyId: k1
///       key: file:/etc/claimsbridge/k1.key
/// ```
public struct EncryptionSettings: Sendable {
    /// A key id and where its key is read from.
    public struct KeyReference: Sendable {
        public var id: String
        public var secret: SecretReference
        /// Where it is set, for messages (`file:line`).
        public var location: BridgeError.Location
    }

    /// The key new payloads are encrypted with.
    public var current: KeyReference
    /// Keys that still decrypt what they encrypted.
    public var previous: [KeyReference]

    /// The key files (`file:` references), which only this account should be able to read.
    public var privateFiles: [(what: String, path: String)] {
        ([current] + previous).compactMap { reference in
            guard case .file(let path) = reference.secret else { return nil }
            return ("the encryption key file (\(reference.id))", path)
        }
    }

    /// Reads the keys and builds the cipher.
    /// - Throws: ``BridgeError`` (`invalidConfiguration`) naming the setting's `file:line` and what is wrong with
    ///   the key (unset, unreadable, not 32 bytes), never its value.
    public func makeCipher() throws -> PayloadCipher {
        func load(_ reference: KeyReference) throws -> PayloadKey {
            do {
                return try PayloadKey(id: reference.id, text: try reference.secret.resolve())
            } catch {
                throw BridgeError(
                    .invalidConfiguration, "encryption key \(reference.id) (\(reference.secret)): \(error)",
                    at: reference.location)
            }
        }
        let previousKeys = try previous.map(load)
        do {
            return try PayloadCipher(currentKey: try load(current), previousKeys: previousKeys)
        } catch let error as PayloadKeyError {
            throw BridgeError(.invalidConfiguration, "\(error)", at: current.location)
        }
    }

    /// Reads the `encryption:` mapping.
    static func load(_ node: ConfigNode) throws -> EncryptionSettings {
        try node.expectKeys(["keyId", "key", "previousKeys"], in: "encryption")
        let current = try reference(node, what: "encryption")
        var previous: [KeyReference] = []
        if let list = node["previousKeys"] {
            for item in try list.items("encryption.previousKeys") {
                try item.expectKeys(["keyId", "key"], in: "a previous key")
                previous.append(try reference(item, what: "a previous key"))
            }
        }
        let ids = [current.id] + previous.map(\.id)
        if Set(ids).count != ids.count { throw node.error("encryption: each key id may be given only once") }
        return EncryptionSettings(current: current, previous: previous)
    }

    private static func reference(_ node: ConfigNode, what: String) throws -> KeyReference {
        let idNode = try node.required("keyId")
        let id = try idNode.string("\(what).keyId")
        guard PayloadKey.isValidKeyID(id) else {
            throw idNode.error("the key id `\(id)` must be 1–64 characters from A–Z a–z 0–9 . _ -")
        }
        let keyNode = try node.required("key")
        return KeyReference(
            id: id, secret: try keyNode.secret("\(what).key"), location: keyNode.location)
    }
}
