import Foundation

extension LabOrder {
    /// Decodes and checks an order from its JSON form.
    /// - Throws: ``BridgeError`` with the model path (`items[0].teeth[1].tooth`) and a reason that never quotes
    ///   personal values.
    public init(json: [UInt8]) throws(BridgeError) {
        self = try decodeModel(LabOrder.self, from: json)
        try check()
    }

    /// Checks what the JSON form cannot say by itself: FDI teeth that make sense for each kind, bridges with
    /// abutments and pontics, known kinds and materials, attachments with a known media type and a SHA-256,
    /// a patient named or referenced, dates in order, and a status history that follows the lifecycle.
    /// - Throws: ``BridgeError`` with the model path of the first problem.
    public func check() throws(BridgeError) {
        func fail(_ code: BridgeError.Code, _ path: String, _ reason: String) -> BridgeError {
            BridgeError(code, reason, at: .init(modelPath: path))
        }
        guard !orderId.isEmpty else { throw fail(.missingValue, "orderId", "is required and empty") }
        guard patient?.chartReference != nil || patient?.lastName != nil else {
            throw fail(.missingValue, "patient", "needs a chart reference or a last name")
        }
        guard !items.isEmpty else { throw fail(.missingValue, "items", "an order needs at least one item") }
        for (index, item) in items.enumerated() {
            try item.check(path: "items[\(index)]")
        }
        for (index, attachment) in attachments.enumerated() {
            let path = "attachments[\(index)]"
            guard LabAttachment.mediaTypes.contains(attachment.mediaType) else {
                throw fail(
                    .unknownCode, path + ".mediaType",
                    "must be one of \(LabAttachment.mediaTypes.joined(separator: ", ")) (STL, PLY, OBJ scans or DICOM)")
            }
            guard attachment.byteSize > 0 else { throw fail(.invalidValue, path + ".byteSize", "must be above 0") }
            guard attachment.sha256.utf8.count == 64,
                attachment.sha256.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
            else { throw fail(.invalidValue, path + ".sha256", "must be 64 lowercase hexadecimal digits") }
        }
        if let sent = dates?.sent, let due = dates?.due, due < sent {
            throw fail(.invalidDate, "dates.due", "is before the date the order is sent")
        }
        if let tryIn = dates?.tryIn, let due = dates?.due, due < tryIn {
            throw fail(.invalidDate, "dates.tryIn", "is after the due date")
        }
        var state = LabOrderState.draft
        for (index, step) in statusHistory.enumerated() {
            let from = step.from ?? state
            guard from == state else {
                throw fail(.illegalTransition, "statusHistory[\(index)].from", "is \(from), but the order was \(state)")
            }
            do { try from.checkTransition(to: step.to) } catch {
                throw fail(error.code, "statusHistory[\(index)].to", error.reason)
            }
            state = step.to
        }
        if !statusHistory.isEmpty, currentState != state {
            throw fail(.illegalTransition, "status", "is \(currentState), but the status history ends at \(state)")
        }
        if let status, !status.isKnown {
            let known = LabOrderState.knownValues.map(\.rawValue).joined(separator: ", ")
            throw fail(.unknownCode, "status", "is not a lab-order state (expected one of \(known))")
        }
    }
}

