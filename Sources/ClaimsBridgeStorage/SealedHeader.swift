/// The small versioned header in front of every encrypted payload:
///
/// ```
/// 00 43 42 45          magic ("\0CBE": no text payload starts with a NUL)
/// 01                   format version
/// n, key id (n bytes)  the key that encrypted it
/// m (2 bytes, big-endian), context (m bytes)
///                      for files, what they hold (e.g. the original's SHA-256); empty for database rows
/// nonce (12 bytes), ciphertext, tag (16 bytes)
/// ```
/// Everything before the nonce is authenticated with the ciphertext, together with the binding the caller gives
/// (for a database row, its destination and key), so neither the header nor the row can be swapped.
struct SealedHeader {
    static let magic: [UInt8] = [0x00, 0x43, 0x42, 0x45]
    static let version: UInt8 = 1
    static let nonceSize = 12
    static let tagSize = 16

    var keyID: String
    var context: [UInt8]
    /// The header's bytes (magic to context): the authenticated part.
    var bytes: [UInt8]
    /// Where the nonce starts.
    var end: Int

    init(keyID: String, context: [UInt8]) {
        self.keyID = keyID
        self.context = context
        let id = Array(keyID.utf8)
        bytes = Self.magic + [Self.version, UInt8(id.count)] + id
        bytes += [UInt8(context.count >> 8 & 0xFF), UInt8(context.count & 0xFF)] + context
        end = bytes.count
    }

    /// Whether `stored` begins like an encrypted payload (whether or not the rest is intact).
    static func isSealed(_ stored: some Collection<UInt8>) -> Bool { stored.starts(with: magic) }

    /// Reads the header of an encrypted payload; nil when the bytes are too short or of an unknown version.
    static func parse(_ stored: [UInt8]) -> SealedHeader? {
        guard isSealed(stored), stored.count > 6, stored[4] == version else { return nil }
        let idLength = Int(stored[5])
        let contextStart = 6 + idLength + 2
        guard stored.count >= contextStart else { return nil }
        let contextLength = Int(stored[contextStart - 2]) << 8 | Int(stored[contextStart - 1])
        let end = contextStart + contextLength
        guard stored.count >= end + nonceSize + tagSize else { return nil }
        let keyID = String(decoding: stored[6..<(6 + idLength)], as: UTF8.self)
        var header = SealedHeader(keyID: keyID, context: Array(stored[contextStart..<end]))
        header.bytes = Array(stored[0..<end])
        header.end = end
        return header
    }
}
