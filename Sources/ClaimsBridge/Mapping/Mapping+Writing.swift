/// Writes embedded messages (G40) for a mapping: picks the embedded object's own mapping.
package protocol EmbeddedMessageWriter {
    /// Appends the complete message for the model object at `object`.
    func appendMessage(
        embedded object: Int, in tape: JSONTape, depth: Int, to output: inout OutputBuffer
    ) throws(BridgeError)
}

extension Mapping {
    /// Appends the wire message for the model object at token `object` of `tape`.
    ///
    /// Count, flag and length fields are computed; the message length field is filled in last.
    /// - Throws: ``BridgeError`` naming the model path and field: a value missing, too long, of the wrong
    ///   kind, not in a code table, a character the field cannot carry, or a key the mapping does not know.
    package func appendMessage(
        from tape: JSONTape, object: Int, embedded: (any EmbeddedMessageWriter)?, depth: Int = 0,
        values: ModelValues = ModelValues(), to output: inout OutputBuffer
    ) throws(BridgeError) {
        if let notReversibleBecause { throw notReversibleBecause }
        do {
            try ModelDocumentWalker(mapping: self, tape: tape, values: values).walk(root: object)
        } catch {
            guard carrierRules != nil, error.location.fieldID != nil else { throw error }
            var located = error
            located.problems = [carrierProblem(from: error)]
            throw located
        }
        var writer = ModelMessageWriter(mapping: self, tape: tape, values: values, embedded: embedded, depth: depth)
        let start = output.count
        do {
            try writer.write(to: &output)
        } catch {
            guard carrierRules != nil else { throw error }
            // The problem the writer stopped at, with its CDAnet code, and whatever else is missing.
            let first = carrierProblem(from: error)
            let missing = missingValues(in: values).filter { $0.fieldID != first.fieldID }
            var combined = error
            combined.problems = [first] + missing
            if !missing.isEmpty {
                combined.reason +=
                    "; a carrier would also reject this claim for:\n"
                    + missing.map { "    - \($0.description)" }.joined(separator: "\n")
            }
            throw combined
        }
        guard carrierRules != nil else { return }
        let problems = carrierProblems(
            ofWritten: UnsafeBufferPointer(start: output.base + start, count: output.count - start), values: values)
        if !problems.isEmpty {
            output.truncate(to: start)
            throw .carrierWouldReject(problems)
        }
    }
}

/// Fills a layout's fields from the values a ``ModelDocumentWalker`` found.
private struct ModelMessageWriter {
    let mapping: Mapping
    let tape: JSONTape
    let values: ModelValues
    let embedded: (any EmbeddedMessageWriter)?
    let depth: Int
    let fields: UnsafeMutablePointer<LayoutTables.Field>
    let groups: UnsafeMutablePointer<LayoutTables.Group>
    let rules: UnsafeMutablePointer<MappingTables.Rule>
    let sources: UnsafeMutablePointer<Mapping.Source>
    let constants: UnsafeMutablePointer<UInt8>
    let tables: MappingTables
    /// Bytes of a variable-length field, encoded early to fill its length field.
    var pending: [UInt8] = []

    init(mapping: Mapping, tape: JSONTape, values: ModelValues, embedded: (any EmbeddedMessageWriter)?, depth: Int) {
        self.mapping = mapping
        self.tape = tape
        self.values = values
        self.embedded = embedded
        self.depth = depth
        fields = mapping.layout.tables.fields.base
        groups = mapping.layout.tables.groups.base
        rules = mapping.tables.rules.base
        sources = mapping.sourceTable.base
        constants = mapping.constantPool.base
        tables = mapping.tables
    }

    mutating func write(to output: inout OutputBuffer) throws(BridgeError) {
        let start = output.count
        var lengthPosition = -1
        let items = mapping.layout.tables.items
        let spans = values.spans
        spans.reset(fields: mapping.layout.fields.count, groups: mapping.layout.groups.count)
        for itemIndex in 0..<items.count {
            let item = Int(items.base[itemIndex])
            if item >= 0 {
                if fields[item].role == .messageLength { lengthPosition = output.count }
                let before = output.count
                try writeField(item, instance: 0, to: &output)
                spans.root(item, offset: before - start, length: output.count - before)
            } else {
                let group = -item - 1
                let spec = groups[group]
                let first = Int(spec.firstField)
                let instances = count(of: group)
                spans.group(group, count: instances)
                for instance in 0..<instances {
                    for field in first..<(first + Int(spec.fieldCount)) {
                        let before = output.count
                        try writeField(field, instance: instance, to: &output)
                        spans.add(offset: before - start, length: output.count - before)
                    }
                }
            }
        }
        let length = output.count - start
        let width = mapping.layout.lengthFieldWidth
        guard length < power10(width) else {
            let field = mapping.layout.fields[mapping.layout.lengthField]
            throw BridgeError(
                .valueTooLong,
                "the message would be \(length) bytes, more than \(field.id) (\(width) digits) can state",
                at: .init(fieldID: field.id, fieldName: field.name))
        }
        writeNumber(length, width: width, at: lengthPosition, in: &output)
    }

