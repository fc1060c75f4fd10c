#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Something bytes can be appended to: an array or an ``OutputBuffer``.
package protocol ByteAppending: ~Copyable {
    mutating func append(_ byte: UInt8)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>)
}

extension ByteAppending where Self: ~Copyable {
    /// Appends a string's UTF-8 bytes in one piece.
    @inline(__always)
    package mutating func append(utf8 text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    /// Appends a literal's bytes (`"null"`, `"&amp;"`).
    @inline(__always)
    package mutating func append(_ literal: StaticString) {
        append(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }
}

extension Array: ByteAppending where Element == UInt8 {
    @inline(__always)
    package mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) { append(contentsOf: bytes) }
}

/// A growable byte buffer for hot output paths: appending is a bounds check and a store, with none of
/// `Array`'s uniqueness checks.
///
/// It owns its memory and cannot be copied: the memory is freed when the buffer's life ends, on every path,
/// including a thrown error.
package struct OutputBuffer: ByteAppending, ~Copyable {
    package private(set) var base: UnsafeMutablePointer<UInt8>
    package private(set) var count = 0
    private var capacity: Int

    package init(capacity: Int = 64 * 1024) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// The bytes written so far.
    package var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    @inline(__always)
    package mutating func reserve(_ extra: Int) {
        if count &+ extra > capacity { grow(to: count &+ extra) }
    }

    @inline(never)
    private mutating func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    package mutating func append(_ byte: UInt8) {
        if count == capacity { grow(to: count + 1) }
        base[count] = byte
        count &+= 1
    }

    @inline(__always)
    package mutating func append(_ source: UnsafePointer<UInt8>, count length: Int) {
        reserve(length)
        let target = base + count
        // Short copies (keys, most field values) with two overlapping loads instead of a call to memcpy.
        if length >= 8 && length <= 16 {
            let raw = UnsafeRawPointer(source)
            let head = raw.loadUnaligned(as: UInt64.self)
            let tail = raw.loadUnaligned(fromByteOffset: length &- 8, as: UInt64.self)
            UnsafeMutableRawPointer(target).storeBytes(of: head, as: UInt64.self)
            UnsafeMutableRawPointer(target).storeBytes(of: tail, toByteOffset: length &- 8, as: UInt64.self)
        } else if length >= 4 && length < 8 {
            let raw = UnsafeRawPointer(source)
            let head = raw.loadUnaligned(as: UInt32.self)
            let tail = raw.loadUnaligned(fromByteOffset: length &- 4, as: UInt32.self)
            UnsafeMutableRawPointer(target).storeBytes(of: head, as: UInt32.self)
            UnsafeMutableRawPointer(target).storeBytes(of: tail, toByteOffset: length &- 4, as: UInt32.self)
        } else if length < 4 {
            var index = 0
            while index < length {
                target[index] = source[index]
                index &+= 1
            }
        } else {
            memcpy(target, source, length)
        }
        count &+= length
    }

    @inline(__always)
    package mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let address = bytes.baseAddress else { return }
        append(address, count: bytes.count)
    }

    package mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    @inline(__always)
    package mutating func append(repeating byte: UInt8, count length: Int) {
        reserve(length)
        memset(base + count, Int32(byte), length)
        count &+= length
    }

    /// The byte at `index`, which must be below ``count``.
    @inline(__always)
    package subscript(index: Int) -> UInt8 {
        get { base[index] }
        set { base[index] = newValue }
    }

    /// The bytes from `start` to the end.
    @inline(__always)
    package func suffix(from start: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + start, count: count &- start)
    }

    /// Drops everything after `length` bytes.
    @inline(__always)
    package mutating func truncate(to length: Int) { count = length }

    /// Empties the buffer, keeping its memory.
    package mutating func removeAll() { count = 0 }
}
