/// Where each field of a message being written lies, in the same shape as a ``DecodedRecord``, so that the
/// carrier rules check written bytes exactly as they check read ones. Reused from message to message.
package final class WrittenSpans {
    private var spanOffset: UnsafeMutablePointer<Int32>
    private var spanLength: UnsafeMutablePointer<Int32>
    private var spanCapacity = 256
    private var spanCount = 0
    private var rootSpan: UnsafeMutablePointer<Int32>
    private var fieldCapacity = 128
    private var groupStart: UnsafeMutablePointer<Int32>
    private var groupCount: UnsafeMutablePointer<Int32>
    private var groupCapacity = 8

    package init() {
        spanOffset = .allocate(capacity: spanCapacity)
        spanLength = .allocate(capacity: spanCapacity)
        rootSpan = .allocate(capacity: fieldCapacity)
        groupStart = .allocate(capacity: groupCapacity)
        groupCount = .allocate(capacity: groupCapacity)
    }

    deinit {
        spanOffset.deallocate()
        spanLength.deallocate()
        rootSpan.deallocate()
        groupStart.deallocate()
        groupCount.deallocate()
    }

    /// Starts a message of `layout`.
    func reset(fields: Int, groups: Int) {
        if fields > fieldCapacity {
            fieldCapacity = fields
            rootSpan = .replacing(rootSpan, capacity: fields)
        }
        if groups > groupCapacity {
            groupCapacity = groups
            groupStart = .replacing(groupStart, capacity: groups)
            groupCount = .replacing(groupCount, capacity: groups)
        }
        rootSpan.update(repeating: -1, count: fields)
        groupStart.update(repeating: 0, count: max(groups, 1))
        groupCount.update(repeating: 0, count: max(groups, 1))
        spanCount = 0
    }

    /// Records a field at the root.
    @inline(__always)
    func root(_ field: Int, offset: Int, length: Int) {
        rootSpan[field] = Int32(spanCount)
        add(offset: offset, length: length)
    }

    /// Starts the `count` instances of a group; their fields follow with ``add(offset:length:)``.
    @inline(__always)
    func group(_ group: Int, count: Int) {
        groupStart[group] = Int32(spanCount)
        groupCount[group] = Int32(count)
    }

    @inline(__always)
    func add(offset: Int, length: Int) {
        if spanCount == spanCapacity {
            let old = spanCapacity
            spanCapacity *= 2
            let offsets = UnsafeMutablePointer<Int32>.allocate(capacity: spanCapacity)
            let lengths = UnsafeMutablePointer<Int32>.allocate(capacity: spanCapacity)
            offsets.update(from: spanOffset, count: old)
            lengths.update(from: spanLength, count: old)
            spanOffset.deallocate()
            spanLength.deallocate()
            spanOffset = offsets
            spanLength = lengths
        }
        spanOffset[spanCount] = Int32(offset)
        spanLength[spanCount] = Int32(length)
        spanCount &+= 1
    }

    /// The spans as a record view, offsets relative to the message's first byte.
    var view: DecodedRecord.View {
        DecodedRecord.View(
            spanOffset: spanOffset, spanLength: spanLength, rootSpan: rootSpan, groupStart: groupStart,
            groupCount: groupCount)
    }
}
