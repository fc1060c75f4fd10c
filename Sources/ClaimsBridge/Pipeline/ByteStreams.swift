#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A source of input bytes read in chunks.
public protocol ByteInput {
    /// Reads up to `buffer.count` bytes; returns 0 at the end of the input.
    /// - Throws: ``BridgeError`` (`io`) when reading fails.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A destination for output bytes.
public protocol ByteOutput {
    /// Writes all of `bytes`.
    /// - Throws: ``BridgeError`` (`io`) when writing fails.
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws
}

/// Reads a file descriptor (standard input or an opened file).
public struct FileDescriptorInput: ByteInput {
    private let descriptor: Int32
    private let name: String

    /// Reads from an open descriptor, e.g. 0 for standard input.
    public init(descriptor: Int32, name: String) {
        self.descriptor = descriptor
        self.name = name
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw BridgeError(.io, "cannot read the input (error \(errno))", at: .init(file: name))
        }
    }
}

/// Writes to a file descriptor (standard output or an opened file).
public struct FileDescriptorOutput: ByteOutput {
    private let descriptor: Int32
    private let name: String

    public init(descriptor: Int32, name: String) {
        self.descriptor = descriptor
        self.name = name
    }

    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let count = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw BridgeError(.io, "cannot write the output (error \(errno))", at: .init(file: name))
            }
            offset += count
        }
    }
}

/// An input read ahead up to its first byte that is not blank (space, tab, CR or LF), so that an empty input is
/// known before anything is written. The bytes read ahead are handed on unchanged, so offsets do not move.
///
/// At most `limit` bytes are held: an input that is still blank after them is passed on as it is.
public struct LookaheadInput<Base: ByteInput>: ByteInput {
    private var base: Base
    private var held: [UInt8] = []
    private var position = 0
    /// True when the input has no bytes, or only spaces, tabs and line ends.
    public private(set) var isBlank = false

    /// Reads `base` until a byte that is not blank, its end, or `limit` bytes.
    /// - Throws: what `base` throws.
    public init(_ base: Base, limit: Int = 1 << 20) throws {
        self.base = base
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while held.count < limit {
            let count = try chunk.withUnsafeMutableBytes { try self.base.read(into: $0) }
            if count == 0 {
                isBlank = true
                return
            }
            held.append(contentsOf: chunk[0..<count])
            if chunk[0..<count].contains(where: { !Self.isBlank($0) }) { return }
        }
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard position < held.count else { return try base.read(into: buffer) }
        let count = min(buffer.count, held.count - position)
        held.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + position, byteCount: count)
        }
        position += count
        if position == held.count { held = [] }
        return count
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
}

/// Input held in memory, for tests and embedding.
public struct MemoryInput: ByteInput {
    private let bytes: [UInt8]
    private var position = 0
    /// The most bytes returned by one read, to exercise chunk boundaries.
    private let chunkSize: Int

    public init(_ bytes: [UInt8], chunkSize: Int = .max) {
        self.bytes = bytes
        self.chunkSize = max(1, chunkSize)
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, bytes.count - position, chunkSize)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + position, byteCount: count)
        }
        position += count
        return count
    }
}

/// Output collected in memory, for tests and embedding.
public struct MemoryOutput: ByteOutput {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws { self.bytes.append(contentsOf: bytes) }
}

/// Discards output while counting it, for benchmarks.
public struct CountingOutput: ByteOutput {
    public private(set) var count = 0
    public init() {}
    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws { count += bytes.count }
}

/// Buffers small writes and passes them on in large blocks. Not copyable: it owns its buffer, which is freed
/// when it goes out of scope (also when a run throws).
struct BufferedOutput<Output: ByteOutput>: ~Copyable {
    var output: Output
    var buffer: OutputBuffer
    let limit: Int
    /// Bytes already passed on, so that `flushedCount + buffer.count` is the output offset.
    var flushedCount = 0

    init(_ output: Output, limit: Int = 256 * 1024) {
        self.output = output
        self.limit = limit
        buffer = OutputBuffer(capacity: limit + 64 * 1024)
    }

    mutating func flushIfFull() throws {
        if buffer.count >= limit { try flush() }
    }

    mutating func flush() throws {
        guard buffer.count > 0 else { return }
        try output.write(UnsafeRawBufferPointer(buffer.bytes))
        flushedCount += buffer.count
        buffer.removeAll()
    }

    /// Frees the large buffer now rather than at the end of the scope (which frees it on every path, a thrown
    /// error included); the output is kept.
    mutating func close() { buffer = OutputBuffer(capacity: 0) }
}
