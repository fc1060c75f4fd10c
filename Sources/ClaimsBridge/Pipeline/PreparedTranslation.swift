public import Logging

/// A ``Translation`` with what it needs loaded and compiled once — CDAnet layouts, a tree mapping and its XML
/// Schema, a lab's mappings — ready to run over any number of inputs. The command line and the watcher both
/// run translations through it.
///
/// ```swift
/// let translation = TranslationRegistry.find(from: "cdanet", to: "json")!
/// let prepared = try PreparedTranslation(translation, settings: .init(mappingsDirectory: "Mappings"))
/// let summary = try prepared.run(input: &input, output: &output) { reject in print(reject.error) }
/// ```
public struct PreparedTranslation {
    /// What a translation is loaded with.
    public struct Settings {
        /// The folder of layouts and mappings.
        public var mappingsDirectory: String
        /// The CDAnet layouts and mappings, when already loaded (otherwise loaded from `mappingsDirectory`).
        public var catalog: CDAnetCatalog?
        /// The tree mapping file, for a translation that needs one named (xml, partner-json) or to override a bundled one.
        public var mappingFile: String?
        /// Values for a tree mapping's parameters (RAMQ: transmitter, provider, establishment…).
        public var parameters: [String: String]
        /// The known lab orders (JSON Lines of `labOrder`), for a lab's status messages; read at each run.
        public var ordersFile: String?
        public var failFast: Bool
        /// Indentation of written XML (nil: one line).
        public var indent: Int?
        public var showPersonalData: Bool
        public var logger: Logger
        /// For CDAnet translations: called after each message with where every value came from.
        public var onExplain: ((_ messageNumber: Int, _ lineage: [LineageEntry]) throws -> Void)?
        /// For CDAnet and RAMQ reading: whether a message that breaks a carrier rule is rejected (the default) or
        /// translated with a warning.
        public var carrierRules: CarrierRuleMode = .enforce
        /// For reading with `carrierRules = .warn`: called with each message translated despite a rule.
        public var onWarning: ((RejectedMessage) throws -> Void)?
        /// For CDAnet reading: stop with an error after this many unreadable bytes in a row; nil reads on regardless.
        public var maximumUnreadableBytes: Int? = 1 << 20
        /// Where the CDAnet catalog's index is kept between runs, so that a run compiles only the mappings its
        /// messages need (see ``CDAnetCatalog/load(directory:cacheFolder:)``); nil loads every mapping.
        public var catalogCacheFolder: String?

        public init(
            mappingsDirectory: String, catalog: CDAnetCatalog? = nil, mappingFile: String? = nil,
            parameters: [String: String] = [:], ordersFile: String? = nil, failFast: Bool = false, indent: Int? = 2,
            showPersonalData: Bool = false,
            logger: Logger = Logger(label: "claimsbridge", factory: { _ in SwiftLogNoOpLogHandler() })
        ) {
            self.mappingsDirectory = mappingsDirectory
            self.catalog = catalog
            self.mappingFile = mappingFile
            self.parameters = parameters
            self.ordersFile = ordersFile
            self.failFast = failFast
            self.indent = indent
            self.showPersonalData = showPersonalData
            self.logger = logger
        }
    }

    private enum Engine {
        case cdanetRead(CDAnetReadPipeline)
        case modelWrite(ModelWritePipeline)
        case treeRead(TreeReadPipeline)
        case treeWrite(TreeWritePipeline)
        case labStatus(LabPartner, ordersFile: String)
    }

    public let translation: Translation
    /// The file-name extension of the output (for lab order documents: the lab's format).
    public let outputExtension: String
    /// A tree mapping's parameters as they will be used (defaults and the values given), e.g. `batchDate`.
    public let parameters: [String: String]
    private let engine: Engine
    private let settings: Settings

