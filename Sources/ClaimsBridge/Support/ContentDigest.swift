import COpenSSL
import Foundation

/// SHA-256 of a file's bytes, for recognising a file by its content.
package enum ContentDigest {
    /// The SHA-256 of the file at `path` as 64 lowercase hexadecimal digits, or nil when it cannot be read.
    package static func sha256(ofFileAt path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return sha256(data.withUnsafeBytes { Array($0.bindMemory(to: UInt8.self)) })
    }

    /// The SHA-256 of `bytes` as 64 lowercase hexadecimal digits.
    package static func sha256(_ bytes: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        bytes.withUnsafeBufferPointer { buffer in _ = SHA256(buffer.baseAddress, buffer.count, &digest) }
        let hex = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(64)
        for byte in digest {
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 15)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
