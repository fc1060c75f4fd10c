/// Reads embedded messages (G40) for a mapping: dispatches on the embedded message's own header.
package protocol EmbeddedMessageReader {
    /// Decodes a complete embedded message and appends its model object.
    func appendModelJSON(
        embedded message: UnsafeBufferPointer<UInt8>, baseOffset: Int, depth: Int, to output: inout OutputBuffer
    ) throws(BridgeError)
}

extension Mapping {
    /// Appends the model's JSON form of a decoded message (one object, no newline).
    /// - Throws: ``BridgeError`` for a code missing from its table, a wrong constant, or a bad embedded message.
    package func appendJSON(
        of record: DecodedRecord, message: UnsafeBufferPointer<UInt8>, baseOffset: Int,
        embedded: (any EmbeddedMessageReader)?, depth: Int = 0, to output: inout OutputBuffer
    ) throws(BridgeError) {
        let view = record.view
        for check in constantChecks {
            let span = Int(view.rootSpan[check.field])
            guard span >= 0 else { continue }
            let range = Int(view.spanOffset[span])..<Int(view.spanOffset[span] + view.spanLength[span])
            let bytes = UnsafeBufferPointer(rebasing: message[range])
            if !bytes.elementsEqual(check.bytes) {
                let field = layout.fields[check.field]
                throw BridgeError(
                    .unexpectedConstant,
                    "must be \"\(String(decoding: check.bytes, as: UTF8.self))\" for this layout, but it is \"\(String(decoding: bytes, as: UTF8.self))\"",
                    at: .init(byteOffset: baseOffset + range.lowerBound, fieldID: field.id, fieldName: field.name))
            }
        }
        let emitter = ModelJSONEmitter(
            mapping: self, record: view, message: message, baseOffset: baseOffset, embedded: embedded, depth: depth)
        output.append(headerBytes)
        _ = try emitter.emitMembers(of: tables.root, instance: 0, first: false, to: &output)
        output.append(UInt8(ascii: "}"))
    }
}

/// Walks a mapping's JSON shape over one decoded record. Everything it reads is a plain value behind a
/// pointer, so the walk does no reference counting.
private struct ModelJSONEmitter {
    let mapping: Mapping
    let record: DecodedRecord.View
    let message: UnsafeBufferPointer<UInt8>
    let baseOffset: Int
    let embedded: (any EmbeddedMessageReader)?
    let depth: Int
    let nodes: UnsafeMutablePointer<MappingTables.Node>
    let children: UnsafeMutablePointer<Int32>
    let rules: UnsafeMutablePointer<MappingTables.Rule>
    let entries: UnsafeMutablePointer<MappingTables.Entry>
    let tables: UnsafeMutablePointer<MappingTables.Table>
    let slotFields: UnsafeMutablePointer<Int32>
    let pool: UnsafeMutablePointer<UInt8>
    let fields: UnsafeMutablePointer<LayoutTables.Field>
    let groups: UnsafeMutablePointer<LayoutTables.Group>
    let spanOffset: UnsafeMutablePointer<Int32>
    let spanLength: UnsafeMutablePointer<Int32>
    let groupCount: UnsafeMutablePointer<Int32>
    let groupStart: UnsafeMutablePointer<Int32>
    let rootSpan: UnsafeMutablePointer<Int32>

    init(
        mapping: Mapping, record: DecodedRecord.View, message: UnsafeBufferPointer<UInt8>, baseOffset: Int,
        embedded: (any EmbeddedMessageReader)?, depth: Int
    ) {
        self.mapping = mapping
        self.record = record
        self.message = message
        self.baseOffset = baseOffset
        self.embedded = embedded
        self.depth = depth
        let tables = mapping.tables
        nodes = tables.nodes.base
        children = tables.children.base
        rules = tables.rules.base
        entries = tables.entries.base
        self.tables = tables.tables.base
        slotFields = tables.slotFields.base
        pool = tables.pool.base
        fields = mapping.layout.tables.fields.base
        groups = mapping.layout.tables.groups.base
        spanOffset = record.spanOffset
        spanLength = record.spanLength
        groupCount = record.groupCount
        groupStart = record.groupStart
        rootSpan = record.rootSpan
    }