    /// Loads and checks everything `translation` needs.
    /// - Throws: ``BridgeError`` naming the file (and line) of a layout, mapping, schema or lab that cannot be
    ///   loaded, or (`invalidConfiguration`) a mapping file or orders file the translation needs and was not given.
    public init(_ translation: Translation, settings: Settings) throws {
        self.translation = translation
        self.settings = settings
        let folder = settings.mappingsDirectory
        func catalog() throws -> CDAnetCatalog {
            try settings.catalog ?? CDAnetCatalog.load(directory: folder + "/cdanet", cacheFolder: settings.catalogCacheFolder)
        }
        var parameters: [String: String] = [:]
        var outputExtension = translation.outputExtension ?? ""
        switch translation.kind {
        case .cdanetToJSON, .cdanetToFields:
            var pipeline = CDAnetReadPipeline(
                catalog: try catalog(),
                format: translation.kind == .cdanetToJSON ? .json : .fields(showPersonalData: settings.showPersonalData),
                failFast: settings.failFast, logger: settings.logger)
            pipeline.onExplain = settings.onExplain
            pipeline.showPersonalData = settings.showPersonalData
            pipeline.carrierRules = settings.carrierRules
            pipeline.onWarning = settings.onWarning
            pipeline.maximumUnreadableBytes = settings.maximumUnreadableBytes
            engine = .cdanetRead(pipeline)
        case .jsonToCDAnet:
            let loaded = try catalog()
            try loaded.checkWritable()
            var pipeline = ModelWritePipeline(catalog: loaded, failFast: settings.failFast, logger: settings.logger)
            pipeline.onExplain = settings.onExplain
            pipeline.showPersonalData = settings.showPersonalData
            engine = .modelWrite(pipeline)
        case .tree(let bundled, let writes):
            guard let path = settings.mappingFile ?? bundled.map({ folder + "/" + $0 }) else {
                throw BridgeError(.invalidConfiguration, "translating \(translation) needs a tree mapping file")
            }
            let mapping = try TreeMapping.load(path: path)
            if writes {
                let pipeline = try TreeWritePipeline(
                    mapping: mapping, parameters: settings.parameters, failFast: settings.failFast,
                    indent: settings.indent, showPersonalData: settings.showPersonalData, logger: settings.logger)
                parameters = pipeline.parameters
                engine = .treeWrite(pipeline)
            } else {
                var pipeline = try TreeReadPipeline(
                    mapping: mapping, failFast: settings.failFast, showPersonalData: settings.showPersonalData,
                    logger: settings.logger)
                pipeline.carrierRules = settings.carrierRules
                pipeline.onWarning = settings.onWarning
                engine = .treeRead(pipeline)
            }
        case .ordersToLab(let name):
            let lab = try LabPartner(name: name, mappings: folder)
            let pipeline = try lab.orderWriter(
                failFast: settings.failFast, indent: settings.indent, showPersonalData: settings.showPersonalData,
                logger: settings.logger)
            outputExtension = pipeline.mapping.format.rawValue
            engine = .treeWrite(pipeline)
        case .ordersFromLab(let name):
            engine = .treeRead(
                try LabPartner(name: name, mappings: folder).orderReader(
                    failFast: settings.failFast, showPersonalData: settings.showPersonalData, logger: settings.logger))
        case .labStatus(let name):
            guard let orders = settings.ordersFile else {
                throw BridgeError(
                    .invalidConfiguration, "translating \(translation) needs the known orders (a JSON Lines file)")
            }
            let lab = try LabPartner(name: name, mappings: folder)
            // The mapping and its schema are checked now; the orders are read at each run, as they are then.
            _ = try lab.statusReader(orders: try LabOrderBook(orders: []), logger: settings.logger)
            engine = .labStatus(lab, ordersFile: orders)
        }
        self.parameters = parameters
        self.outputExtension = outputExtension
    }

    /// Translates all of `input` into `output`; each message that cannot be translated goes to `onReject`.
    /// - Throws: ``BridgeError`` when the input, the output or the orders file fails, or what `onReject` throws.
    public func run<Input: ByteInput, Output: ByteOutput>(
        input: inout Input, output: inout Output, onReject: (RejectedMessage) throws -> Void
    ) throws -> TranslationSummary {
        switch engine {
        case .cdanetRead(let pipeline): return try pipeline.run(input: &input, output: &output, onReject: onReject)
        case .modelWrite(let pipeline): return try pipeline.run(input: &input, output: &output, onReject: onReject)
        case .treeRead(let pipeline): return try pipeline.run(input: &input, output: &output, onReject: onReject)
        case .treeWrite(let pipeline): return try pipeline.run(input: &input, output: &output, onReject: onReject)
        case .labStatus(let lab, let orders):
            let pipeline = try lab.statusReader(
                orders: try LabOrderBook(path: orders), failFast: settings.failFast,
                showPersonalData: settings.showPersonalData, logger: settings.logger)
            return try pipeline.run(input: &input, output: &output, onReject: onReject)
        }
    }
}
