/// An immutable array of plain values in memory of its own, for hot loops: reading an element is a pointer
/// load, with no reference counting and no copy-on-write checks.
///
/// Take ``base`` into a local before a loop; it stays valid as long as the table is alive.
package final class FlatTable<Element: BitwiseCopyable>: @unchecked Sendable {
    package let base: UnsafeMutablePointer<Element>
    package let count: Int

    package init(_ elements: [Element]) {
        count = elements.count
        base = .allocate(capacity: max(count, 1))
        elements.withUnsafeBufferPointer { source in
            if let address = source.baseAddress { base.initialize(from: address, count: count) }
        }
    }

    deinit { base.deallocate() }

    @inline(__always) package subscript(index: Int) -> Element { base[index] }
}

extension UnsafeMutablePointer {
    /// Frees `old` and returns new, uninitialised memory for `capacity` elements; the old contents are not kept.
    static func replacing(_ old: UnsafeMutablePointer<Pointee>, capacity: Int) -> UnsafeMutablePointer<Pointee> {
        old.deallocate()
        return .allocate(capacity: capacity)
    }
}
