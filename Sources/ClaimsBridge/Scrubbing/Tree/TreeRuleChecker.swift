import Foundation

/// Runs a tree mapping's ``TreeRules`` over one partner record (a RAMQ `DP` with its `PERS_ASSU` and `ACTE`
/// elements), on reading and on writing alike.
struct TreeRuleChecker {
    let rules: TreeRules
    let mapping: TreeMapping
    let context: CarrierRuleContext

    /// One element of the record, where it is in the document and in the model. A class, so that the rules
    /// walk the record's elements without copying each one's node and plan; the paths, needed only for a
    /// problem, are spelled out on first use.
    final class Instance {
        let node: TreeNode
        let plan: TreeRulePlan
        /// The element holding this one, and this one's index among its children (nil for the record).
        private let parent: (instance: Instance, index: Int)?
        /// The model path this one's extends, with the rule's path and the position in its array.
        private let model: (base: Instance, tail: [String]?, index: Int?)?

        var rule: TreeMapping.ElementRule { plan.rule }

        init(
            node: TreeNode, plan: TreeRulePlan, parent: (instance: Instance, index: Int)? = nil,
            model: (base: Instance, tail: [String]?, index: Int?)? = nil
        ) {
            self.node = node
            self.plan = plan
            self.parent = parent
            self.model = model
        }

        /// `DP/ACTE[2]`.
        lazy var partnerPath: String = {
            guard let (holder, index) = parent else { return node.name }
            let name = node.name
            var position = 0
            for child in holder.node.children[0...index] where child.name == name { position += 1 }
            return "\(holder.partnerPath)/\(name)[\(position)]"
        }()

        /// `procedures[1]`, `procedures[0].labFees[0]`, or empty for the record itself.
        lazy var modelPath: String = {
            guard let (base, path, index) = model else { return "" }
            var tail = (path ?? []).joined(separator: ".")
            if let index { tail += "[\(index)]" }
            let head = base.modelPath
            return head.isEmpty ? tail : (tail.isEmpty ? head : head + "." + tail)
        }()
    }

    /// Every broken rule, at most one per element and attribute (the first rule listed wins), each with the
    /// line of the element it is about (0 when not known).
    func problems(of record: TreeNode) -> [(problem: CarrierProblem, line: Int)] {
        // Most records break no rule: a walk that builds nothing says so, and only a record that breaks one is
        // walked again to say where and why.
        if breaksNoRule(record) { return [] }
        let instances = Self.instances(of: record, plan: rules.plan)
        var found: [(problem: CarrierProblem, line: Int)] = []
        var reported: Set<String> = []
        func applies(_ rule: TreeRules.Rule, to node: TreeNode) -> Bool {
            node.name == rule.element && (rule.when?.holds(for: node) ?? true)
        }
        for (ruleIndex, rule) in rules.rules.enumerated() {
            switch rule.check {
            case .atLeast(let count):
                var matching = 0
                for instance in instances where applies(rule, to: instance.node) { matching += 1 }
                if matching < count {
                    found.append((problem(rule, at: nil, record: instances[0], value: nil), record.line))
                }
                continue
            case .required where rule.attribute == nil:
                if !instances.contains(where: { applies(rule, to: $0.node) }) {
                    found.append((problem(rule, at: nil, record: instances[0], value: nil), record.line))
                }
                continue
            default: break
            }
            guard let attribute = rule.attribute else { continue }
            for instance in instances where applies(rule, to: instance.node) {
                guard let check = instance.plan.checks.first(where: { $0.index == ruleIndex }) else { continue }
                let value = instance.node.attribute(attribute)
                if passes(check, value: value, node: instance.node, record: record) { continue }
                guard reported.insert(instance.partnerPath + "/@" + attribute).inserted else { continue }
                found.append((problem(rule, at: instance, record: instances[0], value: value), instance.node.line))
            }
        }
        return found
    }

