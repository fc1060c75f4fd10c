internal import COpenSSL

/// SHA-256 of payload bytes, for idempotency keys and for telling two payloads under one key apart.
enum PayloadDigest {
    /// The 32-byte SHA-256 digest of `bytes`.
    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        bytes.withUnsafeBufferPointer { buffer in _ = SHA256(buffer.baseAddress, buffer.count, &digest) }
        return digest
    }

    /// Lower-case hexadecimal of `bytes`.
    static func hex<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// `sha256:<64 hex digits>` of `bytes`, as error messages show it.
    static func label(_ bytes: [UInt8]) -> String { "sha256:" + hex(sha256(bytes)) }
}
