/// Splits a CDAnet byte stream into messages, using each message's own length field (A07).
///
/// Feed it chunks with ``append(_:)`` and take messages with ``next(isFinal:)``. It keeps at most one
/// message plus one chunk in memory. CR and LF between messages are skipped. After a malformed message it
/// resynchronises on the next plausible header (a known version and transaction code with a sensible length)
/// and reports the bytes in between as one malformed frame, so no byte is silently dropped.
package struct CDAnetFramer {
    /// A framed message or a run of bytes that is not one.
    package enum Frame {
        case message(offset: Int, length: Int)
        case malformed(offset: Int, length: Int, error: BridgeError)

        package var offset: Int {
            switch self {
            case .message(let offset, _), .malformed(let offset, _, _): return offset
            }
        }
        package var length: Int {
            switch self {
            case .message(_, let length), .malformed(_, let length, _): return length
            }
        }
    }

    private let catalog: CDAnetCatalog
    /// The largest message accepted (bytes).
    package let maximumMessageLength: Int
    private var buffer: [UInt8] = []
    /// Index in `buffer` of the first unconsumed byte.
    private var start = 0
    /// Input offset of `buffer[0]`.
    private var bufferOffset = 0
    /// Input offset of the last frame returned, which stays readable until the next `append`.
    private var lastFrameOffset = 0

    /// Bytes kept visible after a message: CR/LF plus a header up to its length field.
    static let lookahead = 64

    package init(catalog: CDAnetCatalog, maximumMessageLength: Int = 10_000_000) {
        self.catalog = catalog
        self.maximumMessageLength = maximumMessageLength
    }

    /// The number of bytes held, for memory checks.
    package var bufferedByteCount: Int { buffer.count - start }

    /// Adds input bytes. Frames returned earlier become invalid.
    package mutating func append(_ chunk: UnsafeRawBufferPointer) {
        if start > 0 {
            buffer.removeSubrange(0..<start)
            bufferOffset += start
            start = 0
        }
        buffer.append(contentsOf: chunk)
    }

    /// Calls `body` with the bytes of a frame returned by the last ``next(isFinal:)``.
    package func withBytes<R>(of frame: Frame, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let from = frame.offset - bufferOffset
        return try buffer.withUnsafeBufferPointer {
            try body(UnsafeBufferPointer(rebasing: $0[from..<(from + frame.length)]))
        }
    }

    /// Moves back to an input offset inside the last frame, e.g. when the frame's length field was too large
    /// and a message starts earlier.
    package mutating func rewind(to offset: Int) {
        precondition(offset >= lastFrameOffset && offset - bufferOffset <= buffer.count)
        start = offset - bufferOffset
    }

    /// Whether a plausible message header starts at an input offset inside the buffer.
    package func looksLikeHeader(at offset: Int) -> Bool {
        var index = offset - bufferOffset
        while index < buffer.count, buffer[index] == 0x0D || buffer[index] == 0x0A { index += 1 }
        return buffer.withUnsafeBufferPointer { plausibleHeader(at: index, in: $0) }
    }

    /// The next frame, or nil when more input is needed (or, with `isFinal`, when the input is used up).
    package mutating func next(isFinal: Bool) -> Frame? {
        buffer.withUnsafeBufferPointer { bytes in nextFrame(bytes, isFinal: isFinal) }
    }

    private mutating func nextFrame(_ bytes: UnsafeBufferPointer<UInt8>, isFinal: Bool) -> Frame? {
        while start < bytes.count, bytes[start] == 0x0D || bytes[start] == 0x0A { start += 1 }
        let available = bytes.count - start
        guard available > 0 else { return nil }
        lastFrameOffset = bufferOffset + start
        guard available >= 22 else {
            guard isFinal else { return nil }
            return take(
                available,
                BridgeError(
                    .unrecognisedData,
                    "the input ends with \(available) bytes that cannot be a message (a message header alone is at least 22 bytes)",
                    at: .init(byteOffset: bufferOffset + start)))
        }
        let version = twoDigits(bytes, start + 18)
        let transaction = twoDigits(bytes, start + 20)
        guard let version, let transaction, let mapping = catalog.mapping(version: version, transaction: transaction)
        else {
            return resync(
                bytes, isFinal: isFinal, error: headerError(bytes, version: version, transaction: transaction))
        }
        let layout = mapping.layout
        let lengthEnd = layout.lengthFieldOffset + layout.lengthFieldWidth
        guard available >= lengthEnd else {
            guard isFinal else { return nil }
            return take(available, truncated(available, layout: layout, stated: nil))
        }
        let lengthField = layout.fields[layout.lengthField]
        guard let length = number(bytes, start + layout.lengthFieldOffset, layout.lengthFieldWidth) else {
            return resync(
                bytes, isFinal: isFinal,
                error: BridgeError(
                    .invalidLength, "the message length is not a number, so the message cannot be read",
                    at: .init(
                        byteOffset: bufferOffset + start + layout.lengthFieldOffset, fieldID: lengthField.id,
                        fieldName: lengthField.name)))
        }
        guard length >= layout.minimumLength, length <= maximumMessageLength else {
            let limit =
                length < layout.minimumLength
                ? "less than the shortest possible \(layout.title.lowercased()) (\(layout.minimumLength) bytes)"
                : "more than the largest message accepted (\(maximumMessageLength) bytes)"
            return resync(
                bytes, isFinal: isFinal,
                error: BridgeError(
                    .invalidLength, "the message length says \(length) bytes, \(limit)",
                    at: .init(
                        byteOffset: bufferOffset + start + layout.lengthFieldOffset, fieldID: lengthField.id,
                        fieldName: lengthField.name)))
        }
        guard available >= length else {
            guard isFinal else { return nil }
            return take(available, truncated(available, layout: layout, stated: length))
        }
        // Hold a message back until the next header is visible too, so that a reader who finds the length
        // field too large can check whether the next message starts early (see ``looksLikeHeader(at:)``).
        guard isFinal || available >= length + Self.lookahead else { return nil }
        let frame = Frame.message(offset: bufferOffset + start, length: length)
        start += length
        return frame
    }

    private func truncated(_ available: Int, layout: RecordLayout, stated: Int?) -> BridgeError {
        let field = layout.fields[layout.lengthField]
        let reason =
            stated.map {
                "the message is cut short: its length field says \($0) bytes, but the input ends after \(available)"
            }
            ?? "the message is cut short: the input ends after \(available) bytes, before its length field"
        return BridgeError(
            .truncatedMessage, reason,
            at: .init(byteOffset: bufferOffset + start + available, fieldID: field.id, fieldName: field.name))
    }

    private func headerError(_ bytes: UnsafeBufferPointer<UInt8>, version: Int?, transaction: Int?) -> BridgeError {
        let at = bufferOffset + start
        guard let version else {
            return BridgeError(
                .unrecognisedData,
                "no CDAnet message starts here: bytes 18–19 should hold the format version (A03) as two digits",
                at: .init(byteOffset: at + 18, fieldID: "A03", fieldName: "Format version"))
        }
        let versionText = String(format2: version)
        guard catalog.knowsVersion(version) else {
            return BridgeError(
                .unknownVersion,
                "the format version is \"\(versionText)\"; the versions that can be read are \(catalog.versions.joined(separator: ", "))",
                at: .init(byteOffset: at + 18, fieldID: "A03", fieldName: "Format version"))
        }
        let shown = transaction.map { "\"\(String(format2: $0))\"" } ?? "not two digits"
        return BridgeError(
            .unknownTransaction,
            "the transaction code is \(shown), which is not a version \(versionText) transaction; known codes are \(catalog.transactions(version: version).joined(separator: ", "))",
            at: .init(byteOffset: at + 20, fieldID: "A04", fieldName: "Transaction code"))
    }

    /// Reports everything up to the next plausible header as one malformed frame.
    private mutating func resync(_ bytes: UnsafeBufferPointer<UInt8>, isFinal: Bool, error: BridgeError) -> Frame? {
        var candidate = start + 1
        while candidate + 22 <= bytes.count {
            if plausibleHeader(at: candidate, in: bytes) { return take(candidate - start, error) }
            candidate += 1
        }
        if isFinal { return take(bytes.count - start, error) }
        if bytes.count - start > maximumMessageLength { return take(bytes.count - start - 64, error) }
        return nil
    }

    private func plausibleHeader(at index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard index + 22 <= bytes.count,
            let version = twoDigits(bytes, index + 18), let transaction = twoDigits(bytes, index + 20),
            let mapping = catalog.mapping(version: version, transaction: transaction)
        else { return false }
        for i in (index + 12)..<(index + 18) where !bytes[i].isDigit { return false }
        let layout = mapping.layout
        guard index + layout.lengthFieldOffset + layout.lengthFieldWidth <= bytes.count,
            let length = number(bytes, index + layout.lengthFieldOffset, layout.lengthFieldWidth)
        else { return false }
        return length >= layout.minimumLength && length <= maximumMessageLength
    }

    private mutating func take(_ count: Int, _ error: BridgeError) -> Frame {
        let frame = Frame.malformed(offset: bufferOffset + start, length: count, error: error)
        start += count
        return frame
    }

    @inline(__always)
    private func twoDigits(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int) -> Int? {
        let high = bytes[index] &- UInt8(ascii: "0")
        let low = bytes[index + 1] &- UInt8(ascii: "0")
        guard high < 10, low < 10 else { return nil }
        return Int(high) * 10 + Int(low)
    }

    @inline(__always)
    private func number(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int, _ width: Int) -> Int? {
        var value = 0
        for i in index..<(index + width) {
            let digit = bytes[i] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }
}

extension String {
    /// `4` → `"04"`.
    init(format2 value: Int) { self = value < 10 ? "0\(value)" : "\(value)" }
}
