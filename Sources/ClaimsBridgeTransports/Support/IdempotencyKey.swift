/// Default idempotency keys for payloads that have none of their own.
public enum IdempotencyKey {
    /// `<name>-<first 16 hex digits of SHA-256(payload)>`: the same file with the same bytes always gets the same
    /// key (so a re-run is recognised), a changed file gets a new one. `name` is reduced to `A–Z a–z 0–9 . _ -`.
    public static func derived(name: String, payload: [UInt8]) -> String {
        let hex = PayloadDigest.hex(PayloadDigest.sha256(payload).prefix(8))
        let prefix = String(FileNamePattern.sanitized(name).prefix(150))
        return (prefix.isEmpty ? "payload" : prefix) + "-" + hex
    }
}
