import ClaimsBridgeStorage
import Foundation

/// Originals and rejects files kept encrypted when `encryption:` is on: the file is the ``PayloadCipher`` format,
/// its header naming the key id and what the file holds (the original's SHA-256), authenticated with the content.
enum SealedFiles {
    /// What an archived or failed original holds: its SHA-256, as the ledger records it.
    static func originalContext(sha256: String) -> [UInt8] { Array("original sha256:\(sha256)".utf8) }

    /// What a rejects file holds: the rejected messages of the original with this SHA-256.
    static func rejectsContext(sha256: String) -> [UInt8] { Array("rejects sha256:\(sha256)".utf8) }

    /// Writes the bytes of `source` encrypted to `destination` (atomically, owner-only), then removes `source`.
    /// When `destination` already holds this content encrypted (written before a crash), it is kept.
    static func sealMove(
        _ source: String, to destination: String, cipher: PayloadCipher, context: [UInt8], later: FolderFlushes
    ) throws {
        if !holds(destination, context: context) {
            let plain = try FileProcessor.readAll(source)
            try DurableFiles.write(cipher.seal(plain, binding: [], context: context), to: destination)
        }
        guard unlink(source) == 0 || errno == ENOENT else { throw DurableFiles.failure("cannot remove", source) }
        later.add([(source as NSString).deletingLastPathComponent])
    }

    /// Whether the file at `path` is encrypted with this context in its header.
    static func holds(_ path: String, context: [UInt8]) -> Bool {
        guard let bytes = try? head(path) else { return false }
        return PayloadCipher.context(of: bytes) == context
    }

    /// The content of a kept file, decrypted when it is encrypted.
    /// - Parameter cipher: the configured keys; nil reads only plaintext.
    /// - Throws: ``WatchError`` saying plainly when the key is not configured or the file was tampered with.
    static func read(_ path: String, cipher: PayloadCipher?) throws -> [UInt8] {
        let stored = try FileProcessor.readAll(path)
        do throws(PayloadCipherError) {
            return try PayloadCipher.open(stored, binding: [], keys: cipher?.keys ?? [:])
        } catch {
            throw WatchError("\(path): \(error)")
        }
    }

    /// Re-encrypts the file at `path` under the current key (plaintext is encrypted with `context`; an encrypted
    /// file keeps its own).
    /// - Returns: false when it already was under the current key.
    /// - Throws: ``WatchError`` when it cannot be read or written.
    static func reseal(_ path: String, cipher: PayloadCipher, context: [UInt8]) throws -> Bool {
        let stored = try FileProcessor.readAll(path)
        if PayloadCipher.keyID(of: stored) == cipher.currentKey.id { return false }
        let plain = try read(path, cipher: cipher)
        try DurableFiles.write(cipher.seal(plain, binding: [], context: PayloadCipher.context(of: stored) ?? context), to: path)
        return true
    }

    /// The first bytes of a file, enough for any header.
    private static func head(_ path: String) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw DurableFiles.failure("cannot read", path) }
        defer { try? handle.close() }
        return [UInt8](handle.readData(ofLength: 1024))
    }
}
