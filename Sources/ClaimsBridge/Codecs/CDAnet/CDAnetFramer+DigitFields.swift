/// Reading a damaged message's short fixed fields (its length fields, its header's version and transaction code)
/// as what they were before one byte of damage.
extension CDAnetFramer {
    /// How the bytes at a place differ from what was expected there by one byte at most.
    enum ByteEdit: Equatable {
        /// The bytes are what was expected.
        case same
        /// One byte differs.
        case replaced
        /// One expected byte is missing: the bytes are the rest, followed by whatever came next.
        case deleted
        /// One byte too many: the bytes are what was expected with one more somewhere among them.
        case inserted
    }

    /// Whether the bytes at `index` are `expected` with the one-byte `edit`, looking only before `limit`.
    func matches(
        _ bytes: UnsafeBufferPointer<UInt8>, at index: Int, _ expected: [UInt8], with edit: ByteEdit, before limit: Int
    ) -> Bool {
        let width = expected.count
        let end = min(limit, bytes.count)
        guard index >= 0, width > 0, index + width <= end else { return false }
        switch edit {
        case .same, .replaced:
            var differing = 0
            for i in 0..<width where bytes[index + i] != expected[i] { differing += 1 }
            return differing == (edit == .same ? 0 : 1)
        case .deleted:
            // `expected` without the byte at `skipped`, followed by whatever came next.
            return (0..<width).contains { skipped in
                (0..<(width - 1)).allSatisfy { bytes[index + $0] == expected[$0 < skipped ? $0 : $0 + 1] }
            }
        case .inserted:
            // The bytes without the one at `skipped` are `expected`.
            guard index + width + 1 <= end else { return false }
            return (0...width).contains { skipped in
                (0..<width).allSatisfy { bytes[index + ($0 < skipped ? $0 : $0 + 1)] == expected[$0] }
            }
        }
    }

    /// Whether the bytes at `index` are some one-byte `edit` of `value` written as `width` zero-padded digits.
    func matches(
        _ bytes: UnsafeBufferPointer<UInt8>, at index: Int, width: Int, _ value: Int, with edit: ByteEdit,
        before limit: Int
    ) -> Bool {
        guard let digits = Self.digits(value, width: width) else { return false }
        return matches(bytes, at: index, digits, with: edit, before: limit)
    }

    /// `value` as `width` zero-padded ASCII digits, or nil if it does not fit.
    static func digits(_ value: Int, width: Int) -> [UInt8]? {
        guard value >= 0 else { return nil }
        var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width)
        var rest = value
        for i in stride(from: width - 1, through: 0, by: -1) {
            digits[i] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        return rest == 0 ? digits : nil
    }

    /// Whether `width` bytes at `index` are `value` as zero-padded digits, allowing one non-digit byte.
    func roughlyMatches(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, width: Int, _ value: Int) -> Bool {
        var rest = value
        var unreadable = 0
        for i in stride(from: index + width - 1, through: index, by: -1) {
            let digit = bytes[i] &- UInt8(ascii: "0")
            if digit >= 10 {
                unreadable += 1
                if unreadable > 1 { return false }
            } else if Int(digit) != rest % 10 {
                return false
            }
            rest /= 10
        }
        return rest == 0
    }
}
