/// A tree mapping's element rules laid out for reading records, worked out once per pipeline: each element's
/// values as plain fields of shared objects, with what each one does (a position, a constant, a catalog code, a
/// transformed value) decided in advance, so that reading a record copies one reference per value and no rule.
package final class TreeReadPlan: Sendable {
    /// The element's name and namespace, and which elements of that name it takes.
    let name: String
    let namespace: String
    let when: TreeMapping.Condition?
    /// The model object (relative) the element fills in; nil: the enclosing one.
    let path: [String]?
    let repeats: Bool
    /// The element's values, in the mapping's order.
    let steps: [Step]
    /// The values checked as the sum of other values once the element is read (`compute: {sum: …}`).
    let sums: [Step]
    /// The plans of the element's children and `then` siblings, in the mapping's order.
    let children: [TreeReadPlan]
    let then: [TreeReadPlan]

    /// One attribute (or the element's text) and what becomes of it.
    final class Step: Sendable {
        enum Kind: Sendable {
            /// The element's 1-based position among its repeats goes to the path.
            case position
            /// The value must be this constant.
            case constant
            /// A product code of a lab catalog.
            case catalog
            /// The text read by the transform.
            case transform
        }

        let rule: TreeMapping.ValueRule
        let name: String
        let isText: Bool
        let kind: Kind
        let path: [String]?
        let constant: String
        let catalog: LabCatalog?
        let transform: TreeTransform
        let required: Bool
        let omitEmpty: Bool
        /// Computed or given as a parameter when writing, so not required when reading.
        let suppliedWhenWritten: Bool
        /// `sum`: the paths of the amounts that add up to this value.
        let sumPaths: [[String]]

        init(_ rule: TreeMapping.ValueRule) {
            self.rule = rule
            name = rule.name
            isText = rule.name == "#text"
            path = rule.path
            constant = rule.constant ?? ""
            catalog = rule.catalog
            transform = rule.transform
            required = rule.required
            omitEmpty = rule.omitEmpty
            suppliedWhenWritten = rule.compute != nil || rule.parameter != nil
            if case .position = rule.compute, rule.path != nil {
                kind = .position
            } else if rule.constant != nil {
                kind = .constant
            } else if rule.catalog != nil {
                kind = .catalog
            } else {
                kind = .transform
            }
            if case .sum(let paths) = rule.compute { sumPaths = paths } else { sumPaths = [] }
        }
    }

    /// The plan of `rule` and of everything inside it.
    package init(_ rule: TreeMapping.ElementRule) {
        name = rule.name
        namespace = rule.namespace
        when = rule.when
        path = rule.path
        repeats = rule.repeats
        steps = rule.values.map(Step.init)
        sums = steps.filter { !$0.sumPaths.isEmpty }
        children = rule.children.map(TreeReadPlan.init)
        then = rule.then.map(TreeReadPlan.init)
    }

    /// Whether `node` is an element this plan takes.
    func matches(_ node: TreeNode) -> Bool {
        node.name == name && node.namespace == namespace && (when?.holds(for: node) ?? true)
    }
}
