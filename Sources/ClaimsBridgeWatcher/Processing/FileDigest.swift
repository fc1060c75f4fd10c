import ClaimsBridge
internal import COpenSSL
import Foundation

/// SHA-256 of a file's content, read in chunks.
enum FileDigest {
    /// The lowercase hex SHA-256 and the size of the file at `path`.
    static func sha256(path: String) throws -> (hex: String, size: Int64) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw DurableFiles.failure("cannot read", path) }
        defer { close(descriptor) }
        guard let context = EVP_MD_CTX_new() else { throw DurableFiles.failure("cannot hash", path) }
        defer { EVP_MD_CTX_free(context) }
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
        var size: Int64 = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw DurableFiles.failure("cannot read", path)
            }
            if count == 0 { break }
            EVP_DigestUpdate(context, buffer.baseAddress, count)
            size += Int64(count)
        }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return (hex(digest.prefix(Int(length))), size)
    }

    /// The lowercase hex SHA-256 of `bytes`.
    static func sha256(_ bytes: [UInt8]) -> String { ContentDigest.sha256(bytes) }

    private static func hex(_ digest: ArraySlice<UInt8>) -> String {
        let hexDigits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(digest.count * 2)
        for byte in digest {
            hex.append(hexDigits[Int(byte >> 4)])
            hex.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
