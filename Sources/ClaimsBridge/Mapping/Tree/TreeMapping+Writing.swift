import Foundation

extension BridgeError.Code {
    /// A value does not fit its tree-mapping transform (digits, amount, date, length).
    public static let invalidValue = BridgeError.Code("invalidValue")
    /// A partner XML document is not well-formed, or uses a forbidden construct (DTD, entities).
    public static let invalidXML = BridgeError.Code("invalidXML")
    /// A partner document exceeds a safety limit (depth, attributes, text size).
    public static let limitExceeded = BridgeError.Code("limitExceeded")
    /// A document breaks a rule of its XML Schema.
    public static let schemaViolation = BridgeError.Code("schemaViolation")
    /// A partner document has an element or attribute its mapping does not know.
    public static let unexpectedElement = BridgeError.Code("unexpectedElement")
    /// A total does not match the sum of its lines.
    public static let totalMismatch = BridgeError.Code("totalMismatch")
}

extension TreeMapping {
    /// Writes one model object as the record element (or JSON object) of the partner format.
    /// - Parameter parameters: values for the mapping's `parameters` (defaults already applied).
    /// - Throws: ``BridgeError`` naming the model path and the partner element/attribute.
    package func writeRecord(_ model: TreeValue, parameters: [String: String]) throws(BridgeError) -> TreeNode {
        try writeRecord(model, parameters: parameters, collecting: nil)
    }

    /// Writes one model object, going on past values that are missing or do not fit: each such error is
    /// collected and its attribute left out, so that every problem of the record can be reported together.
    /// - Returns: the record as far as it could be written, and the errors met, in order.
    /// - Throws: ``BridgeError`` for a document whose shape is wrong (not an object, a list where an object goes).
    package func writeRecordCollectingErrors(_ model: TreeValue, parameters: [String: String]) throws(BridgeError)
        -> (record: TreeNode, errors: [BridgeError])
    {
        let collected = CollectedErrors()
        let record = try writeRecord(model, parameters: parameters, collecting: collected)
        return (record, collected.errors)
    }

    private func writeRecord(_ model: TreeValue, parameters: [String: String], collecting: CollectedErrors?)
        throws(BridgeError) -> TreeNode
    {
        guard case .object = model else {
            throw BridgeError(.wrongValueType, "each line must be a JSON object, not \(model.kindName)")
        }
        if let modelType {
            let type = model["type"]?.scalarText
            guard type == modelType else {
                throw BridgeError(
                    .unknownModelType,
                    type.map { "this is a \(DiagnosticText.quoted($0)) message; \(name) writes \(modelType) messages" }
                        ?? "the object has no \"type\"; \(name) writes \(modelType) messages",
                    at: .init(modelPath: "type"))
            }
        }
        let writer = TreeWriter(parameters: parameters, collected: collecting)
        let nodes = try writer.write(record, object: model, modelPath: { "" }, partnerPath: { "" })
        return nodes.first ?? TreeNode(name: record.name, namespace: record.namespace)
    }
}

/// Errors met while writing one record, when the writer goes on past them.
private final class CollectedErrors {
    var errors: [BridgeError] = []
}

/// Walks a model object along the element rules and builds the partner nodes.
private struct TreeWriter {
    let parameters: [String: String]
    let collected: CollectedErrors?

    /// The model and partner paths (`procedures[0]`, `DP/ACTE[2]`) are spelled out only when an error names them.
    func write(
        _ rule: TreeMapping.ElementRule, object: TreeValue, modelPath: () -> String, partnerPath: () -> String
    ) throws(BridgeError) -> [TreeNode] {
        func elementPath() -> String {
            let base = partnerPath()
            return base.isEmpty ? rule.name : base + "/" + rule.name
        }
        func joined() -> String { rule.path.map { Self.join(modelPath(), $0) } ?? modelPath() }
        // Each object to write, with its position when it comes from a list.
        var targets: [(item: TreeValue, index: Int?)] = []
        if let path = rule.path {
            let found = object.value(at: path[...])
            if rule.repeats {
                switch found {
                case nil: break
                case .array(let items)?:
                    targets = items.enumerated().map { ($0.element, $0.offset) }
                case let other?:
                    throw BridgeError(
                        .wrongValueType, "must be a list but is \(other.kindName)",
                        at: .init(fieldID: elementPath(), modelPath: joined()))
                }
            } else if let found {
                guard case .object = found else {
                    throw BridgeError(
                        .wrongValueType, "must be an object but is \(found.kindName)",
                        at: .init(fieldID: elementPath(), modelPath: joined()))
                }
                targets = [(found, nil)]
            } else if rule.required {
                targets = [(.object([]), nil)]
            }
        } else {
            targets = [(object, nil)]
        }
        var nodes: [TreeNode] = []
        for (index, (item, itemIndex)) in targets.enumerated() {
            func itemPath() -> String { itemIndex.map { "\(joined())[\($0)]" } ?? joined() }
            func here() -> String { rule.repeats ? "\(elementPath())[\(index + 1)]" : elementPath() }
            var node = TreeNode(name: rule.name, namespace: rule.namespace)
            node.attributes.reserveCapacity(rule.values.count)
            for value in rule.values {
                let written: (String, TreeNode.Kind)?
                do {
                    written = try write(value, object: item, modelPath: itemPath, partnerPath: here)
                } catch {
                    guard let collected else { throw error }
                    collected.errors.append(error)
                    continue
                }
                guard let (text, kind) = written else { continue }
                if value.name.utf8.first == UInt8(ascii: "#") && value.name.hasPrefix("#computed") {
                    continue
                } else if value.name == "#text" {
                    node.text = text
                } else {
                    node.attributes.append(.init(value.name, text, kind: kind))
                }
            }
            for child in rule.children {
                node.children += try write(child, object: item, modelPath: itemPath, partnerPath: here)
            }
            let isEmpty = node.attributes.isEmpty && node.children.isEmpty && node.text == nil
            if !(isEmpty && rule.path == nil && !rule.repeats && !rule.required) { nodes.append(node) }
            for sibling in rule.then {
                nodes += try write(sibling, object: item, modelPath: itemPath, partnerPath: partnerPath)
            }
        }
        return nodes
    }

