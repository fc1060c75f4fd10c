public import ClaimsBridge

/// A file name pattern such as `{key}.json` or `claims-{name}-{key}`: `{key}` is the delivery's idempotency key,
/// `{name}` the original file name from its metadata (or the key). The pattern must contain `{key}`, so that a
/// re-delivery lands on the same name and a receiver never sees two copies.
public struct FileNamePattern: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as written.
    public let pattern: String

    /// - Throws: ``TransportError`` (`invalidConfiguration`) without `{key}`, or with a `/`.
    public init(_ pattern: String) throws(TransportError) {
        guard pattern.contains("{key}") else {
            throw TransportError(
                .invalidConfiguration, retryable: false, "the file name pattern \(pattern) must contain {key}")
        }
        guard !pattern.contains("/"), !pattern.hasPrefix(".") else {
            throw TransportError(
                .invalidConfiguration, retryable: false,
                "the file name pattern \(pattern) must not contain / or start with a dot")
        }
        self.pattern = pattern
    }

    public var description: String { pattern }

    /// The file name for `delivery`.
    public func fileName(for delivery: OutgoingDelivery) -> String {
        let original = delivery.metadata[OutgoingDelivery.fileNameKey].map(Self.sanitized) ?? delivery.idempotencyKey
        return pattern.replacingAll("{key}", with: delivery.idempotencyKey).replacingAll("{name}", with: original)
    }

    /// The last path component with every byte outside `A–Z a–z 0–9 . _ -` replaced by `_`.
    static func sanitized(_ name: String) -> String {
        let last = name.split(separator: "/").last.map(String.init) ?? "file"
        let bytes = last.utf8.map { byte -> UInt8 in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                return byte
            default:
                return UInt8(ascii: "_")
            }
        }
        let text = String(decoding: bytes, as: UTF8.self)
        return text.hasPrefix(".") ? "_" + text.dropFirst() : text
    }
}

extension String {
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
