/// Where each field of one decoded message lies, as byte spans into the message.
///
/// Reused from message to message: its storage grows to the largest message seen and is never freed while
/// the record lives, so decoding does not allocate. Not thread-safe; give each reader its own.
package final class DecodedRecord {
    /// Offset and length of every field read, in wire order.
    package private(set) var spanOffset: UnsafeMutablePointer<Int32>
    package private(set) var spanLength: UnsafeMutablePointer<Int32>
    package internal(set) var spanCount = 0
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
    /// The layout last decoded into this record (unowned: the catalog outlives every record).
    package private(set) unowned(unsafe) var layout: RecordLayout?

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

    /// Prepares for a message of `layout` with room for `spans` field spans.
    @inline(__always)
    func reset(for layout: RecordLayout, spans: Int) {
        if spans > spanCapacity {
            spanCapacity = spans
            spanOffset = .replacing(spanOffset, capacity: spans)
            spanLength = .replacing(spanLength, capacity: spans)
        }
        let fields = layout.fields.count
        let groups = layout.groups.count
        if fields > fieldCapacity {
            fieldCapacity = fields
            rootSpan = .replacing(rootSpan, capacity: fields)
            controlValues = .replacing(controlValues, capacity: fields)
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
        self.layout = layout
    }

    /// The pointers of this record for one message, read once so hot loops do not touch the class.
    package var view: View {
        View(
            spanOffset: spanOffset, spanLength: spanLength, rootSpan: rootSpan, groupStart: groupStart,
            groupCount: groupCount)
    }

    /// A decoded message's spans, as plain pointers.
    package struct View {
        package let spanOffset: UnsafeMutablePointer<Int32>
        package let spanLength: UnsafeMutablePointer<Int32>
        package let rootSpan: UnsafeMutablePointer<Int32>
        package let groupStart: UnsafeMutablePointer<Int32>
        package let groupCount: UnsafeMutablePointer<Int32>

        /// The span index of `field` at the root, or in instance `instance` of its group; -1 when absent.
        @inline(__always)
        package func spanIndex(
            of field: Int, instance: Int, fields: UnsafeMutablePointer<LayoutTables.Field>,
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
    }

    /// The byte range of `field` in the message, or nil when absent.
    package func range(of field: Int, instance: Int) -> Range<Int>? {
        guard let layout else { return nil }
        let index = view.spanIndex(
            of: field, instance: instance, fields: layout.tables.fields.base, groups: layout.tables.groups.base)
        guard index >= 0 else { return nil }
        let start = Int(spanOffset[index])
        return start..<(start + Int(spanLength[index]))
    }
}