    /// Elements of a repeating group, or 1/0 for a conditional block.
    private func count(of group: Int) -> Int {
        let presence = mapping.presenceTable.base[group]
        if presence.count > 0 {
            let ruleList = mapping.presenceRules.base
            for position in Int(presence.start)..<Int(presence.start + presence.count) {
                if values.token(Int(rules[Int(ruleList[position])].valueBase)) >= 0 { return 1 }
            }
            return 0
        }
        return Int(values.groupCounts[group])
    }

    private mutating func writeField(_ index: Int, instance: Int, to output: inout OutputBuffer) throws(BridgeError) {
        let field = fields[index]
        switch field.role {
        case .messageLength:
            output.append(repeating: UInt8(ascii: "0"), count: Int(field.width))
        case .count:
            let group = Int(field.roleTarget)
            let value = count(of: group)
            if value < Int(groups[group].minimum) && !(mapping.carrierRules?.checkedCounts.contains(index) ?? false) {
                let spec = mapping.layout.groups[group]
                throw BridgeError(
                    .missingValue,
                    "needs at least \(groups[group].minimum) entr\(groups[group].minimum == 1 ? "y" : "ies"), but has \(value)",
                    at: .init(
                        fieldID: mapping.layout.fields[index].id, fieldName: mapping.layout.fields[index].name,
                        modelPath: mapping.groupPaths[group]?.text ?? spec.name))
            }
            try writeCount(value, index, to: &output)
        case .flag:
            try writeCount(count(of: Int(field.roleTarget)) > 0 ? 1 : 0, index, to: &output)
        case .length:
            var scratch = OutputBuffer(capacity: 4096)
            try writeData(Int(field.roleTarget), instance: instance, to: &scratch)
            pending = Array(scratch.bytes)
            try writeCount(pending.count, index, to: &output)
        case .data:
            if field.lengthSource >= 0 {
                output.append(pending)
                pending.removeAll(keepingCapacity: true)
            } else {
                try writeData(index, instance: instance, to: &output)
            }
        }
    }

    private func writeCount(_ value: Int, _ index: Int, to output: inout OutputBuffer) throws(BridgeError) {
        let width = Int(fields[index].width)
        guard value < power10(width) else {
            let field = mapping.layout.fields[index]
            throw BridgeError(
                .valueTooLong, "needs the value \(value), which does not fit in \(width) digits",
                at: .init(fieldID: field.id, fieldName: field.name))
        }
        let position = output.count
        output.append(repeating: UInt8(ascii: "0"), count: width)
        writeNumber(value, width: width, at: position, in: &output)
    }

    @inline(__always)
    private func writeNumber(_ value: Int, width: Int, at position: Int, in output: inout OutputBuffer) {
        var remaining = value
        var i = position + width - 1
        while i >= position {
            output[i] = UInt8(ascii: "0") &+ UInt8(remaining % 10)
            remaining /= 10
            i -= 1
        }
    }

    private func power10(_ exponent: Int) -> Int { (0..<min(exponent, 18)).reduce(1) { value, _ in value * 10 } }

    /// Writes a data field from its source (rule, constant or fill).
    private func writeData(_ index: Int, instance: Int, to output: inout OutputBuffer) throws(BridgeError) {
        let field = fields[index]
        let source = sources[index]
        switch source.kind {
        case .fill, .derived:
            if field.lengthSource < 0 { output.append(repeating: field.fill, count: Int(field.width)) }
        case .constant:
            output.append(constants + Int(source.start), count: Int(source.length))
        case .rule:
            let rule = rules[Int(source.rule)]
            let token = values.token(Int(rule.valueBase) + instance)
            let start = output.count
            do throws(BridgeError) {
                if token < 0 {
                    try writeAbsent(source, rule, field, to: &output)
                } else if rule.transform == .embedded {
                    guard tape.kind(token) == .object else {
                        throw BridgeError(
                            .wrongValueType, "must be an object", at: .init(byteOffset: tape.offset(token)))
                    }
                    guard let embedded, depth < 3 else {
                        throw BridgeError(.embeddedMessage, "embedded messages nest too deeply")
                    }
                    try embedded.appendMessage(embedded: token, in: tape, depth: depth + 1, to: &output)
                } else {
                    try ValueEncoder.write(
                        token: token, in: tape, rule: rule, field: field, tables: tables, to: &output)
                }
            } catch {
                output.truncate(to: start)
                throw located(error, field: index, rule: Int(source.rule), instance: instance)
            }
        }
    }

    private func writeAbsent(
        _ source: Mapping.Source, _ rule: MappingTables.Rule, _ field: LayoutTables.Field, to output: inout OutputBuffer
    ) throws(BridgeError) {
        if rule.hasDefault, let literal = mapping.rules[Int(source.rule)].defaultValue {
            try ValueEncoder.write(literal: literal, rule: rule, field: field, tables: tables, to: &output)
        } else if rule.required {
            throw BridgeError(.missingValue, "is required but missing")
        } else if field.lengthSource < 0 {
            output.append(repeating: field.fill, count: Int(field.width))
        }
    }

    @inline(never)
    private func located(_ error: BridgeError, field: Int, rule: Int, instance: Int) -> BridgeError {
        let spec = mapping.layout.fields[field]
        let path = mapping.modelPath(ofField: field, instance: instance) ?? ""
        return error.located(.init(fieldID: spec.id, fieldName: spec.name, modelPath: path))
    }
}
