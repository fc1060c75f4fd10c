extension TreeMapping {
    /// Reads one record element (or partner JSON object) into a model object, `schemaVersion` and `type` first.
    /// - Throws: ``BridgeError`` naming the partner element/attribute (and its line when known).
    package func readRecord(_ node: TreeNode) throws(BridgeError) -> TreeValue {
        try readRecord(node, plan: TreeReadPlan(record))
    }

    /// Reads one record along `plan`, the plan of this mapping's ``record`` (made once for many records).
    package func readRecord(_ node: TreeNode, plan: TreeReadPlan) throws(BridgeError) -> TreeValue {
        var object = TreeValue.object([.init("schemaVersion", .number("1"))])
        if let modelType { object.set(.string(modelType), at: ["type"]) }
        let name = node.name
        try TreeReader().read(plan, node: node, into: &object, position: 1, partnerPath: { name })
        return object
    }
}

/// Walks a partner node along the element rules and fills in a model object.
///
/// The partner path of an element (`DP/ACTE[2]`) is spelled out only when an error names it.
private struct TreeReader {
    func read(
        _ rule: TreeReadPlan, node: TreeNode, into object: inout TreeValue, position: Int,
        partnerPath: () -> String
    ) throws(BridgeError) {
        // The error builder takes the line, not the node: a closure holding the node would copy it.
        let line = node.line
        func failure(_ code: BridgeError.Code, _ reason: String, _ name: String?, _ path: [String]?) -> BridgeError {
            let partnerPath = partnerPath()
            return BridgeError(
                code, reason,
                at: .init(
                    line: line > 0 ? line : nil,
                    fieldID: name.map { $0 == "#text" ? partnerPath : "\(partnerPath)/@\($0)" } ?? partnerPath,
                    modelPath: path?.joined(separator: ".")))
        }
        let values = rule.steps
        let attributes = node.attributes
        // Each attribute is looked for among the rule's values from where the last one was found, as documents
        // usually give them in the mapping's order; `present` notes which values have one (up to 64 values).
        var present: UInt64 = 0
        var cursor = 0
        for attributeIndex in attributes.indices where !attributes[attributeIndex].namespace.isEmpty {
            let attribute = attributes[attributeIndex]
            throw failure(
                .unexpectedElement,
                "belongs to another vocabulary (namespace \(DiagnosticText.quoted(attribute.namespace))) and is not part of this format",
                attribute.name, nil)
        }
        for attributeIndex in attributes.indices {
            var found: Int?
            for step in 0..<values.count {
                let candidate = (cursor + step) % values.count
                if values[candidate].name == attributes[attributeIndex].name {
                    found = candidate
                    break
                }
            }
            guard let found else {
                throw failure(.unexpectedElement, "is not part of this format", attributes[attributeIndex].name, nil)
            }
            if found < 64 { present |= 1 << UInt64(found) }
            cursor = found + 1
        }
        var nextAttribute = 0
        for valueIndex in values.indices {
            let value = values[valueIndex]
            let text: String?
            if value.isText {
                text = node.text
            } else if valueIndex < 64 && present & (1 << UInt64(valueIndex)) == 0 {
                text = nil
            } else if nextAttribute < attributes.count && attributes[nextAttribute].name == value.name {
                text = attributes[nextAttribute].value
                nextAttribute += 1
            } else {
                text = node.attribute(value.name)
            }
            switch value.kind {
            case .position:
                object.set(.number(String(position)), at: value.path![...])
                continue
            case .constant:
                guard let text else {
                    if value.required { throw failure(.missingValue, "is required and missing", value.name, nil) }
                    continue
                }
                guard text == value.constant else {
                    throw failure(.unexpectedConstant, "must be \(value.constant)", value.name, value.path)
                }
                if let path = value.path { object.set(.string(value.constant), at: path[...]) }
                continue
            case .catalog:
                try readProduct(text, value.rule, value.catalog!, into: &object, failure: failure)
                continue
            case .transform: break
            }
            guard let text, !(text.isEmpty && value.omitEmpty) else {
                if value.required && !value.suppliedWhenWritten {
                    throw failure(.missingValue, "is required and missing", value.name, value.path)
                }
                continue
            }
            let model: TreeValue
            do {
                model = try value.transform.read(text)
            } catch {
                throw failure(.invalidValue, error.reason, value.name, value.path)
            }
            if let path = value.path { object.set(model, at: path[...]) }
        }
        var consumed = ConsumedChildren(count: node.children.count)
        for child in rule.children {
            var items: [TreeValue] = []
            var index = 0
            while index < node.children.count {
                let candidate = node.children[index]
                guard !consumed[index], child.matches(candidate) else {
                    index += 1
                    continue
                }
                consumed[index] = true
                let count = items.count + 1
                func here() -> String {
                    child.repeats ? "\(partnerPath())/\(child.name)[\(count)]" : "\(partnerPath())/\(child.name)"
                }
                var item: TreeValue
                if child.path == nil {
                    // Moved out rather than copied, so that filling it in does not copy the whole object.
                    item = object
                    object = .null
                } else {
                    item = object.value(at: child.path![...]).flatMap { child.repeats ? nil : $0 } ?? .object([])
                }
                try read(child, node: candidate, into: &item, position: items.count + 1, partnerPath: here)
                index += 1
                var siblings: [[TreeValue]] = Array(repeating: [], count: child.then.count)
                while index < node.children.count,
                    let which = child.then.firstIndex(where: { $0.matches(node.children[index]) })
                {
                    consumed[index] = true
                    var nested = TreeValue.object([])
                    let siblingCount = siblings[which].count + 1
                    func siblingPath() -> String { "\(here())+\(child.then[which].name)[\(siblingCount)]" }
                    try read(
                        child.then[which], node: node.children[index], into: &nested,
                        position: siblings[which].count + 1, partnerPath: siblingPath)
                    siblings[which].append(nested)
                    index += 1
                }
                for (which, list) in siblings.enumerated() where !list.isEmpty {
                    item.set(.array(list), at: child.then[which].path![...])
                }
                if child.path == nil {
                    object = item
                } else if !child.repeats {
                    if item != .object([]) { object.set(item, at: child.path![...]) }
                } else {
                    items.append(item)
                }
                if !child.repeats { break }
            }
            if child.repeats && !items.isEmpty { object.set(.array(items), at: child.path![...]) }
        }
        if let index = consumed.firstNotTaken(of: node.children.count) {
            let stray = node.children[index]
            throw BridgeError(
                .unexpectedElement, "is not expected here",
                at: .init(line: stray.line > 0 ? stray.line : nil, fieldID: "\(partnerPath())/\(stray.name)"))
        }
        for value in rule.sums {
            let paths = value.sumPaths
            guard let text = node.attribute(value.name), let stated = try? value.transform.read(text),
                let statedCents = stated.scalarText.flatMap(Money.parseCents)
            else { continue }
            var total: Int64 = 0
            for path in paths {
                _ = object.forEachValue(along: path[...]) {
                    total += $0.scalarText.flatMap(Money.parseCents) ?? 0
                    return true
                }
            }
            guard total == statedCents else {
                throw failure(
                    .totalMismatch,
                    "the total is \(Money(cents: statedCents)) but the lines add up to \(Money(cents: total))",
                    value.name, nil)
            }
        }
    }

    /// A product code of a lab catalog becomes the object's `kind` and `material`.
    func readProduct(
        _ text: String?, _ value: TreeMapping.ValueRule, _ catalog: LabCatalog, into object: inout TreeValue,
        failure: (BridgeError.Code, String, String?, [String]?) -> BridgeError
    ) throws(BridgeError) {
        guard let text, !text.isEmpty else {
            if value.required { throw failure(.missingValue, "is required and missing", value.name, ["kind"]) }
            return
        }
        guard let entry = catalog.entry(forCode: text) else {
            throw failure(
                .notInCatalog, "product code \(DiagnosticText.quoted(text)) is not in the lab's catalog \(catalog.displayName)", value.name,
                ["kind"])
        }
        object.set(.string(entry.kind.rawValue), at: ["kind"])
        object.set(.string(entry.material.rawValue), at: ["material"])
    }
}