    @inline(__always)
    private func append<Start: BinaryInteger, Length: BinaryInteger>(
        _ start: Start, _ length: Length, to output: inout OutputBuffer
    ) {
        output.append(pool + Int(start), count: Int(length))
    }

    /// Appends `"key":`, with a comma before it unless it is the object's first member.
    @inline(__always)
    private func writeKey(_ node: MappingTables.Node, isFirst: Bool, to output: inout OutputBuffer) {
        if isFirst {
            append(node.keyStart &+ 1, node.keyLength &- 1, to: &output)
        } else {
            append(node.keyStart, node.keyLength, to: &output)
        }
    }

    /// Appends `,"key":value` for each child of `node` that has a value; returns whether any was written.
    func emitMembers(of node: Int, instance: Int, first: Bool, to output: inout OutputBuffer) throws(BridgeError)
        -> Bool
    {
        let spec = nodes[node]
        var isFirst = first
        var wrote = false
        var position = Int(spec.childStart)
        let endPosition = position &+ Int(spec.childCount)
        while position < endPosition {
            let child = Int(children[position])
            position &+= 1
            let childSpec = nodes[child]
            if childSpec.kind == .value {
                let span: Int
                if childSpec.fieldGroup < 0 {
                    span = Int(rootSpan[Int(childSpec.field)])
                } else {
                    let group = Int(childSpec.fieldGroup)
                    guard instance < Int(groupCount[group]) else { continue }
                    span =
                        Int(groupStart[group]) &+ instance &* Int(childSpec.groupFieldCount)
                        &+ Int(childSpec.fieldInGroup)
                }
                guard span >= 0 else { continue }
                let start = Int(spanOffset[span])
                let bytes = UnsafeBufferPointer(start: message.baseAddress! + start, count: Int(spanLength[span]))
                switch childSpec.transform {
                case .text:
                    // A variable-length field (attachment data, F47) is opaque: its length says where it ends,
                    // so its trailing spaces are content and are kept byte for byte.
                    let end =
                        fields[Int(childSpec.field)].width < 0
                        ? bytes.count : JSONWriter.lengthWithoutTrailingSpaces(bytes)
                    if childSpec.omitEmpty && end == 0 { continue }
                    if childSpec.rule >= 0, !rules[Int(childSpec.rule)].normalize.isEmpty {
                        try checkWrittenBackAsReceived(
                            UnsafeBufferPointer(start: bytes.baseAddress, count: end), rules[Int(childSpec.rule)],
                            at: start)
                    }
                    writeKey(childSpec, isFirst: isFirst, to: &output)
                    JSONWriter.appendCodePage850String(
                        UnsafeBufferPointer(start: bytes.baseAddress, count: end), to: &output)
                case .digits:
                    if childSpec.omitEmpty && isAllZeros(bytes) { continue }
                    writeKey(childSpec, isFirst: isFirst, to: &output)
                    output.reserve(bytes.count &+ 2)
                    output.append(UInt8(ascii: "\""))
                    output.append(bytes)
                    output.append(UInt8(ascii: "\""))
                case .integer:
                    if childSpec.omitEmpty && isAllZeros(bytes) { continue }
                    writeKey(childSpec, isFirst: isFirst, to: &output)
                    JSONWriter.appendInteger(digits: bytes, to: &output)
                case .money:
                    if childSpec.omitEmpty && isAllZeros(bytes) { continue }
                    writeKey(childSpec, isFirst: isFirst, to: &output)
                    JSONWriter.appendMoney(bytes, to: &output)
                case .date:
                    if isAllZeros(bytes) { continue }
                    writeKey(childSpec, isFirst: isFirst, to: &output)
                    JSONWriter.appendDate(bytes, to: &output)
                case .codes, .embedded:
                    let value = Value(
                        transform: childSpec.transform, omitEmpty: childSpec.omitEmpty, table: childSpec.table,
                        field: childSpec.field)
                    let end =
                        childSpec.transform == .codes ? JSONWriter.lengthWithoutTrailingSpaces(bytes) : bytes.count
                    guard let entry = try present(value, bytes, trimmedEnd: end, at: start) else { continue }
                    writeKey(childSpec, isFirst: isFirst, to: &output)
                    try writeValue(value, bytes, entry: entry, trimmedEnd: end, at: start, to: &output)
                }
                isFirst = false
                wrote = true
                continue
            }
            let mark = output.count
            writeKey(childSpec, isFirst: isFirst, to: &output)
            if try emitContainer(child, childSpec, instance: instance, to: &output) {
                isFirst = false
                wrote = true
            } else {
                output.truncate(to: mark)
            }
        }
        return wrote
    }