extension LabOrderItem {
    /// Checks one item; `path` is its model path.
    func check(path: String) throws(BridgeError) {
        func fail(_ code: BridgeError.Code, _ where_: String, _ reason: String) -> BridgeError {
            BridgeError(code, reason, at: .init(modelPath: path + where_))
        }
        guard kind.isKnown else {
            throw fail(
                .unknownCode, ".kind",
                "is not a restoration kind (expected one of \(Self.list(RestorationKind.knownValues)))")
        }
        if let material, !material.isKnown {
            throw fail(
                .unknownCode, ".material", "is not a material (expected one of \(Self.list(LabMaterial.knownValues)))")
        }
        if let arch, !arch.isKnown { throw fail(.unknownCode, ".arch", "must be upper, lower or both") }
        if let shade, !shade.system.isKnown {
            throw fail(
                .unknownCode, ".shade.system",
                "is not a shade guide (expected one of \(Self.list(ShadeSystem.knownValues)))")
        }
        if RestorationKind.archKinds.contains(kind) {
            guard arch != nil || !teeth.isEmpty else { throw fail(.missingValue, ".arch", "a \(kind) needs its arch") }
        } else if kind == .partialDenture {
            guard arch != nil || !teeth.isEmpty else {
                throw fail(.missingValue, ".teeth", "a partialDenture needs its arch or the teeth it replaces")
            }
        } else if teeth.isEmpty {
            throw fail(.missingValue, ".teeth", "a \(kind) needs at least one tooth")
        }
        var seen: Set<ToothNumber> = []
        for (index, unit) in teeth.enumerated() {
            let here = ".teeth[\(index)]"
            guard seen.insert(unit.tooth).inserted else {
                throw fail(.invalidValue, here + ".tooth", "is listed twice")
            }
            if unit.tooth.isPrimary && !RestorationKind.primaryToothKinds.contains(kind) {
                throw fail(
                    .invalidValue, here + ".tooth", "is a primary tooth; a \(kind) is not made for primary teeth")
            }
            if let role = unit.role {
                guard role.isKnown else {
                    throw fail(.unknownCode, here + ".role", "must be restored, abutment or pontic")
                }
                if role != .restored && kind != .bridge {
                    throw fail(.invalidValue, here + ".role", "\(role) applies to bridges only")
                }
            }
        }
        if kind == .bridge {
            let abutments = teeth.filter { $0.role == .abutment }.count
            let pontics = teeth.filter { $0.role == .pontic }.count
            guard abutments >= 2 || (abutments >= 1 && pontics == 1 && teeth.count == 2) else {
                throw fail(.missingValue, ".teeth", "a bridge needs at least two abutments (one for a cantilever)")
            }
            guard pontics >= 1 else { throw fail(.missingValue, ".teeth", "a bridge needs at least one pontic") }
            guard abutments + pontics == teeth.count else {
                throw fail(.missingValue, ".teeth", "every tooth of a bridge is an abutment or a pontic")
            }
        }
    }

    private static func list<Value: ModelEnumeration>(_ values: [Value]) -> String {
        values.map(\.rawValue).joined(separator: ", ")
    }
}

/// Decodes a model value from JSON bytes, turning decoding errors into ``BridgeError``s with a model path.
func decodeModel<Value: Decodable>(_ type: Value.Type, from json: [UInt8]) throws(BridgeError) -> Value {
    do {
        return try JSONDecoder().decode(type, from: Data(json))
    } catch let error as DecodingError {
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += (text.isEmpty ? "" : ".") + key.stringValue
                }
            }
            return text
        }
        switch error {
        case .keyNotFound(let key, let context):
            throw BridgeError(
                .missingValue, "is required and missing", at: .init(modelPath: path(context.codingPath + [key])))
        case .typeMismatch(let expected, let context):
            throw BridgeError(
                .wrongValueType, "must be \(expected == String.self ? "text" : "\(expected)")",
                at: .init(modelPath: path(context.codingPath)))
        case .valueNotFound(_, let context):
            throw BridgeError(.missingValue, "is required and null", at: .init(modelPath: path(context.codingPath)))
        case .dataCorrupted(let context):
            let code: BridgeError.Code =
                context.codingPath.last?.stringValue == "type" ? .unknownModelType : .invalidValue
            throw BridgeError(code, context.debugDescription, at: .init(modelPath: path(context.codingPath)))
        @unknown default:
            throw BridgeError(.invalidJSON, "cannot be read as a lab order")
        }
    } catch {
        throw BridgeError(.invalidJSON, "cannot be read as a lab order")
    }
}
