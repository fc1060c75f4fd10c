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

    /// Bytes a transport may add to a name for its temporary file: `.` + name + `.` + 20 digits + `.tmp`.
    public static let temporaryNameReserve = 26

    /// The file name for `delivery`, at most `maxBytes` long (by default, room is left for a temporary name).
    ///
    /// A long `{name}` is shortened (see ``FileNameLength/fitting(_:maxBytes:)``): the key, the rest of the pattern
    /// and the original's extension are kept. Only if the pattern and key alone are too long is the whole name
    /// shortened; its hash still tells it apart from every other.
    public func fileName(
        for delivery: OutgoingDelivery, maxBytes: Int = FileNameLength.limit - Self.temporaryNameReserve
    ) -> String {
        let original = delivery.metadata[OutgoingDelivery.fileNameKey].map(Self.sanitized) ?? delivery.idempotencyKey
        let withKey = pattern.replacingAll("{key}", with: delivery.idempotencyKey)
        let uses = withKey.split(separator: "{name}", omittingEmptySubsequences: false).count - 1
        let fixed = withKey.utf8.count - uses * "{name}".utf8.count
        let budget = uses == 0 ? 0 : (maxBytes - fixed) / uses
        let name = withKey.replacingAll("{name}", with: FileNameLength.fitting(original, maxBytes: max(budget, 17)))
        return FileNameLength.fitting(name, maxBytes: maxBytes)
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