    /// Appends an object, array or slots value; returns false when it is absent.
    private func emitContainer(
        _ node: Int, _ spec: MappingTables.Node, instance: Int, to output: inout OutputBuffer
    ) throws(BridgeError) -> Bool {
        switch spec.kind {
        case .value:
            return false
        case .object:
            output.append(UInt8(ascii: "{"))
            let wrote = try emitMembers(of: node, instance: instance, first: true, to: &output)
            output.append(UInt8(ascii: "}"))
            return wrote || spec.always
        case .conditional:
            guard groupCount[Int(spec.group)] > 0 else { return false }
            output.append(UInt8(ascii: "{"))
            _ = try emitMembers(of: node, instance: 0, first: true, to: &output)
            output.append(UInt8(ascii: "}"))
            return true
        case .array:
            let count = Int(groupCount[Int(spec.group)])
            guard count > 0 else { return false }
            output.append(UInt8(ascii: "["))
            for index in 0..<count {
                if index != 0 { output.append(UInt8(ascii: ",")) }
                output.append(UInt8(ascii: "{"))
                _ = try emitMembers(of: node, instance: index, first: true, to: &output)
                output.append(UInt8(ascii: "}"))
            }
            output.append(UInt8(ascii: "]"))
            return true
        case .slots:
            // A slot's position is its meaning (lab #2 is written in lab #2's fields), so an empty slot before a
            // filled one is written too, with its empty values; only empty slots at the end are left out.
            let first = Int(spec.childStart)
            var end = first + Int(spec.childCount)
            while end > first && slotIsEmpty(nodes[Int(children[end - 1])], instance: instance) { end -= 1 }
            guard end > first else { return false }
            output.append(UInt8(ascii: "["))
            for position in first..<end {
                if position != first { output.append(UInt8(ascii: ",")) }
                output.append(UInt8(ascii: "{"))
                _ = try emitMembers(of: Int(children[position]), instance: instance, first: true, to: &output)
                output.append(UInt8(ascii: "}"))
            }
            output.append(UInt8(ascii: "]"))
            return true
        }
    }

    private func slotIsEmpty(_ slot: MappingTables.Node, instance: Int) -> Bool {
        for position in Int(slot.slotFieldStart)..<(Int(slot.slotFieldStart) + Int(slot.slotFieldCount)) {
            let field = Int(slotFields[position])
            let span = record.spanIndex(of: field, instance: instance, fields: fields, groups: groups)
            guard span >= 0 else { continue }
            let pad = fields[field].type.padByte
            let start = Int(spanOffset[span])
            var i = start
            let end = start &+ Int(spanLength[span])
            while i < end {
                if message[i] != pad { return false }
                i &+= 1
            }
        }
        return true
    }

    /// What reading a value needs from its node.
    private struct Value {
        var transform: MappingTables.TransformKind
        var omitEmpty: Bool
        var table: Int16
        var field: UInt16
    }

    /// Whether a code or embedded message is written, and for codes the entry found: nil when absent.
    @inline(__always)
    private func present(
        _ rule: Value, _ bytes: UnsafeBufferPointer<UInt8>, trimmedEnd end: Int, at start: Int
    ) throws(BridgeError) -> Int? {
        switch rule.transform {
        case .text, .digits, .integer, .money, .date:
            break
        case .embedded:
            if bytes.isEmpty || embedded == nil { return nil }
        case .codes:
            let code = UnsafeBufferPointer(start: bytes.baseAddress, count: end)
            let table = tables[Int(rule.table)]
            var index = Int(table.entryStart)
            let last = index &+ Int(table.entryCount) &+ Int(table.aliasCount)
            while index < last {
                let entry = entries[index]
                if Int(entry.codeLength) == end {
                    let known = pool + Int(entry.codeStart)
                    var at = 0
                    while at < end && known[at] == code[at] { at &+= 1 }
                    if at == end {
                        if index >= Int(table.entryStart) &+ Int(table.entryCount) { throw aliasRead(rule, index, at: start) }
                        return index
                    }
                }
                index &+= 1
            }
            if end == 0 || (fields[Int(rule.field)].type == .numeric && isAllZeros(bytes)) { return nil }
            throw unknownCode(rule, code, at: start)
        }
        return -1
    }

