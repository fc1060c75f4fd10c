/// Splits a CDAnet byte stream into messages, using each message's own length field (A07), and decodes each
/// one against its layout.
///
/// Feed it chunks with ``append(_:)`` and take frames with ``next(isFinal:)``. A `.message` frame decoded
/// cleanly; its fields are in ``decoded``. Anything else is a `.malformed` frame with its error, so every input
/// byte is in exactly one frame. CR and LF between messages are skipped.
///
/// After a damaged message the framer finds where it ends (see `CDAnetFramer+Recovery.swift`): at its stated
/// length when the next message starts there, at the end its own count and length fields give, or at the
/// next header inside the claimed span whose message decodes and is not embedded in the damaged one. Memory
/// stays bounded by one reject piece (``maximumRejectLength``) plus one message plus one chunk.
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

    /// The mapping and fields of the last `.message` frame.
    package struct Decoded {
        package let mapping: Mapping
        package let record: DecodedRecord
    }

    let catalog: CDAnetCatalog
    /// The largest message accepted (bytes): A07 has seven digits in a version 04 attachment (09).
    package let maximumMessageLength: Int
    /// The largest malformed frame: a longer run of unreadable bytes is reported in pieces of this size.
    package let maximumRejectLength: Int
    private var buffer: [UInt8] = []
    /// Index in `buffer` of the first unconsumed byte.
    var start = 0
    /// Input offset of `buffer[0]`.
    var bufferOffset = 0
    /// Input offset where the current run of damaged frames began; nil after a good message.
    var damageStart: Int?
    /// Input offset up to which the search for the next message from `start` found nothing.
    var searchedUpTo = 0
    /// The transaction prefix (A01) of the last good message whose prefix says something (see ``rememberPrefix``).
    var lastPrefix: [UInt8] = []
    private let records = RecordCache()
    /// A record for trial decodes while searching.
    let scratch = DecodedRecord()
    /// The fields of the last frame when it is a `.message`.
    package private(set) var decoded: Decoded?

    /// Bytes kept visible after a message: CR/LF plus a header up to its length field.
    static let lookahead = 64
    /// Bytes past a damaged message's stated end still searched for the next message (bytes inserted into it).
    static let slack = 8

    package init(catalog: CDAnetCatalog, maximumMessageLength: Int = 9_999_999, maximumRejectLength: Int = 64 * 1024) {
        self.catalog = catalog
        self.maximumMessageLength = maximumMessageLength
        self.maximumRejectLength = max(maximumRejectLength, 64)
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

    /// The next frame, or nil when more input is needed (or, with `isFinal`, when the input is used up).
    package mutating func next(isFinal: Bool) -> Frame? {
        decoded = nil
        return buffer.withUnsafeBufferPointer { bytes in nextFrame(bytes, isFinal: isFinal) }
    }

    private mutating func nextFrame(_ bytes: UnsafeBufferPointer<UInt8>, isFinal: Bool) -> Frame? {
        while start < bytes.count, bytes[start] == 0x0D || bytes[start] == 0x0A { start += 1 }
        let available = bytes.count - start
        guard available > 0 else { return nil }
        guard available >= 22 else {
            guard isFinal else { return nil }
            return reject(
                available,
                BridgeError(
                    .unrecognisedData,
                    "the input ends with \(available) bytes that cannot be a message (a message header alone is at least 22 bytes)",
                    at: .init(byteOffset: bufferOffset + start)))
        }
        switch header(bytes) {
        case .unreadable(let error):
            return recover(bytes, isFinal: isFinal, error: error, claimedEnd: nil)
        case .incomplete(let layout):
            guard isFinal else { return nil }
            return reject(available, truncated(available, layout: layout, stated: nil))
        case .badLength(let error):
            return recover(bytes, isFinal: isFinal, error: error, claimedEnd: nil)
        case .claims(let mapping, let length):
            guard available >= length else {
                guard isFinal else { return nil }
                return recover(
                    bytes, isFinal: true, error: truncated(available, layout: mapping.layout, stated: length),
                    claimedEnd: bytes.count)
            }
            // Hold a message back until the next header is visible too, so that a damaged one can be told
            // apart from its neighbour.
            guard isFinal || available >= length + Self.lookahead else { return nil }
            let record = records.record(for: mapping)
            do {
                try FixedWidthDecoder(layout: mapping.layout).decode(
                    UnsafeBufferPointer(rebasing: bytes[start..<(start + length)]), baseOffset: bufferOffset + start,
                    into: record)
            } catch {
                return recover(bytes, isFinal: isFinal, error: error, claimedEnd: start + length)
            }
            if let problem = embeddedMessageProblem(record, mapping.layout, bytes) {
                return recover(bytes, isFinal: isFinal, error: problem, claimedEnd: start + length)
            }
            let overlap = overlappingMessage(
                after: start + length, from: start, embeddedAt: embeddedStart(record, mapping.layout).map { start + $0 },
                bytes, isFinal: isFinal)
            if overlap.needMore { return nil }
            if let next = overlap.start {
                let field = mapping.layout.fields[mapping.layout.lengthField]
                return reject(
                    next - start,
                    BridgeError(
                        .lengthMismatch,
                        "the message length \(field.id) says \(length) bytes, but the next message starts after \(next - start): bytes are missing from this one",
                        at: .init(byteOffset: bufferOffset + next, fieldID: field.id, fieldName: field.name)))
            }
            decoded = Decoded(mapping: mapping, record: record)
            damageStart = nil
            rememberPrefix(UnsafeBufferPointer(rebasing: bytes[start..<(start + 12)]))
            let frame = Frame.message(offset: bufferOffset + start, length: length)
            start += length
            return frame
        }
    }

    /// What the header at `start` says.
    private enum Header {
        case unreadable(BridgeError)
        /// The input ends before the length field.
        case incomplete(RecordLayout)
        case badLength(BridgeError)
        case claims(Mapping, length: Int)
    }

    private func header(_ bytes: UnsafeBufferPointer<UInt8>) -> Header {
        let version = twoDigits(bytes, start + 18)
        let transaction = twoDigits(bytes, start + 20)
        guard let version, let transaction, let mapping = catalog.mapping(version: version, transaction: transaction)
        else { return .unreadable(headerError(version: version, transaction: transaction)) }
        let layout = mapping.layout
        guard bytes.count - start >= layout.lengthFieldOffset + layout.lengthFieldWidth else { return .incomplete(layout) }
        let lengthField = layout.fields[layout.lengthField]
        let at = BridgeError.Location(
            byteOffset: bufferOffset + start + layout.lengthFieldOffset, fieldID: lengthField.id,
            fieldName: lengthField.name)
        guard let length = number(bytes, start + layout.lengthFieldOffset, layout.lengthFieldWidth) else {
            return .badLength(
                BridgeError(.invalidLength, "the message length is not a number, so the message cannot be read", at: at))
        }
        guard length >= layout.minimumLength, length <= maximumMessageLength else {
            let limit =
                length < layout.minimumLength
                ? "less than the shortest possible \(layout.title.lowercased()) (\(layout.minimumLength) bytes)"
                : "more than the largest message accepted (\(maximumMessageLength) bytes)"
            return .badLength(BridgeError(.invalidLength, "the message length says \(length) bytes, \(limit)", at: at))
        }
        return .claims(mapping, length: length)
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

    private func headerError(version: Int?, transaction: Int?) -> BridgeError {
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

    /// Keeps a good message's transaction prefix (A01) as the batch's, unless it says nothing: fewer than 6
    /// characters other than spaces and zeros, as the blank prefix of version 02 requests. A batch that mixes
    /// those with a network's messages keeps the network's prefix across them.
    private mutating func rememberPrefix(_ prefix: UnsafeBufferPointer<UInt8>) {
        guard prefix.count(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "0") }) >= 6 else { return }
        lastPrefix.removeAll(keepingCapacity: true)
        lastPrefix.append(contentsOf: prefix)
    }

    /// Why the decoded message's embedded message (G40) is not a message, or nil: its header must name a known
    /// transaction whose length field says the field's length, and it must decode. A message that embeds something
    /// else is damaged (cut short by the length of the message after it, say, its G40 holding the start of its own
    /// EOB and the start of the next message), so the next message is looked for inside it. Reading the message
    /// decodes its embedded one anyway, so a message refused here would have been refused then.
    private func embeddedMessageProblem(
        _ record: DecodedRecord, _ layout: RecordLayout, _ bytes: UnsafeBufferPointer<UInt8>
    ) -> BridgeError? {
        guard let field = layout.embeddedMessageField, let range = record.range(of: field, instance: 0),
            !range.isEmpty
        else { return nil }
        let embedded = UnsafeBufferPointer(rebasing: bytes[(start + range.lowerBound)..<(start + range.upperBound)])
        do {
            let mapping = try catalog.mappingForMessage(embedded, baseOffset: bufferOffset + start + range.lowerBound)
            try FixedWidthDecoder(layout: mapping.layout).decode(
                embedded, baseOffset: bufferOffset + start + range.lowerBound, into: scratch)
            return nil
        } catch {
            var problem = error
            problem.reason = "the embedded message in \(layout.fields[field].id) is not valid: " + error.reason
            return problem
        }
    }

    /// Where the decoded message's embedded message (G40) starts, relative to the message.
    private func embeddedStart(_ record: DecodedRecord, _ layout: RecordLayout) -> Int? {
        guard let field = layout.embeddedMessageField, let range = record.range(of: field, instance: 0),
            !range.isEmpty
        else { return nil }
        return range.lowerBound
    }

    /// Returns the next `count` bytes as one malformed frame.
    mutating func reject(_ count: Int, _ error: BridgeError) -> Frame {
        if damageStart == nil { damageStart = bufferOffset + start }
        let frame = Frame.malformed(offset: bufferOffset + start, length: count, error: error)
        start += count
        searchedUpTo = 0
        return frame
    }

    @inline(__always)
    func twoDigits(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int) -> Int? {
        let high = bytes[index] &- UInt8(ascii: "0")
        let low = bytes[index + 1] &- UInt8(ascii: "0")
        guard high < 10, low < 10 else { return nil }
        return Int(high) * 10 + Int(low)
    }

    @inline(__always)
    func number(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int, _ width: Int) -> Int? {
        var value = 0
        for i in index..<(index + width) {
            let digit = bytes[i] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }
}

/// One reusable ``DecodedRecord`` per layout, so that mixed batches do not reallocate.
private final class RecordCache {
    private var records: [ObjectIdentifier: DecodedRecord] = [:]
    private var lastKey: ObjectIdentifier?
    private var last: DecodedRecord?

    func record(for mapping: Mapping) -> DecodedRecord {
        let key = ObjectIdentifier(mapping)
        if key == lastKey, let last { return last }
        let record = records[key] ?? DecodedRecord()
        records[key] = record
        lastKey = key
        last = record
        return record
    }
}

extension String {
    /// `4` → `"04"`.
    init(format2 value: Int) { self = value < 10 ? "0\(value)" : "\(value)" }
}
