/// Reads embedded messages (G40) for a mapping: dispatches on the embedded message's own header.
package protocol EmbeddedMessageReader {
    /// Decodes a complete embedded message and appends its model object.
    func appendModelJSON(
        embedded message: UnsafeBufferPointer<UInt8>, baseOffset: Int, depth: Int, to output: inout [UInt8]
    ) throws(BridgeError)
}

extension Mapping {
    /// Appends the model's JSON form of a decoded message (one object, no newline).
    /// - Throws: ``BridgeError`` for a code missing from its table, a wrong constant, or a bad embedded message.
    package func appendJSON(
        of record: DecodedRecord, message: UnsafeBufferPointer<UInt8>, baseOffset: Int,
        embedded: (any EmbeddedMessageReader)?, depth: Int = 0, to output: inout [UInt8]
    ) throws(BridgeError) {
        for check in constantChecks {
            guard let span = record.span(of: check.field, instance: 0, in: layout) else { continue }
            let bytes = UnsafeBufferPointer(rebasing: message[Int(span.offset)..<Int(span.offset + span.length)])
            if !bytes.elementsEqual(check.bytes) {
                let field = layout.fields[check.field]
                throw BridgeError(
                    .unexpectedConstant,
                    "must be \"\(String(decoding: check.bytes, as: UTF8.self))\" for this layout, but it is \"\(String(decoding: bytes, as: UTF8.self))\"",
                    at: .init(
                        byteOffset: baseOffset + Int(span.offset), fieldID: field.id, fieldName: field.name))
            }
        }
        var writer = ModelJSONEmitter(
            mapping: self, record: record, message: message, baseOffset: baseOffset, embedded: embedded,
            depth: depth)
        output.append(contentsOf: headerBytes)
        guard case .object(let members, _) = emitPlan else { return }
        _ = try writer.emitMembers(members, instance: 0, first: false, to: &output)
        output.append(UInt8(ascii: "}"))
    }
}

/// Walks a mapping's emit plan over one decoded record.
private struct ModelJSONEmitter {
    let mapping: Mapping
    let record: DecodedRecord
    let message: UnsafeBufferPointer<UInt8>
    let baseOffset: Int
    let embedded: (any EmbeddedMessageReader)?
    let depth: Int

    init(
        mapping: Mapping, record: DecodedRecord, message: UnsafeBufferPointer<UInt8>, baseOffset: Int,
        embedded: (any EmbeddedMessageReader)?, depth: Int
    ) {
        self.mapping = mapping
        self.record = record
        self.message = message
        self.baseOffset = baseOffset
        self.embedded = embedded
        self.depth = depth
    }

    /// Appends `,"key":value` for each member that has a value; returns whether any was written.
    mutating func emitMembers(
        _ members: [EmitMember], instance: Int, first: Bool, to output: inout [UInt8]
    ) throws(BridgeError) -> Bool {
        var isFirst = first
        var wrote = false
        for member in members {
            let mark = output.count
            if !isFirst { output.append(UInt8(ascii: ",")) }
            output.append(contentsOf: member.keyBytes)
            if try emit(member.node, instance: instance, to: &output) {
                isFirst = false
                wrote = true
            } else {
                output.removeSubrange(mark...)
            }
        }
        return wrote
    }