    /// Whether the record breaks none of the rules: the same elements and checks as ``problems(of:)``, walked
    /// along the rules' plan without building anything.
    private func breaksNoRule(_ record: TreeNode) -> Bool {
        let counted = rules.countedRules
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: max(counted.count, 1)) { counts in
            counts.initialize(repeating: 0)
            guard visit(record, rules.plan, record: record, counts: counts) else { return false }
            for (slot, index) in counted.enumerated() {
                switch rules.rules[index].check {
                case .atLeast(let least): if counts[slot] < least { return false }
                default: if counts[slot] == 0 { return false }
                }
            }
            return true
        }
    }

    /// Checks one element the mapping reads and, as ``collect(_:into:)`` finds them, the elements inside it;
    /// counts the elements each element-level rule selects. False at the first broken rule.
    private func visit(
        _ node: TreeNode, _ plan: TreeRulePlan, record: TreeNode, counts: UnsafeMutableBufferPointer<Int>,
        descend: Bool = true
    ) -> Bool {
        for check in plan.checks {
            if let when = check.when, !when.holds(for: node) { continue }
            if check.test == .count {
                counts[check.slot] += 1
                continue
            }
            guard let attribute = check.attribute,
                passes(check, value: node.attribute(attribute), node: node, record: record)
            else { return false }
        }
        let children = node.children
        guard descend, !children.isEmpty else { return true }
        var consumed = ConsumedChildren(count: children.count)
        for (ruleIndex, childRule) in plan.rule.children.enumerated() {
            let childPlan = plan.children[ruleIndex]
            var index = 0
            while index < children.count {
                guard !consumed[index], Self.matches(childRule, children[index]) else {
                    index += 1
                    continue
                }
                consumed[index] = true
                guard visit(children[index], childPlan, record: record, counts: counts) else { return false }
                index += 1
                while index < children.count,
                    let which = childRule.then.firstIndex(where: { Self.matches($0, children[index]) })
                {
                    consumed[index] = true
                    // A sibling's own children are not the mapping's: it is checked as an element alone.
                    guard visit(children[index], childPlan.then[which], record: record, counts: counts, descend: false)
                    else { return false }
                    index += 1
                }
                if !childRule.repeats { break }
            }
        }
        return true
    }

    /// Whether `value` (the attribute's text on `node`, nil when absent) passes the check.
    private func passes(_ check: TreeRulePlan.Check, value: String?, node: TreeNode, record: TreeNode) -> Bool {
        guard let value, !value.isEmpty else { return check.test != .required }
        switch check.test {
        case .required, .count: return true
        case .pattern:
            return value.withUTF8Bytes { bytes in check.forms.contains { Self.matches(bytes, form: $0) } }
        case .values:
            // Byte by byte: the values and ranges of the rules are ASCII codes of a fixed length.
            return value.withUTF8Bytes { bytes in
                check.ranges.contains { range in
                    range.low.count == bytes.count && !bytes.lexicographicallyPrecedes(range.low)
                        && !range.high.lexicographicallyPrecedes(bytes)
                }
            }
        case .letters:
            let allowed = check.letters
            var seen = TreeRulePlan.ByteSet([])
            return value.utf8.allSatisfy { allowed.contains($0) && seen.insert($0) }
        case .minimum:
            guard let number = Int(value) else { return true }
            return number >= check.least
        case .digits: return value.utf8.count >= check.least && TreeTransform.isAllDigits(value)
        case .notAfterToday:
            guard let day = check.reading.date(value) else { return true }
            return day.year * 10_000 + day.month * 100 + day.day <= context.today
        case .notAfterAttribute:
            guard let day = check.reading.date(value) else { return true }
            guard let other = (check.otherOnRecord ? record : node).attribute(check.other),
                let limit = check.otherReading.date(other)
            else { return true }
            return day <= limit
        }
    }

    /// The other attribute of a comparison: on the same element, or else on the record.
    private func otherValue(
        _ name: String, _ node: TreeNode, _ rule: TreeMapping.ElementRule, _ record: TreeNode,
        _ recordRule: TreeMapping.ElementRule
    ) -> (String?, TreeMapping.ElementRule) {
        if rule.value(named: name) != nil { return (node.attribute(name), rule) }
        return (record.attribute(name), recordRule)
    }

    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, form: [UInt8]) -> Bool {
        guard bytes.count == form.count else { return false }
        for index in 0..<bytes.count {
            let byte = bytes[index]
            switch form[index] {
            case UInt8(ascii: "A"): if byte &- UInt8(ascii: "A") >= 26 { return false }
            case UInt8(ascii: "9"): if !byte.isDigit { return false }
            case let expected: if byte != expected { return false }
            }
        }
        return true
    }

    private func problem(_ rule: TreeRules.Rule, at instance: Instance?, record: Instance, value: String?)
        -> CarrierProblem
    {
        let mapped = instance.flatMap { found in found.rule.values.first { $0.name == rule.attribute } }
        var sentence = rule.says
        sentence = Self.fill(sentence, "{value}", value.map { shown($0, mapped) } ?? nil)
        if case .notAfterAttribute(let otherName) = rule.check, let instance {
            let (other, owner) = otherValue(otherName, instance.node, instance.rule, record.node, record.rule)
            let otherRule = owner.values.first { $0.name == otherName }
            sentence = Self.fill(sentence, "{other}", other.map { shown($0, otherRule) } ?? nil)
        }
        let fieldID: String
        var modelPath: String?
        if let instance, let attribute = rule.attribute {
            fieldID = "\(instance.partnerPath)/@\(attribute)"
            if let path = mapped?.path {
                let tail = path.joined(separator: ".")
                modelPath = instance.modelPath.isEmpty ? tail : instance.modelPath + "." + tail
            }
        } else {
            fieldID = "\(record.partnerPath)/\(rule.element)"
            modelPath = Self.elementPath(rule.element, in: mapping.record)
        }
        var found = CarrierProblem(
            code: rule.problem, cdanetCode: "", fieldID: fieldID, fieldName: rule.attribute ?? rule.element,
            modelPath: modelPath, byteOffset: nil, reason: sentence)
        found.rule = rule.code
        return found
    }

    /// A value for a sentence: nil (left out) for personal data unless allowed; dates and amounts as the model
    /// writes them (`2024-01-05`, `125.50`).
    private func shown(_ text: String, _ rule: TreeMapping.ValueRule?) -> String? {
        if rule?.personal == true && !context.showPersonalData { return nil }
        let readable = (try? rule?.transform.read(text))?.scalarText ?? text
        return DiagnosticText.quoted(readable)
    }

    /// Replaces ` placeholder` (with its leading space) by ` value`, or removes it when the value is hidden.
    private static func fill(_ sentence: String, _ placeholder: String, _ value: String?) -> String {
        guard let value else {
            return sentence.replacingOccurrences(of: " " + placeholder, with: "")
                .replacingOccurrences(of: placeholder, with: "")
        }
        return sentence.replacingOccurrences(of: placeholder, with: value)
    }

    /// The model path of the first element rule called `name` (`patient`, `procedures`).
    private static func elementPath(_ name: String, in rule: TreeMapping.ElementRule) -> String? {
        for child in rule.children + rule.then {
            if child.name == name { return child.path?.joined(separator: ".") }
            if let found = elementPath(name, in: child) { return found }
        }
        return nil
    }

    /// The record and every element below it that the mapping reads, in document order of the rules.
    static func instances(of record: TreeNode, plan: TreeRulePlan) -> [Instance] {
        var found = [Instance(node: record, plan: plan)]
        collect(found[0], into: &found)
        return found
    }

    private static func collect(_ parent: Instance, into found: inout [Instance]) {
        let children = parent.node.children
        var consumed = ConsumedChildren(count: children.count)
        for (ruleIndex, childRule) in parent.rule.children.enumerated() {
            let childPlan = parent.plan.children[ruleIndex]
            var count = 0
            var index = 0
            while index < children.count {
                guard !consumed[index], Self.matches(childRule, children[index]) else {
                    index += 1
                    continue
                }
                consumed[index] = true
                let item = Instance(
                    node: children[index], plan: childPlan, parent: (parent, index),
                    model: (parent, childRule.path, childRule.repeats ? count : nil))
                found.append(item)
                collect(item, into: &found)
                count += 1
                index += 1
                var siblings = [Int](repeating: 0, count: childRule.then.count)
                while index < children.count,
                    let which = childRule.then.firstIndex(where: { Self.matches($0, children[index]) })
                {
                    consumed[index] = true
                    let then = childRule.then[which]
                    found.append(
                        Instance(
                            node: children[index], plan: childPlan.then[which], parent: (parent, index),
                            model: (item, then.path, siblings[which])))
                    siblings[which] += 1
                    index += 1
                }
                if !childRule.repeats { break }
            }
        }
    }

    private static func matches(_ rule: TreeMapping.ElementRule, _ node: TreeNode) -> Bool {
        node.name == rule.name && node.namespace == rule.namespace && (rule.when?.holds(for: node) ?? true)
    }
}

