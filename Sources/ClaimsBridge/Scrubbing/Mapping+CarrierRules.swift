import Foundation

extension Mapping {
    /// The model path of a field's value, with the group's array index filled in (`procedures[1].fee`);
    /// for a count or flag, the path of the group it describes.
    package func modelPath(ofField field: Int, instance: Int) -> String? {
        let source = sourceTable.base[field]
        switch source.kind {
        case .rule:
            return concretePath(rules[Int(source.rule)], instance: instance)
        case .derived:
            let spec = layout.tables.fields.base[field]
            guard spec.role == .count || spec.role == .flag else { return nil }
            return groupPaths[Int(spec.roleTarget)]?.text
        case .fill, .constant:
            return nil
        }
    }

    /// The carrier rules a decoded message breaks (none when the transaction has no rules).
    /// - Parameter generalWalk: find them with the general walk alone rather than the plan (for tests).
    package func carrierProblems(
        of record: DecodedRecord.View, message: UnsafeBufferPointer<UInt8>, baseOffset: Int,
        context: CarrierRuleContext, generalWalk: Bool = false
    ) -> [CarrierProblem] {
        guard let carrierRules else { return [] }
        let checker = CarrierRuleChecker(
            rules: carrierRules, mapping: self, message: message, record: record, baseOffset: baseOffset, model: nil,
            context: context)
        return generalWalk ? checker.problemsByGeneralWalk(of: self) : checker.problems(of: self)
    }

    /// Applies the carrier rules to a decoded message: throws a ``BridgeError/Code/carrierWouldReject`` error
    /// listing every problem (`.enforce`), or returns that error as a warning (`.warn`); nil when it passes.
    package func applyCarrierRules(
        to record: DecodedRecord.View, message: UnsafeBufferPointer<UInt8>, baseOffset: Int,
        context: CarrierRuleContext, mode: CarrierRuleMode
    ) throws(BridgeError) -> BridgeError? {
        let problems = carrierProblems(of: record, message: message, baseOffset: baseOffset, context: context)
        guard !problems.isEmpty else { return nil }
        if mode == .warn { return .carrierWouldReject(problems, warning: true) }
        throw .carrierWouldReject(problems)
    }

    /// The rules a message just written breaks, judged on its bytes and on what the model document gave.
    func carrierProblems(ofWritten message: UnsafeBufferPointer<UInt8>, values: ModelValues) -> [CarrierProblem] {
        guard let carrierRules else { return [] }
        return CarrierRuleChecker(
            rules: carrierRules, mapping: self, message: message, record: values.spans.view, baseOffset: nil,
            model: values, context: values.carrierRuleContext
        ).problems(of: self)
    }

    /// A problem the writer stopped at, in the form of a rule's problem, with the field's CDAnet code.
    func carrierProblem(from error: BridgeError) -> CarrierProblem {
        let index = error.location.fieldID.flatMap { id in layout.fields.firstIndex { $0.id == id } }
        return CarrierProblem(
            code: error.code, cdanetCode: index.flatMap { carrierRules?.fieldCodes[$0] } ?? "",
            fieldID: error.location.fieldID ?? "", fieldName: error.location.fieldName ?? "",
            modelPath: error.location.modelPath, byteOffset: nil, reason: error.reason)
    }

    /// The required values the model document leaves out, for a document the writer stopped at.
    func missingValues(in values: ModelValues) -> [CarrierProblem] {
        guard let carrierRules else { return [] }
        var found: [CarrierProblem] = []
        for index in 0..<carrierRules.checks.count {
            let check = carrierRules.checks[index]
            guard check.kind == .required, check.condition == .always else { continue }
            let source = sourceTable.base[Int(check.field)]
            guard source.kind == .rule else { continue }
            let rule = tables.rules.base[Int(source.rule)]
            guard !rule.hasDefault else { continue }
            let field = layout.fields[Int(check.field)]
            var instances = 1
            if let group = field.group {
                instances = Int(values.groupCounts[group])
            }
            for instance in 0..<instances where values.token(Int(rule.valueBase) + instance) < 0 {
                let detail = carrierRules.details[Int(check.detail)]
                var reason = detail.says.replacingOccurrences(of: "{name}", with: field.name)
                if let group = field.group, case .repeating = layout.groups[group].kind {
                    reason += " (\(carrierRules.groupLabels[group]) \(instance + 1))"
                }
                found.append(
                    CarrierProblem(
                        code: detail.problem, cdanetCode: detail.cdanetCode, fieldID: field.id, fieldName: field.name,
                        modelPath: modelPath(ofField: Int(check.field), instance: instance), byteOffset: nil,
                        reason: reason))
            }
        }
        return found
    }
}
