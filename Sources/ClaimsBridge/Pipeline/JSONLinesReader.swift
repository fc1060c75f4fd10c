#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Splits a byte stream into lines (LF or CRLF), with each line's 1-based number and byte offset.
///
/// Memory stays at one chunk plus the longest line; a line longer than `maximumLineLength` is reported
/// through `onTooLong` with its first bytes and skipped.
struct JSONLinesReader<Input: ByteInput> {
    var input: Input
    var chunkSize = 256 * 1024
    var maximumLineLength = 32_000_000

    /// Calls `body` for every line that is not blank; `body` returns false to stop.
    mutating func forEachLine(
        onTooLong: (_ number: Int, _ offset: Int, _ prefix: [UInt8]) throws -> Bool,
        _ body: (_ line: UnsafeBufferPointer<UInt8>, _ number: Int, _ offset: Int) throws -> Bool
    ) throws {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var number = 0
        var offset = 0
        var skipping = false
        func emit(_ line: UnsafeBufferPointer<UInt8>) throws -> Bool {
            number += 1
            defer { offset += line.count + 1 }
            var end = line.count
            if end > 0 && line[end - 1] == 0x0D { end -= 1 }
            let body_ = UnsafeBufferPointer(rebasing: line[0..<end])
            if body_.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return true }
            return try body(body_, number, offset)
        }
        while true {
            let count = try chunk.withUnsafeMutableBytes { try input.read(into: $0) }
            if count == 0 { break }
            var from = 0
            while from < count {
                let found = chunk.withUnsafeBufferPointer { memchr($0.baseAddress! + from, 0x0A, count - from) }
                guard let found else {
                    if !skipping { pending.append(contentsOf: chunk[from..<count]) }
                    if !skipping && pending.count > maximumLineLength {
                        skipping = true
                        number += 1
                        guard try onTooLong(number, offset, Array(pending.prefix(maximumLineLength))) else { return }
                        offset += pending.count
                        pending.removeAll()
                    } else if skipping {
                        offset += count - from
                    }
                    break
                }
                let newline = chunk.withUnsafeBufferPointer {
                    UnsafeRawPointer(found) - UnsafeRawPointer($0.baseAddress!)
                }
                if skipping {
                    skipping = false
                    offset += newline - from + 1
                } else if pending.isEmpty {
                    let keepGoing = try chunk.withUnsafeBufferPointer {
                        try emit(UnsafeBufferPointer(rebasing: $0[from..<newline]))
                    }
                    if !keepGoing { return }
                } else {
                    pending.append(contentsOf: chunk[from..<newline])
                    let keepGoing = try pending.withUnsafeBufferPointer { try emit($0) }
                    pending.removeAll(keepingCapacity: true)
                    if !keepGoing { return }
                }
                from = newline + 1
            }
        }
        if !pending.isEmpty && !skipping { _ = try pending.withUnsafeBufferPointer { try emit($0) } }
    }
}
