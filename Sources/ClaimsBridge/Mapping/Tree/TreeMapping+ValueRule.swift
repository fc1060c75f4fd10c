extension TreeMapping {
    /// One attribute (XML), scalar member (JSON) or text content ↔ one model value.
    ///
    /// The fields live in one shared, copy-on-write box, so that walking a mapping's rules for every record
    /// copies one reference per rule rather than each of its strings and lists.
    package struct ValueRule: Sendable {
        private final class Storage: @unchecked Sendable {
            var name: String
            var path: [String]?
            var transform: TreeTransform
            var constant: String?
            var defaultValue: String?
            var parameter: String?
            var compute: Compute?
            var required: Bool
            var omitEmpty: Bool
            var absentWhen: String?
            var jsonKind: TreeNode.Kind?
            var about: String?
            var catalog: LabCatalog?
            var personal: Bool
            var line: Int

            init(
                name: String, path: [String]?, transform: TreeTransform, constant: String?, defaultValue: String?,
                parameter: String?, compute: Compute?, required: Bool, omitEmpty: Bool, absentWhen: String?,
                jsonKind: TreeNode.Kind?, about: String?, catalog: LabCatalog?, personal: Bool, line: Int
            ) {
                self.name = name
                self.path = path
                self.transform = transform
                self.constant = constant
                self.defaultValue = defaultValue
                self.parameter = parameter
                self.compute = compute
                self.required = required
                self.omitEmpty = omitEmpty
                self.absentWhen = absentWhen
                self.jsonKind = jsonKind
                self.about = about
                self.catalog = catalog
                self.personal = personal
                self.line = line
            }

            func copy() -> Storage {
                Storage(
                    name: name, path: path, transform: transform, constant: constant, defaultValue: defaultValue,
                    parameter: parameter, compute: compute, required: required, omitEmpty: omitEmpty,
                    absentWhen: absentWhen, jsonKind: jsonKind, about: about, catalog: catalog, personal: personal,
                    line: line
                )
            }
        }

        private var storage: Storage

        package init(
            name: String, path: [String]?, transform: TreeTransform, constant: String?, defaultValue: String?,
            parameter: String?, compute: Compute?, required: Bool, omitEmpty: Bool, absentWhen: String?,
            jsonKind: TreeNode.Kind?, about: String?, catalog: LabCatalog?, personal: Bool = false, line: Int
        ) {
            storage = Storage(
                name: name, path: path, transform: transform, constant: constant, defaultValue: defaultValue,
                parameter: parameter, compute: compute, required: required, omitEmpty: omitEmpty,
                absentWhen: absentWhen, jsonKind: jsonKind, about: about, catalog: catalog, personal: personal,
                line: line
            )
        }

        private mutating func unique() -> Storage {
            if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
            return storage
        }

        /// The attribute or key name; `#text` for an element's text.
        package var name: String {
            get { storage.name }
            set { unique().name = newValue }
        }

        package var path: [String]? {
            get { storage.path }
            set { unique().path = newValue }
        }

        package var transform: TreeTransform {
            get { storage.transform }
            set { unique().transform = newValue }
        }

        package var constant: String? {
            get { storage.constant }
            set { unique().constant = newValue }
        }

        package var defaultValue: String? {
            get { storage.defaultValue }
            set { unique().defaultValue = newValue }
        }

        package var parameter: String? {
            get { storage.parameter }
            set { unique().parameter = newValue }
        }

        package var compute: Compute? {
            get { storage.compute }
            set { unique().compute = newValue }
        }

        package var required: Bool {
            get { storage.required }
            set { unique().required = newValue }
        }

        package var omitEmpty: Bool {
            get { storage.omitEmpty }
            set { unique().omitEmpty = newValue }
        }

        /// A model value that means "not given" (e.g. tooth `00`): written as no attribute.
        package var absentWhen: String? {
            get { storage.absentWhen }
            set { unique().absentWhen = newValue }
        }

        /// Partner JSON: how the value is spelled (`number` writes `48.50` bare); nil follows the transform.
        package var jsonKind: TreeNode.Kind? {
            get { storage.jsonKind }
            set { unique().jsonKind = newValue }
        }

        /// What the value is, in a clerk's words (`about:`), added to schema messages about it.
        package var about: String? {
            get { storage.about }
            set { unique().about = newValue }
        }

        /// A lab catalog: the partner value is a product code standing for the object's `kind` and `material`.
        package var catalog: LabCatalog? {
            get { storage.catalog }
            set { unique().catalog = newValue }
        }

        /// Personal data (names, health numbers, birth dates): left out of messages unless asked for.
        package var personal: Bool {
            get { storage.personal }
            set { unique().personal = newValue }
        }

        package var line: Int {
            get { storage.line }
            set { unique().line = newValue }
        }
    }
}