    /// Appends one value; returns false (having written nothing that must stay) when it is absent.
    mutating func emit(_ node: EmitNode, instance: Int, to output: inout [UInt8]) throws(BridgeError) -> Bool {
        switch node {
        case .value(let rule):
            return try emitValue(mapping.rules[rule], instance: instance, to: &output)
        case .object(let members, let always):
            output.append(UInt8(ascii: "{"))
            let wrote = try emitMembers(members, instance: instance, first: true, to: &output)
            output.append(UInt8(ascii: "}"))
            return wrote || always
        case .array(let group, let element):
            let count = Int(record.groupCount[group])
            guard count > 0 else { return false }
            output.append(UInt8(ascii: "["))
            for index in 0..<count {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                _ = try emit(element, instance: index, to: &output)
            }
            output.append(UInt8(ascii: "]"))
            return true
        case .conditional(let group, let object):
            guard record.groupCount[group] > 0 else { return false }
            _ = try emit(object, instance: 0, to: &output)
            return true
        case .slots(_, let slots, let fields):
            output.append(UInt8(ascii: "["))
            var wroteAny = false
            for (index, slot) in slots.enumerated() where !slotIsEmpty(fields[index], instance: instance) {
                if wroteAny { output.append(UInt8(ascii: ",")) }
                _ = try emit(slot, instance: instance, to: &output)
                wroteAny = true
            }
            output.append(UInt8(ascii: "]"))
            return wroteAny
        }
    }

    private func slotIsEmpty(_ fields: [Int], instance: Int) -> Bool {
        for field in fields {
            guard let span = record.span(of: field, instance: instance, in: mapping.layout) else { continue }
            let pad = mapping.layout.fields[field].type.padByte
            for i in Int(span.offset)..<Int(span.offset + span.length) where message[i] != pad { return false }
        }
        return true
    }

    private func emitValue(_ rule: MappingRule, instance: Int, to output: inout [UInt8]) throws(BridgeError) -> Bool {
        guard let span = record.span(of: rule.field, instance: instance, in: mapping.layout) else { return false }
        let start = Int(span.offset)
        let bytes = UnsafeBufferPointer(rebasing: message[start..<(start + Int(span.length))])
        switch rule.transform {
        case .text:
            var end = bytes.count
            while end > 0 && bytes[end - 1] == 0x20 { end -= 1 }
            if end == 0 && rule.omitEmpty { return false }
            JSONWriter.appendCodePage850String(UnsafeBufferPointer(rebasing: bytes[0..<end]), to: &output)
        case .digits:
            if rule.omitEmpty && isAllZeros(bytes) { return false }
            output.append(UInt8(ascii: "\""))
            output.append(contentsOf: bytes)
            output.append(UInt8(ascii: "\""))
        case .integer:
            if rule.omitEmpty && isAllZeros(bytes) { return false }
            JSONWriter.appendInteger(digits: bytes, to: &output)
        case .money:
            if rule.omitEmpty && isAllZeros(bytes) { return false }
            JSONWriter.appendMoney(bytes, to: &output)
        case .date:
            if isAllZeros(bytes) { return false }
            JSONWriter.appendDate(bytes, to: &output)
        case .codes(let table):
            var end = bytes.count
            while end > 0 && bytes[end - 1] == 0x20 { end -= 1 }
            let code = UnsafeBufferPointer(rebasing: bytes[0..<end])
            guard let entry = table.entry(forCode: code) else {
                if end == 0 { return false }
                let field = mapping.layout.fields[rule.field]
                let shown = field.isPersonal ? "" : " \"\(String(decoding: code, as: UTF8.self))\""
                throw BridgeError(
                    .unknownCode,
                    "holds the code\(shown), which is not one of the codes this field may hold (\(table.codeList))",
                    at: .init(byteOffset: baseOffset + start, fieldID: field.id, fieldName: field.name))
            }
            JSONWriter.appendString(table.entries[entry].name[...], to: &output)
        case .embedded:
            if bytes.isEmpty { return false }
            guard let embedded else { return false }
            do throws(BridgeError) {
                try embedded.appendModelJSON(
                    embedded: bytes, baseOffset: baseOffset + start, depth: depth + 1, to: &output)
            } catch {
                let field = mapping.layout.fields[rule.field]
                var wrapped = error
                wrapped.reason = "the embedded message in \(field.id) is not valid: " + error.reason
                throw wrapped
            }
        }
        return true
    }

    @inline(__always)
    private func isAllZeros(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in bytes where byte != UInt8(ascii: "0") { return false }
        return true
    }
}
