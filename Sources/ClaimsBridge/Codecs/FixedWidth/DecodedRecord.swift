/// Where each field of one decoded message lies, as byte spans into the message.
///
/// Reused from message to message: its storage grows to the largest message seen and is never freed while
/// the record lives, so decoding does not allocate. Not thread-safe; give each reader its own.
package final class DecodedRecord {
    /// Offset and length of every field read, in wire order.
    package private(set) var spanOffset: UnsafeMutablePointer<Int32>
    package private(set) var spanLength: UnsafeMutablePointer<Int32>
    package private(set) var spanCount = 0
    private var spanCapacity: Int
    /// For root fields: the span index, or -1 when the field is absent.
    package private(set) var rootSpan: UnsafeMutablePointer<Int32>
    /// For each group: the span index of its first field in its first instance, and the instances read.
    package private(set) var groupStart: UnsafeMutablePointer<Int32>
    package private(set) var groupCount: UnsafeMutablePointer<Int32>
    /// Numeric values of count, flag and length fields, by field index.
    package private(set) var controlValues: UnsafeMutablePointer<Int>
    private var fieldCapacity: Int
    private var groupCapacity: Int
    /// The layout last decoded into this record.
    package private(set) weak var layout: RecordLayout?

    package init() {
        spanCapacity = 256
        fieldCapacity = 128
        groupCapacity = 8
        spanOffset = .allocate(capacity: spanCapacity)
        spanLength = .allocate(capacity: spanCapacity)
        rootSpan = .allocate(capacity: fieldCapacity)
        controlValues = .allocate(capacity: fieldCapacity)
        groupStart = .allocate(capacity: groupCapacity)
        groupCount = .allocate(capacity: groupCapacity)
    }

    deinit {
        spanOffset.deallocate()
        spanLength.deallocate()
        rootSpan.deallocate()
        controlValues.deallocate()
        groupStart.deallocate()
        groupCount.deallocate()
    }

    /// Prepares for a message of `layout`.
    @inline(__always)
    func reset(for layout: RecordLayout) {
        let fields = layout.fields.count
        let groups = layout.groups.count
        if fields > fieldCapacity {
            rootSpan.deallocate()
            controlValues.deallocate()
            fieldCapacity = fields
            rootSpan = .allocate(capacity: fields)
            controlValues = .allocate(capacity: fields)
        }
        if groups > groupCapacity {
            groupStart.deallocate()
            groupCount.deallocate()
            groupCapacity = groups
            groupStart = .allocate(capacity: groups)
            groupCount = .allocate(capacity: groups)
        }
        rootSpan.update(repeating: -1, count: fields)
        controlValues.update(repeating: 0, count: fields)
        groupStart.update(repeating: 0, count: max(groups, 1))
        groupCount.update(repeating: 0, count: max(groups, 1))
        spanCount = 0
        self.layout = layout
    }

    /// Records a field's span and returns its index.
    @inline(__always)
    func appendSpan(offset: Int, length: Int) -> Int {
        if spanCount == spanCapacity { growSpans() }
        spanOffset[spanCount] = Int32(truncatingIfNeeded: offset)
        spanLength[spanCount] = Int32(truncatingIfNeeded: length)
        spanCount += 1
        return spanCount - 1
    }

    @inline(__always) func setRootSpan(_ field: Int, _ span: Int) { rootSpan[field] = Int32(span) }
    @inline(__always) func setGroup(_ group: Int, start: Int, count: Int) {
        groupStart[group] = Int32(start)
        groupCount[group] = Int32(count)
    }
    @inline(__always) func setControl(_ field: Int, _ value: Int) { controlValues[field] = value }

    private func growSpans() {
        let capacity = spanCapacity * 2
        let offsets = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
        let lengths = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
        offsets.update(from: spanOffset, count: spanCount)
        lengths.update(from: spanLength, count: spanCount)
        spanOffset.deallocate()
        spanLength.deallocate()
        spanOffset = offsets
        spanLength = lengths
        spanCapacity = capacity
    }

    /// The span index of `field` at the root, or in instance `instance` of its group; -1 when absent.
    @inline(__always)
    package func spanIndex(of field: Int, instance: Int, fields: UnsafeMutablePointer<LayoutTables.Field>,
        groups: UnsafeMutablePointer<LayoutTables.Group>
    ) -> Int {
        let group = Int(fields[field].group)
        if group >= 0 {
            guard instance < groupCount[group] else { return -1 }
            let spec = groups[group]
            return Int(groupStart[group]) + instance * Int(spec.fieldCount) + (field - Int(spec.firstField))
        }
        return Int(rootSpan[field])
    }

    /// The byte range of `field` in the message, or nil when absent.
    package func range(of field: Int, instance: Int) -> Range<Int>? {
        guard let layout else { return nil }
        let index = spanIndex(of: field, instance: instance, fields: layout.tables.fields.base, groups: layout.tables.groups.base)
        guard index >= 0 else { return nil }
        let start = Int(spanOffset[index])
        return start..<(start + Int(spanLength[index]))
    }

    /// How many instances of a group were read.
    package func count(ofGroup group: Int) -> Int { Int(groupCount[group]) }
}
