import Foundation

/// One AES-256 key for stored payloads, with the id written next to everything it encrypts so that the
/// right key is found again after rotation.
public struct PayloadKey: Sendable {
    /// A short name (`k1`, `2026-01`): 1–64 of `A–Z a–z 0–9 . _ -`.
    public let id: String
    let bytes: [UInt8]

    /// Reads a key from its text: 32 bytes written as base64 (44 characters) or hexadecimal (64 digits).
    /// - Throws: ``PayloadKeyError`` saying what is wrong, never the key's text.
    public init(id: String, text: String) throws(PayloadKeyError) {
        guard Self.isValidKeyID(id) else {
            throw PayloadKeyError("the key id `\(id)` must be 1–64 characters from A–Z a–z 0–9 . _ -")
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var decoded: [UInt8]?
        if trimmed.utf8.count == 64, trimmed.utf8.allSatisfy({ $0.isHexDigit }) {
            decoded = HexDigits.decode(trimmed.utf8[...])
        } else if let data = Data(base64Encoded: trimmed) {
            decoded = Array(data)
        }
        guard let decoded, decoded.count == 32 else {
            throw PayloadKeyError(
                "the key \(id) is not 32 bytes written as base64 or hexadecimal; make one with `openssl rand -base64 32`")
        }
        self.id = id
        bytes = decoded
    }

    /// Whether `id` can name a key: 1–64 of `A–Z a–z 0–9 . _ -`.
    public static func isValidKeyID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count)
            && id.utf8.allSatisfy { $0.isHexDigit || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }
}

/// A key that cannot be used, and why (the key's own text is never part of the message).
public struct PayloadKeyError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self)
    }
}
