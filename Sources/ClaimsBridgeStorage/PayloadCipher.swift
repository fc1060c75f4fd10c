internal import COpenSSL

/// Encrypts stored payloads with AES-256-GCM (OpenSSL's libcrypto): a random 96-bit nonce for each, the key id
/// in a small header (``SealedHeader``), and a binding (for a database row, what identifies the row) authenticated
/// with it, so that a payload moved to another row, or altered, is refused.
///
/// New payloads are encrypted under ``currentKey``; any of ``keys`` decrypts, so that after a rotation old
/// payloads still read until they are re-encrypted (`claimsbridge rekey`). Bytes without the header are
/// plaintext written before encryption was switched on, and read as they are.
public struct PayloadCipher: Sendable {
    /// The key new payloads are encrypted with.
    public let currentKey: PayloadKey
    /// Every key that decrypts, by id (the current one included).
    public let keys: [String: PayloadKey]

    /// - Parameter previousKeys: keys of earlier rotations, still needed to read what they encrypted.
    /// - Throws: ``PayloadKeyError`` when two keys share an id.
    public init(currentKey: PayloadKey, previousKeys: [PayloadKey] = []) throws(PayloadKeyError) {
        self.currentKey = currentKey
        var keys = [currentKey.id: currentKey]
        for key in previousKeys {
            guard keys[key.id] == nil else { throw PayloadKeyError("the key id \(key.id) is given twice") }
            keys[key.id] = key
        }
        self.keys = keys
    }

    /// Whether `stored` is an encrypted payload (rather than plaintext written before encryption was on).
    public static func isSealed(_ stored: some Collection<UInt8>) -> Bool { SealedHeader.isSealed(stored) }

    /// The id of the key `stored` is encrypted with, or nil for plaintext or a damaged header.
    public static func keyID(of stored: [UInt8]) -> String? { SealedHeader.parse(stored)?.keyID }

    /// The context written in the header of `stored` (for files: what they hold), or nil.
    public static func context(of stored: [UInt8]) -> [UInt8]? { SealedHeader.parse(stored)?.context }

    /// Encrypts `plaintext` under the current key.
    /// - Parameters:
    ///   - binding: what the payload belongs to; the same must be given to ``open(_:binding:)``. Not stored.
    ///   - context: stored in the header, readable without the key, and authenticated.
    public func seal(_ plaintext: [UInt8], binding: [UInt8] = [], context: [UInt8] = []) -> [UInt8] {
        let header = SealedHeader(keyID: currentKey.id, context: context)
        var nonce = [UInt8](repeating: 0, count: SealedHeader.nonceSize)
        guard RAND_bytes(&nonce, Int32(nonce.count)) == 1 else { fatalError("the system's random generator failed") }
        var body = [UInt8](repeating: 0, count: plaintext.count)
        var tag = [UInt8](repeating: 0, count: SealedHeader.tagSize)
        let ok = Self.run(
            encrypt: true, key: currentKey.bytes, nonce: nonce, associated: header.bytes + binding, input: plaintext,
            output: &body, tag: &tag)
        guard ok else { fatalError("AES-256-GCM encryption failed in libcrypto") }
        return header.bytes + nonce + body + tag
    }

    /// Decrypts `stored`; plaintext (no header) is returned as it is.
    /// - Throws: ``PayloadCipherError``: `keyMissing` when its key id is not configured, `tampered` when the
    ///   bytes were altered or belong to another binding, `damaged` when the header cannot be read.
    public func open(_ stored: [UInt8], binding: [UInt8] = []) throws(PayloadCipherError) -> [UInt8] {
        try Self.open(stored, binding: binding, keys: keys)
    }

    /// Decrypts with `keys` (none: only plaintext reads).
    public static func open(_ stored: [UInt8], binding: [UInt8], keys: [String: PayloadKey])
        throws(PayloadCipherError) -> [UInt8]
    {
        guard isSealed(stored) else { return stored }
        guard let header = SealedHeader.parse(stored) else { throw PayloadCipherError(.damaged, keyID: nil) }
        guard let key = keys[header.keyID] else { throw PayloadCipherError(.keyMissing, keyID: header.keyID) }
        let nonce = Array(stored[header.end..<(header.end + SealedHeader.nonceSize)])
        let body = Array(stored[(header.end + SealedHeader.nonceSize)..<(stored.count - SealedHeader.tagSize)])
        var tag = Array(stored[(stored.count - SealedHeader.tagSize)...])
        var plaintext = [UInt8](repeating: 0, count: body.count)
        let ok = run(
            encrypt: false, key: key.bytes, nonce: nonce, associated: header.bytes + binding, input: body,
            output: &plaintext, tag: &tag)
        guard ok else { throw PayloadCipherError(.tampered, keyID: header.keyID) }
        return plaintext
    }

    /// One AES-256-GCM pass; on decryption `tag` is checked, on encryption it is filled. False on failure.
    private static func run(
        encrypt: Bool, key: [UInt8], nonce: [UInt8], associated: [UInt8], input: [UInt8], output: inout [UInt8],
        tag: inout [UInt8]
    ) -> Bool {
        guard let context = EVP_CIPHER_CTX_new() else { return false }
        defer { EVP_CIPHER_CTX_free(context) }
        let initialize = encrypt ? EVP_EncryptInit_ex : EVP_DecryptInit_ex
        let update = encrypt ? EVP_EncryptUpdate : EVP_DecryptUpdate
        guard initialize(context, EVP_aes_256_gcm(), nil, nil, nil) == 1,
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_IVLEN, Int32(nonce.count), nil) == 1,
            initialize(context, nil, nil, key, nonce) == 1
        else { return false }
        var written: Int32 = 0
        if !associated.isEmpty, update(context, nil, &written, associated, Int32(associated.count)) != 1 { return false }
        if !input.isEmpty, update(context, &output, &written, input, Int32(input.count)) != 1 { return false }
        var final = [UInt8](repeating: 0, count: 16)
        if encrypt {
            guard EVP_EncryptFinal_ex(context, &final, &written) == 1 else { return false }
            return EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, Int32(tag.count), &tag) == 1
        }
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_TAG, Int32(tag.count), &tag) == 1 else { return false }
        return EVP_DecryptFinal_ex(context, &final, &written) == 1
    }
}

/// An encrypted payload that cannot be read, in words an operator can act on.
public struct PayloadCipherError: Error, Equatable, CustomStringConvertible {
    /// Why it cannot be read.
    public enum Kind: Sendable, Equatable {
        /// Encrypted under a key id that is not configured (a lost or unlisted key, not corruption).
        case keyMissing
        /// The authentication failed: the bytes were changed, or belong to another row or file.
        case tampered
        /// The header is cut short or of an unknown format version.
        case damaged
    }

    public let kind: Kind
    /// The key id in the header, when it could be read.
    public let keyID: String?

    public init(_ kind: Kind, keyID: String?) {
        self.kind = kind
        self.keyID = keyID
    }

    public var description: String {
        switch kind {
        case .keyMissing:
            "payload encrypted with key id \(keyID ?? "?"), which is not configured (add it under encryption.previousKeys)"
        case .tampered:
            "encrypted payload (key id \(keyID ?? "?")) failed authentication: it has been tampered with or belongs to another record"
        case .damaged: "encrypted payload is damaged: its header is cut short or of an unknown version"
        }
    }
}