extension TreeMapping {
    /// The receiver's rules a partner record breaks (none when the mapping has no `carrierRules:`).
    package func carrierProblems(of record: TreeNode, context: CarrierRuleContext) -> [CarrierProblem] {
        guard let carrierRules else { return [] }
        return TreeRuleChecker(rules: carrierRules, mapping: self, context: context).problems(of: record).map(\.problem)
    }
}

extension TreeMapping {
    /// Writes one model object as a partner record and applies the receiver's rules to it.
    ///
    /// With `carrierRules:`, the writer goes on past values that are missing or do not fit, so that the record
    /// is refused with every problem at once: ``BridgeError/Code/carrierWouldReject`` when a rule is broken,
    /// otherwise the writer's first error; both list all the problems in ``BridgeError/problems``.
    /// - Throws: ``BridgeError`` as described; without rules, exactly what ``writeRecord(_:parameters:)`` throws.
    package func writeCheckedRecord(
        _ model: TreeValue, parameters: [String: String], context: CarrierRuleContext
    ) throws(BridgeError) -> TreeNode {
        guard carrierRules != nil else { return try writeRecord(model, parameters: parameters) }
        let (record, errors) = try writeRecordCollectingErrors(model, parameters: parameters)
        var writerProblems = errors.map(Self.problem(from:))
        // A value the writer could not use is left out of the record, so a `required` rule finds it missing:
        // the writer's reason (what is wrong with the value) wins, and a missing value gets the rule's sentence.
        let unusable = Set(writerProblems.filter { $0.code != .missingValue }.map(Self.problemKey))
        let broken = carrierProblems(of: record, context: context).filter { !unusable.contains(Self.problemKey($0)) }
        let reported = Set(broken.map(Self.problemKey))
        writerProblems.removeAll { reported.contains(Self.problemKey($0)) }
        if !broken.isEmpty { throw .carrierWouldReject(broken + writerProblems) }
        guard var first = errors.first else { return record }
        first.problems = writerProblems
        throw first
    }

