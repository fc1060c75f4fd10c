import ClaimsBridge

/// Messages held back to back in memory, with the end offset of each one.
struct MessagePool {
    var bytes: [UInt8]
    /// `ends[i]` is the offset just past message `i` in `bytes`.
    var ends: [Int]

    var count: Int { ends.count }

    /// Splits newline-terminated lines (JSON Lines) into a pool, keeping the newlines.
    init(lines: [UInt8]) {
        bytes = lines
        ends = []
        for (index, byte) in lines.enumerated() where byte == 0x0A { ends.append(index + 1) }
    }

    init(bytes: [UInt8], ends: [Int]) {
        self.bytes = bytes
        self.ends = ends
    }

    /// The number of bytes in the first `messages` messages of the pool repeated endlessly.
    func byteCount(ofMessages messages: Int) -> Int {
        let (cycles, rest) = messages.quotientAndRemainder(dividingBy: count)
        return cycles * bytes.count + (rest == 0 ? 0 : ends[rest - 1])
    }

    /// The fewest whole messages of the repeated pool that hold at least `target` bytes.
    func messages(coveringBytes target: Int) -> Int {
        let (cycles, rest) = target.quotientAndRemainder(dividingBy: bytes.count)
        guard rest > 0 else { return cycles * count }
        let partial = ends.firstIndex { $0 >= rest }!
        return cycles * count + partial + 1
    }
}

/// Yields a pool's bytes over and over until a given number of whole messages has been produced.
///
/// Nothing beyond the pool is held in memory, whatever the total.
struct CyclingInput: ByteInput {
    private let pool: [UInt8]
    private var position = 0
    private var remaining: Int
    /// The bytes this input yields in all.
    let totalBytes: Int

    init(_ pool: MessagePool, messages: Int) {
        self.pool = pool.bytes
        totalBytes = pool.byteCount(ofMessages: messages)
        remaining = totalBytes
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var written = 0
        pool.withUnsafeBytes { source in
            while written < buffer.count && remaining > 0 {
                let count = min(buffer.count - written, source.count - position, remaining)
                (buffer.baseAddress! + written).copyMemory(from: source.baseAddress! + position, byteCount: count)
                written += count
                remaining -= count
                position += count
                if position == source.count { position = 0 }
            }
        }
        return written
    }
}
