/// A compiled mapping between a tree-shaped partner format (XML or JSON) and the model's JSON form.
///
/// Loaded once from a `*.mapping.yaml` file with `format: xml` or `format: json` (see
/// `Docs/mapping-language.md`, "Tree mappings"), and used in both directions: reading partner documents into
/// model objects (`TreeReadPipeline`) and writing model objects as partner documents (`TreeWritePipeline`).
/// A new partner format is a new mapping file; no Swift code is involved.
public struct TreeMapping: Sendable {
    /// The partner side's syntax.
    public enum Format: String, Sendable { case xml, json }

    /// The mapping's name (`mapping:`).
    public package(set) var name: String
    /// The file it was loaded from.
    public package(set) var file: String
    /// XML or JSON on the partner side.
    public package(set) var format: Format
    /// The model `type` the records translate to and from; nil when any type is accepted.
    package var modelType: String?
    /// The XML Schema every document is validated against (absolute path), if any.
    package var schemaPath: String?
    /// XML: the root element's name and namespace.
    package var rootName: String?
    package var rootNamespace: String
    /// XML: the repeated record element under the root; nil when the root itself is the one record.
    package var recordName: String?
    /// JSON: in single-document input, the key of the array holding the records (nil: JSON Lines).
    package var jsonRecordsKey: String?
    /// Named values given on the command line (`--param name=value`), with their defaults.
    package var parameters: [Parameter]
    /// The rules of the record element (or JSON object).
    package var record: ElementRule
    /// What the receiver checks in each record (`carrierRules:`), or nil.
    package var carrierRules: TreeRules?

    /// A value given per run, such as a transmitter number.
    package struct Parameter: Sendable {
        package var name: String
        package var defaultValue: String?
        package var about: String
        package var line: Int
    }

    /// An element (XML) or object (JSON) of the partner side, with the rules of what it carries.
    ///
    /// The fields live in one shared, copy-on-write box, like ``ValueRule``'s, so that walking the rules for every
    /// record copies one reference per element rule rather than each of its strings and lists.
    package struct ElementRule: Sendable {
        private final class Storage: @unchecked Sendable {
            var name: String
            var namespace: String
            var path: [String]?
            var repeats: Bool
            var when: Condition?
            var required: Bool
            var values: [ValueRule]
            var children: [ElementRule]
            var then: [ElementRule]
            var line: Int

            init(
                name: String, namespace: String, path: [String]?, repeats: Bool,
                when: Condition?, required: Bool, values: [ValueRule], children: [ElementRule], then: [ElementRule], line: Int
            ) {
                self.name = name
                self.namespace = namespace
                self.path = path
                self.repeats = repeats
                self.when = when
                self.required = required
                self.values = values
                self.children = children
                self.then = then
                self.line = line
            }

            func copy() -> Storage {
                Storage(
                    name: name, namespace: namespace, path: path, repeats: repeats,
                    when: when, required: required, values: values, children: children, then: then, line: line
                )
            }
        }

        private var storage: Storage

        package init(
            name: String, namespace: String, path: [String]?, repeats: Bool,
            when: Condition?, required: Bool, values: [ValueRule], children: [ElementRule], then: [ElementRule], line: Int
        ) {
            storage = Storage(
                name: name, namespace: namespace, path: path, repeats: repeats,
                when: when, required: required, values: values, children: children, then: then, line: line
            )
        }

        private mutating func unique() -> Storage {
            if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
            return storage
        }

        /// The rule of the attribute (or `#text`) called `name`, or nil; looked up by index, lengths first.
        package func value(named name: String) -> ValueRule? {
            let values = storage.values
            let length = name.utf8.count
            for index in values.indices where values[index].name.utf8.count == length && values[index].name == name {
                return values[index]
            }
            return nil
        }

        package var name: String {
            get { storage.name }
            set { unique().name = newValue }
        }

        package var namespace: String {
            get { storage.namespace }
            set { unique().namespace = newValue }
        }

        /// The model object (relative) this element corresponds to; nil: the enclosing object.
        package var path: [String]? {
            get { storage.path }
            set { unique().path = newValue }
        }

        /// Repeated element ↔ model array.
        package var repeats: Bool {
            get { storage.repeats }
            set { unique().repeats = newValue }
        }

        /// When reading: which elements of this name the rule takes.
        package var when: Condition? {
            get { storage.when }
            set { unique().when = newValue }
        }

        /// Written even when none of its values is present.
        package var required: Bool {
            get { storage.required }
            set { unique().required = newValue }
        }

        package var values: [ValueRule] {
            get { storage.values }
            set { unique().values = newValue }
        }

        package var children: [ElementRule] {
            get { storage.children }
            set { unique().children = newValue }
        }

        /// Repeated sibling elements written right after each element of this rule (e.g. lab lines after
        /// their procedure line), read back into arrays of the same model object.
        package var then: [ElementRule] {
            get { storage.then }
            set { unique().then = newValue }
        }

        package var line: Int {
            get { storage.line }
            set { unique().line = newValue }
        }
    }

    /// Reading condition on an element's attributes.
    package enum Condition: Sendable {
        case present(String)
        case absent(String)

        func holds(for node: TreeNode) -> Bool {
            switch self {
            case .present(let name): return node.attribute(name) != nil
            case .absent(let name): return node.attribute(name) == nil
            }
        }
    }

    /// A value worked out from other values when writing (and checked or filled in when reading).
    package enum Compute: Sendable {
        /// The sum of the amounts along these paths (through arrays); reading checks the total.
        case sum([[String]])
        /// The first value along the path.
        case first([String])
        /// The 1-based position of the element among its repeats (reading only).
        case position
        /// Attestation number `Y DDD SSS`: last digit of the year, ordinal day 001–366 of the date (Gregorian),
        /// and the counter's last three digits.
        case attestation(date: Source, counter: Source)
        /// The last `count` digits of a value, zero-filled.
        case lastDigits(Source, count: Int)
    }

    /// Where a computed value's input comes from.
    package enum Source: Sendable {
        case path([String])
        case parameter(String)
    }

    /// The rule for attribute `attribute` of element `element` anywhere in the mapping, with its model path
    /// from the record (array elements without an index, e.g. `procedures.fee`), for explaining schema messages.
    package func valueRule(element: String, attribute: String, node: TreeNode? = nil) -> (
        rule: ValueRule, path: String?
    )? {
        func search(_ rule: ElementRule, _ base: [String]) -> (ValueRule, String?)? {
            let here = base + (rule.path ?? [])
            if rule.name == element, node.map({ rule.when?.holds(for: $0) ?? true }) ?? true,
                let value = rule.values.first(where: { $0.name == attribute })
            {
                return (value, value.path.map { (here + $0).joined(separator: ".") })
            }
            for child in rule.children + rule.then {
                if let found = search(child, here) { return found }
            }
            return nil
        }
        return search(record, [])
    }

    /// Names of repeated elements, for writing partner JSON arrays.
    package var repeatedNames: Set<String> {
        var names: Set<String> = []
        func visit(_ rule: ElementRule) {
            if rule.repeats { names.insert(rule.name) }
            rule.children.forEach(visit)
            rule.then.forEach(visit)
        }
        visit(record)
        return names
    }
}
