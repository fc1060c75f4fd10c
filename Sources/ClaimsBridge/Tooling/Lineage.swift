import Foundation

/// Where one output value came from: the field, its position, and the mapping rule that produced it.
public struct LineageEntry: Sendable, Equatable {
    /// How the value was produced.
    public enum Kind: String, Sendable {
        /// Copied from a field (reading) or from a model value (writing), through the rule's transform.
        case field
        /// A constant of the mapping.
        case constant
        /// The mapping's default, because the model left the value out.
        case `default`
        /// Spaces or zeros, because nothing gives a value.
        case blank
        /// Computed: the message length, a count, a flag or a length.
        case computed
    }

    public var kind: Kind
    /// The model path, with array indexes (`procedures[2].fee`), or nil for wire-only fields.
    public var modelPath: String?
    public var fieldID: String
    public var fieldName: String
    /// Byte offset and width of the field in the CDAnet stream (input when reading, output when writing).
    public var offset: Int
    public var width: Int
    /// Byte offset of the value in the JSON line, when writing.
    public var jsonOffset: Int?
    /// `file:line` of the rule (or of the layout field for computed and blank fields).
    public var rule: String
    /// The normalisations the rule applied when writing, e.g. `upperCase` (empty when none).
    public var normalized: [String] = []

    /// The entry as one JSON object.
    public var json: String {
        var object: [String: Any] = [
            "kind": kind.rawValue, "field": fieldID, "fieldName": fieldName, "offset": offset, "width": width,
            "rule": rule,
        ]
        if let modelPath { object["path"] = modelPath }
        if let jsonOffset { object["jsonOffset"] = jsonOffset }
        if !normalized.isEmpty { object["normalized"] = normalized }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

extension Mapping {
    /// Where every value of a JSON line written by ``appendJSON(of:message:baseOffset:embedded:depth:to:)``
    /// came from. Not on the hot path: it re-reads the line it explains.
    package func lineageOfReading(
        record: DecodedRecord, message: UnsafeBufferPointer<UInt8>, baseOffset: Int, json: UnsafeBufferPointer<UInt8>
    ) -> [LineageEntry] {
        var tape = JSONTape()
        guard (try? tape.parse(UnsafeRawBufferPointer(json))) != nil, case .object(let members, _) = emitPlan else {
            return []
        }
        var entries: [LineageEntry] = []
        let walker = ReadingLineage(mapping: self, record: record, message: message, baseOffset: baseOffset, tape: tape)
        walker.walk(members, object: tape.root, instance: 0, path: "", into: &entries)
        return entries
    }

    /// Where every field of a message written by ``appendMessage(from:object:embedded:depth:values:to:)`` came
    /// from. `message` is the written message; `values` are the values its document gave.
    package func lineageOfWriting(
        message: UnsafeBufferPointer<UInt8>, outputOffset: Int, tape: JSONTape, values: ModelValues
    ) -> [LineageEntry] {
        let record = DecodedRecord()
        guard (try? FixedWidthDecoder(layout: layout).decode(message, baseOffset: 0, into: record)) != nil else {
            return []
        }
        var entries: [LineageEntry] = []
        let view = record.view
        for item in layout.items {
            switch item {
            case .field(let field):
                entries.append(writingEntry(field, instance: 0, view, outputOffset, tape, values))
            case .group(let group):
                for instance in 0..<Int(view.groupCount[group]) {
                    for field in layout.groups[group].fields {
                        entries.append(writingEntry(field, instance: instance, view, outputOffset, tape, values))
                    }
                }
            }
        }
        return entries
    }

    private func writingEntry(
        _ index: Int, instance: Int, _ view: DecodedRecord.View, _ outputOffset: Int, _ tape: JSONTape,
        _ values: ModelValues
    ) -> LineageEntry {
        let field = layout.fields[index]
        let span = view.spanIndex(
            of: index, instance: instance, fields: layout.tables.fields.base, groups: layout.tables.groups.base)
        var entry = LineageEntry(
            kind: .blank, modelPath: nil, fieldID: field.isFiller ? "-" : field.id, fieldName: field.name,
            offset: outputOffset + Int(view.spanOffset[span]), width: Int(view.spanLength[span]), jsonOffset: nil,
            rule: "\(layout.file):\(field.line)")
        if field.role != .data {
            entry.kind = .computed
            return entry
        }
        switch fieldSources[index] {
        case .fill, .derived:
            return entry
        case .constant:
            entry.kind = .constant
            if let rule = rules.firstIndex(where: { $0.field == index }) {
                entry.rule = "\(file):\(rules[rule].line)"
                entry.modelPath = rules[rule].path?.text
            }
        case .rule(let rule):
            entry.rule = "\(file):\(rules[rule].line)"
            entry.modelPath = concretePath(rules[rule], instance: instance)
            let token = values.token(Int(tables.rules[rule].valueBase) + instance)
            if token >= 0 {
                entry.kind = .field
                entry.jsonOffset = tape.offset(token)
                entry.normalized = rules[rule].normalize.nameList
            } else if rules[rule].defaultValue != nil {
                entry.kind = .default
            }
        }
        return entry
    }

    /// `procedures[].fee` with the instance filled in.
    func concretePath(_ rule: MappingRule, instance: Int) -> String? {
        guard let text = rule.path?.text else { return nil }
        guard let group = layout.fields[rule.field].group, let groupPath = groupPaths[group],
            text.hasPrefix(groupPath.text + "[]")
        else { return text }
        return groupPath.text + "[\(instance)]" + text.dropFirst(groupPath.text.count + 2)
    }
}

/// Walks a mapping's JSON shape together with the JSON line it produced.
private struct ReadingLineage {
    let mapping: Mapping
    let record: DecodedRecord
    let message: UnsafeBufferPointer<UInt8>
    let baseOffset: Int
    let tape: JSONTape

    func walk(_ members: [EmitMember], object: Int, instance: Int, path: String, into entries: inout [LineageEntry]) {
        for member in members {
            guard let token = tape.member(object, member.key) else { continue }
            let name = String(decoding: member.key, as: UTF8.self)
            let memberPath = path.isEmpty ? name : "\(path).\(name)"
            switch member.node {
            case .value(let rule):
                let spec = mapping.rules[rule]
                guard let range = record.range(of: spec.field, instance: instance) else { continue }
                let field = mapping.layout.fields[spec.field]
                entries.append(
                    LineageEntry(
                        kind: spec.constant == nil ? .field : .constant, modelPath: memberPath, fieldID: field.id,
                        fieldName: field.name, offset: baseOffset + range.lowerBound, width: range.count,
                        jsonOffset: nil,
                        rule: "\(mapping.file):\(spec.line)"))
            case .object(let inner, _):
                walk(inner, object: token, instance: instance, path: memberPath, into: &entries)
            case .conditional(let group, .object(let inner, _)):
                entries.append(control(group, path: memberPath))
                walk(inner, object: token, instance: 0, path: memberPath, into: &entries)
            case .conditional:
                continue
            case .array(let group, .object(let inner, _)):
                entries.append(control(group, path: memberPath))
                for (index, element) in tape.elements(token).enumerated() {
                    walk(inner, object: element, instance: index, path: "\(memberPath)[\(index)]", into: &entries)
                }
            case .array:
                continue
            case .slots(_, let slots, let fields):
                let filled = slots.indices.filter { !slotIsEmpty(fields[$0], instance: instance) }
                for (index, element) in tape.elements(token).enumerated() where index < filled.count {
                    guard case .object(let inner, _) = slots[filled[index]] else { continue }
                    walk(inner, object: element, instance: instance, path: "\(memberPath)[\(index)]", into: &entries)
                }
            }
        }
    }

    /// The count or flag field behind an array or a block.
    private func control(_ group: Int, path: String) -> LineageEntry {
        let spec = mapping.layout.groups[group]
        let field = mapping.layout.fields[spec.control]
        let range = record.range(of: spec.control, instance: 0) ?? 0..<0
        return LineageEntry(
            kind: .computed, modelPath: path, fieldID: field.id, fieldName: field.name,
            offset: baseOffset + range.lowerBound, width: range.count, jsonOffset: nil,
            rule: "\(mapping.layout.file):\(spec.line)")
    }

    private func slotIsEmpty(_ fields: [Int], instance: Int) -> Bool {
        fields.allSatisfy { field in
            guard let range = record.range(of: field, instance: instance) else { return true }
            let pad = mapping.layout.fields[field].type.padByte
            return message[range].allSatisfy { $0 == pad }
        }
    }
}
