import ClaimsBridge

/// The `retention:` setting: how long payload bytes and archived originals are kept. After that
/// `claimsbridge purge` (and the watcher, daily) removes them, keeping the record of what happened.
///
/// ```yaml
/// retention:
///   payloads: 90d      # outbox payloads of settled deliveries, counted from when they settled
///   archives: 365d     # originals in archive/ and error/, and rejects files, counted from when filed
/// ```
public struct RetentionPolicy: Sendable, Equatable {
    /// Seconds a settled delivery's payload is kept; nil keeps it.
    public var payloadSeconds: Double?
    /// Seconds an archived original is kept; nil keeps it.
    public var archiveSeconds: Double?

    public init(payloadSeconds: Double? = nil, archiveSeconds: Double? = nil) {
        self.payloadSeconds = payloadSeconds
        self.archiveSeconds = archiveSeconds
    }

    /// Whether anything is ever removed.
    public var isEnabled: Bool { payloadSeconds != nil || archiveSeconds != nil }

    /// Seconds in an age such as `90s`, `30m`, `12h` or `7d`; nil when it is not one.
    public static func seconds(_ text: String) -> Double? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        guard let unit = text.last, let scale = units[unit], let value = Double(text.dropLast()), value >= 0 else {
            return nil
        }
        return value * scale
    }

    /// Reads the `retention:` mapping.
    static func load(_ node: ConfigNode) throws -> RetentionPolicy {
        try node.expectKeys(["payloads", "archives"], in: "retention")
        func age(_ key: String) throws -> Double? {
            guard let value = node[key] else { return nil }
            guard let seconds = seconds(try value.string("retention.\(key)")), seconds > 0 else {
                throw value.error("retention.\(key) must be an age such as 90d, 12h or 30m")
            }
            return seconds
        }
        return RetentionPolicy(payloadSeconds: try age("payloads"), archiveSeconds: try age("archives"))
    }
}