    /// Applies the receiver's rules to a record read: throws ``BridgeError/Code/carrierWouldReject`` listing
    /// every problem (`.enforce`), or returns that error as a warning (`.warn`); nil when the record passes.
    package func applyCarrierRules(to record: TreeNode, context: CarrierRuleContext, mode: CarrierRuleMode)
        throws(BridgeError) -> BridgeError?
    {
        guard let carrierRules else { return nil }
        let found = TreeRuleChecker(rules: carrierRules, mapping: self, context: context).problems(of: record)
        guard let line = found.first?.line else { return nil }
        let error = BridgeError.carrierWouldReject(found.map(\.problem), warning: mode == .warn)
            .located(.init(line: line > 0 ? line : nil))
        if mode == .warn { return error }
        throw error
    }

    /// The same value reported twice (by the writer and by a rule) has the same key: its model path, or else
    /// its element and attribute without positions.
    private static func problemKey(_ problem: CarrierProblem) -> String {
        problem.modelPath
            ?? problem.fieldID.replacingOccurrences(of: #"\[[0-9]+\]"#, with: "", options: .regularExpression)
    }

    /// A writer's error as a problem of the record.
    private static func problem(from error: BridgeError) -> CarrierProblem {
        let field = error.location.fieldID ?? ""
        let name = field.split(separator: "@").last.map(String.init) ?? field
        return CarrierProblem(
            code: error.code, cdanetCode: "", fieldID: field, fieldName: name, modelPath: error.location.modelPath,
            byteOffset: nil, reason: error.reason)
    }
}