    private func writeValue(
        _ rule: Value, _ bytes: UnsafeBufferPointer<UInt8>, entry: Int, trimmedEnd end: Int,
        at start: Int, to output: inout OutputBuffer
    ) throws(BridgeError) {
        switch rule.transform {
        case .text, .digits, .integer, .money, .date:
            break
        case .codes:
            let found = entries[entry]
            append(found.jsonStart, found.jsonLength, to: &output)
        case .embedded:
            do throws(BridgeError) {
                try embedded!.appendModelJSON(
                    embedded: bytes, baseOffset: baseOffset + start, depth: depth + 1, to: &output)
            } catch {
                let field = mapping.layout.fields[Int(rule.field)]
                var wrapped = error
                wrapped.reason = "the embedded message in \(field.id) is not valid: " + error.reason
                throw wrapped
            }
        }
    }

    /// Refuses a text value that the field's `normalize:` rule would change when the message is written back
    /// (a lower-case initial, a policy number with spaces): read, it could not be written back as received.
    @inline(never)
    private func checkWrittenBackAsReceived(
        _ text: UnsafeBufferPointer<UInt8>, _ rule: MappingTables.Rule, at start: Int
    ) throws(BridgeError) {
        var utf8: [UInt8] = []
        CodePage850.appendUTF8(of: text, to: &utf8)
        let normalized = utf8.withUnsafeBufferPointer { rule.normalize.apply(to: $0) }
        guard normalized != utf8 else { return }
        let field = mapping.layout.fields[Int(rule.field)]
        var how: [String] = []
        if rule.normalize.contains(.upperCase) { how.append("in capitals") }
        if rule.normalize.contains(.removeSpacesAndDashes) { how.append("without spaces or dashes") }
        throw BridgeError(
            .notReversible,
            "is always written \(how.joined(separator: " and ")), and this value is not, so the message could not be written back as received",
            at: .init(byteOffset: baseOffset + start, fieldID: field.id, fieldName: field.name))
    }

    /// Refuses a code that its table reads as a synonym (an alias, such as the French `O` for `Y`): it would be
    /// written back as the code it stands for, not as received.
    @inline(never)
    private func aliasRead(_ rule: Value, _ entry: Int, at start: Int) -> BridgeError {
        let field = mapping.layout.fields[Int(rule.field)]
        let found = entries[entry]
        let canonical = entries[Int(found.canonical)]
        let code = { (entry: MappingTables.Entry) in
            String(decoding: UnsafeBufferPointer(start: pool + Int(entry.codeStart), count: Int(entry.codeLength)), as: UTF8.self)
        }
        let shown = field.isPersonal
            ? "an alias of another code, which would be written back as that code"
            : "\"\(code(found))\", an alias of \"\(code(canonical))\", which would be written back as \"\(code(canonical))\""
        return BridgeError(
            .notReversible, "holds \(shown), so the message could not be written back as received",
            at: .init(byteOffset: baseOffset + start, fieldID: field.id, fieldName: field.name))
    }

    @inline(never)
    private func unknownCode(_ rule: Value, _ code: UnsafeBufferPointer<UInt8>, at start: Int) -> BridgeError {
        let field = mapping.layout.fields[Int(rule.field)]
        let table = mapping.tables.codeTables[Int(rule.table)]
        let shown = field.isPersonal ? "" : " \"\(String(decoding: code, as: UTF8.self))\""
        return BridgeError(
            .unknownCode,
            "holds the code\(shown), which is not one of the codes this field may hold (\(table.codeList))",
            at: .init(byteOffset: baseOffset + start, fieldID: field.id, fieldName: field.name))
    }

    @inline(__always)
    private func isAllZeros(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < bytes.count {
            if bytes[i] != UInt8(ascii: "0") { return false }
            i &+= 1
        }
        return true
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
