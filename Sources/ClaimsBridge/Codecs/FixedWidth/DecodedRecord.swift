/// Where each field of one decoded message lies, as byte spans into the message.
///
/// Reused from message to message so decoding does not allocate once its arrays have grown.
package struct DecodedRecord: Sendable {
    /// A field's position inside the message.
    package struct Span: Sendable {
        package var offset: Int32
        package var length: Int32
    }

    package var spans: [Span] = []
    /// For root fields: the span index, or -1 when the field is absent.
    package var rootSpan: [Int32] = []
    /// For each group: the span index of its first field in its first instance.
    package var groupStart: [Int32] = []
    /// For each group: how many instances were read (0 or 1 for a conditional block).
    package var groupCount: [Int32] = []
    /// Numeric values of count, flag and length fields, by field index.
    package var controlValues: [Int] = []

    package init() {}

    mutating func reset(for layout: RecordLayout) {
        spans.removeAll(keepingCapacity: true)
        if rootSpan.count != layout.fields.count {
            rootSpan = Array(repeating: -1, count: layout.fields.count)
            controlValues = Array(repeating: 0, count: layout.fields.count)
        } else {
            for i in rootSpan.indices { rootSpan[i] = -1 }
        }
        if groupStart.count != layout.groups.count {
            groupStart = Array(repeating: 0, count: layout.groups.count)
            groupCount = Array(repeating: 0, count: layout.groups.count)
        } else {
            for i in groupCount.indices { groupCount[i] = 0 }
        }
    }

    /// The span of `field` at the root, or in instance `instance` of its group.
    @inline(__always)
    package func span(of field: Int, instance: Int, in layout: RecordLayout) -> Span? {
        if let group = layout.fields[field].group {
            guard instance < groupCount[group] else { return nil }
            let fieldsPerInstance = layout.groups[group].fields.count
            let index =
                Int(groupStart[group]) + instance * fieldsPerInstance + (field - layout.groups[group].fields.lowerBound)
            return spans[index]
        }
        let index = rootSpan[field]
        return index < 0 ? nil : spans[Int(index)]
    }
}
