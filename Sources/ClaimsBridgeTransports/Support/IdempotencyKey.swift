internal import COpenSSL

/// Default idempotency keys for payloads that have none of their own.
public enum IdempotencyKey {
    /// `<name>-<first 16 hex digits of SHA-256(payload)>`: the same file with the same bytes always gets the same
    /// key (so a re-run is recognised), a changed file gets a new one. `name` is reduced to `A–Z a–z 0–9 . _ -`.
    public static func derived(name: String, payload: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        payload.withUnsafeBufferPointer { bytes in _ = SHA256(bytes.baseAddress, bytes.count, &digest) }
        let hex = digest.prefix(8).map { byte in
            let text = String(byte, radix: 16)
            return text.count == 1 ? "0" + text : text
        }.joined()
        let prefix = String(FileNamePattern.sanitized(name).prefix(150))
        return (prefix.isEmpty ? "payload" : prefix) + "-" + hex
    }
}