    func write(
        _ rule: TreeMapping.ValueRule, object: TreeValue, modelPath: () -> String, partnerPath: () -> String
    ) throws(BridgeError) -> (String, TreeNode.Kind)? {
        func failure(_ code: BridgeError.Code, _ reason: String) -> BridgeError {
            let attributePath = rule.name == "#text" ? partnerPath() : "\(partnerPath())/@\(rule.name)"
            return BridgeError(
                code, reason, at: .init(fieldID: attributePath, modelPath: rule.path.map { Self.join(modelPath(), $0) }))
        }
        if let constant = rule.constant { return (constant, .string) }
        if let catalog = rule.catalog {
            guard let kind = object["kind"]?.scalarText else {
                guard rule.required else { return nil }
                throw BridgeError(
                    .missingValue, "is required and missing",
                    at: .init(fieldID: "\(partnerPath())/@\(rule.name)", modelPath: Self.join(modelPath(), ["kind"])))
            }
            let material = object["material"]?.scalarText ?? ""
            guard
                let entry = catalog.entry(
                    kind: RestorationKind(rawValue: kind), material: LabMaterial(rawValue: material))
            else {
                throw BridgeError(
                    .notInCatalog,
                    "the lab's catalog \(catalog.displayName) has no product code for \(kind) in "
                        + (material.isEmpty ? "no material" : material),
                    at: .init(fieldID: "\(partnerPath())/@\(rule.name)", modelPath: Self.join(modelPath(), ["kind"])))
            }
            return (entry.code, rule.jsonKind ?? .string)
        }
        var value = rule.path.flatMap { object.value(at: $0[...]) }
        if case .string(let text)? = value, text.isEmpty, rule.omitEmpty { value = nil }
        if let absentWhen = rule.absentWhen, value?.scalarText == absentWhen { return nil }
        if value == nil, let name = rule.parameter, let given = parameters[name] { value = literal(given, rule) }
        if value == nil, let compute = rule.compute {
            value = try computed(compute, object: object, failure: failure)
        }
        if value == nil, let fallback = rule.defaultValue { value = literal(fallback, rule) }
        guard let value else {
            guard rule.required else { return nil }
            let hint = rule.parameter.map { " (or give it for the whole batch with --param \($0)=…)" } ?? ""
            throw failure(.missingValue, "is required and missing\(hint)")
        }
        do {
            let (text, kind) = try rule.transform.write(value)
            return (text, rule.jsonKind ?? kind)
        } catch {
            throw failure(.invalidValue, error.reason)
        }
    }

    func literal(_ text: String, _ rule: TreeMapping.ValueRule) -> TreeValue {
        if case .integer = rule.transform { return .number(text) }
        return .string(text)
    }

    func computed(
        _ compute: TreeMapping.Compute, object: TreeValue, failure: (BridgeError.Code, String) -> BridgeError
    ) throws(BridgeError) -> TreeValue? {
        switch compute {
        case .position: return nil
        case .first(let path):
            var first: TreeValue?
            _ = object.forEachValue(along: path[...]) {
                first = $0
                return false
            }
            return first
        case .sum(let paths):
            var total: Int64 = 0
            for path in paths {
                // An amount that is not valid is reported by its own rule, with its own path.
                _ = object.forEachValue(along: path[...]) {
                    total += $0.scalarText.flatMap(Money.parseCents) ?? 0
                    return true
                }
            }
            return .string(Money(cents: total).description)
        case .lastDigits(let source, let count):
            guard let text = resolve(source, object), text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
                return nil
            }
            let digits = String(text.suffix(count))
            return .string(String(repeating: "0", count: count - digits.count) + digits)
        case .attestation(let dateSource, let counterSource):
            guard let dateText = resolve(dateSource, object), let counter = resolve(counterSource, object) else {
                return nil
            }
            guard let date = CalendarDate(dateText) else {
                throw failure(.invalidDate, "the attestation date must be a real date written YYYY-MM-DD")
            }
            guard !counter.isEmpty, counter.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
                throw failure(.notDigits, "the attestation counter must be digits")
            }
            let sequence = String(counter.suffix(3))
            let day = String(date.ordinalDay)
            return .string(
                "\(date.year % 10)" + String(repeating: "0", count: 3 - day.count) + day
                    + String(repeating: "0", count: 3 - sequence.count) + sequence)
        }
    }

    func resolve(_ source: TreeMapping.Source, _ object: TreeValue) -> String? {
        switch source {
        case .parameter(let name): return parameters[name]
        case .path(let path): return object.value(at: path[...])?.scalarText
        }
    }

    static func join(_ base: String, _ path: [String]) -> String {
        let tail = path.joined(separator: ".")
        return base.isEmpty ? tail : base + "." + tail
    }
}

extension CalendarDate {
    /// The day of the year, 1–366, in the Gregorian calendar.
    package var ordinalDay: Int {
        (1..<month).reduce(day) { $0 + CalendarDate.daysIn(month: $1, year: year) }
    }
}
