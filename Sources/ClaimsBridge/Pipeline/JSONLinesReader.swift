#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Splits a byte stream into lines (LF or CRLF), with each line's 1-based number and byte offset.
///
/// Memory stays at one chunk plus one line of at most `maximumLineLength` bytes. A longer line is not
/// parsed: its bytes are handed to `onTooLong` in pieces of `pieceSize` bytes (the last one shorter), each
/// with its own byte offset, as they arrive, so it is kept whole in the errors file without ever being held
/// in memory.
struct JSONLinesReader<Input: ByteInput> {
    /// The default longest line: 16 MiB.
    static var defaultMaximumLineLength: Int { 16 << 20 }

    var input: Input
    var chunkSize = 256 * 1024
    var maximumLineLength = Self.defaultMaximumLineLength
    /// The largest piece of an over-long line handed over at once (1 MiB).
    var pieceSize = 1 << 20

    /// A piece of a line longer than `maximumLineLength`.
    struct LongLinePiece {
        var lineNumber: Int
        /// The offset in the input of the piece's first byte.
        var offset: Int
        /// The offset of the line's first byte.
        var lineOffset: Int
        /// Whether this is the line's first piece.
        var isFirst: Bool
    }

    /// Calls `body` for every line that is not blank and `onTooLong` for each piece of an over-long line;
    /// either returns false to stop.
    mutating func forEachLine(
        onTooLong: (_ piece: LongLinePiece, _ bytes: UnsafeBufferPointer<UInt8>) throws -> Bool,
        _ body: (_ line: UnsafeBufferPointer<UInt8>, _ number: Int, _ offset: Int) throws -> Bool
    ) throws {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var number = 0
        var offset = 0
        /// Bytes of the current over-long line handed over so far, or nil when the line is not over-long.
        var longLineSent: Int?
        func emit(_ line: UnsafeBufferPointer<UInt8>) throws -> Bool {
            number += 1
            defer { offset += line.count + 1 }
            var end = line.count
            if end > 0 && line[end - 1] == 0x0D { end -= 1 }
            let body_ = UnsafeBufferPointer(rebasing: line[0..<end])
            if body_.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return true }
            return try body(body_, number, offset)
        }
        /// Collects `bytes` of the over-long line in `pending` and hands over each full piece; with `end`,
        /// the rest too.
        func sendLong(_ bytes: UnsafeBufferPointer<UInt8>, end: Bool = false) throws -> Bool {
            pending.append(contentsOf: bytes)
            var start = 0
            while pending.count - start >= pieceSize || (end && start < pending.count) {
                let sent = longLineSent ?? 0
                let stop = min(pending.count, start + pieceSize)
                let piece = LongLinePiece(lineNumber: number, offset: offset + sent, lineOffset: offset, isFirst: sent == 0)
                longLineSent = sent + stop - start
                let keepGoing = try pending.withUnsafeBufferPointer {
                    try onTooLong(piece, UnsafeBufferPointer(rebasing: $0[start..<stop]))
                }
                guard keepGoing else { return false }
                start = stop
            }
            pending.removeFirst(start)
            return true
        }
        while true {
            let count = try chunk.withUnsafeMutableBytes { try input.read(into: $0) }
            if count == 0 { break }
            var from = 0
            while from < count {
                let found = chunk.withUnsafeBufferPointer { memchr($0.baseAddress! + from, 0x0A, count - from) }
                let end =
                    found.map { found in
                        chunk.withUnsafeBufferPointer { UnsafeRawPointer(found) - UnsafeRawPointer($0.baseAddress!) }
                    } ?? count
                if longLineSent == nil && pending.count + (end - from) > maximumLineLength {
                    number += 1
                    longLineSent = 0
                }
                if longLineSent != nil {
                    let keepGoing = try chunk.withUnsafeBufferPointer {
                        try sendLong(UnsafeBufferPointer(rebasing: $0[from..<end]), end: found != nil)
                    }
                    guard keepGoing else { return }
                    if found != nil {
                        offset += longLineSent! + 1
                        longLineSent = nil
                    }
                } else if found == nil {
                    pending.append(contentsOf: chunk[from..<count])
                } else if pending.isEmpty {
                    let keepGoing = try chunk.withUnsafeBufferPointer {
                        try emit(UnsafeBufferPointer(rebasing: $0[from..<end]))
                    }
                    if !keepGoing { return }
                } else {
                    pending.append(contentsOf: chunk[from..<end])
                    let keepGoing = try pending.withUnsafeBufferPointer { try emit($0) }
                    pending.removeAll(keepingCapacity: pending.capacity <= chunkSize)
                    if !keepGoing { return }
                }
                from = end + 1
            }
        }
        if longLineSent != nil {
            _ = try sendLong(UnsafeBufferPointer(start: nil, count: 0), end: true)
        } else if !pending.isEmpty {
            _ = try pending.withUnsafeBufferPointer { try emit($0) }
        }
    }
}

extension JSONLinesReader.LongLinePiece {
    /// The reject for this piece: the first piece counts as the rejected line, the others continue it.
    func rejected(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int) -> RejectedMessage {
        let reason =
            isFirst
            ? "the line is longer than the limit of \(limit) bytes and is not translated; its bytes are kept in pieces, this one from byte \(offset)"
            : "continues line \(lineNumber) (longer than the limit of \(limit) bytes), from byte \(offset)"
        return RejectedMessage(
            messageNumber: lineNumber, messageOffset: offset,
            error: BridgeError(.messageTooLarge, reason, at: .init(byteOffset: offset)), original: Array(bytes),
            isLine: true)
    }
}
