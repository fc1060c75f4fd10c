internal import COpenSSL

/// Keeps file names within the 255-byte limit of common file systems (`NAME_MAX`), so that a long input name
/// shortens the names derived from it instead of making them impossible to create.
public enum FileNameLength {
    /// The longest file name, in bytes, that ext4, XFS, APFS and most others accept.
    public static let limit = 255
    /// Extensions longer than this are treated as part of the stem when shortening.
    static let longestExtension = 16

    /// `name` itself when it has at most `maxBytes` UTF-8 bytes; otherwise a shortened name that keeps the start of
    /// the stem (cut on a character boundary), then `~` and 16 hex digits of the SHA-256 of the whole name, then the
    /// extension. Different long names thus stay different, and the same name always shortens the same way.
    public static func fitting(_ name: String, maxBytes: Int = limit) -> String {
        let bytes = Array(name.utf8)
        guard bytes.count > maxBytes else { return name }
        let marker = "~" + hexDigest(bytes)
        var extensionStart = bytes.lastIndex(of: UInt8(ascii: ".")) ?? bytes.count
        if extensionStart == 0 || bytes.count - extensionStart > longestExtension { extensionStart = bytes.count }
        var suffix = Array(marker.utf8) + bytes[extensionStart...]
        if suffix.count > maxBytes { suffix = Array(marker.utf8.prefix(max(0, maxBytes))) }
        let stem = prefix(bytes[..<extensionStart], maxBytes: maxBytes - suffix.count)
        return String(decoding: stem + suffix, as: UTF8.self)
    }

    /// The longest start of `text` with at most `maxBytes` bytes that does not split a UTF-8 character.
    public static func prefix(_ text: String, maxBytes: Int) -> String {
        String(decoding: prefix(Array(text.utf8)[...], maxBytes: maxBytes), as: UTF8.self)
    }

    static func prefix(_ bytes: ArraySlice<UInt8>, maxBytes: Int) -> ArraySlice<UInt8> {
        guard bytes.count > maxBytes else { return bytes }
        guard maxBytes > 0 else { return [] }
        var end = bytes.startIndex + maxBytes
        // Continuation bytes are 10xxxxxx; back up to the first byte of the character that would be cut.
        while end > bytes.startIndex && bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return bytes[bytes.startIndex..<end]
    }

    /// The first 8 bytes of SHA-256(`bytes`) in lowercase hex.
    static func hexDigest(_ bytes: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        bytes.withUnsafeBufferPointer { _ = SHA256($0.baseAddress, $0.count, &digest) }
        let digits = Array("0123456789abcdef".utf8)
        return String(
            decoding: digest.prefix(8).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }, as: UTF8.self)
    }
}
