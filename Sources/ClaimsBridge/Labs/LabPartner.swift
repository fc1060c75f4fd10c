import Foundation
public import Logging

/// A lab's partner format: the files in `Mappings/labs/<name>/` and nothing else.
///
/// - `order.mapping.yaml`: the lab's order document ↔ `labOrder` (both ways);
/// - `status.mapping.yaml`: the lab's status message → `labOrderStatus` transitions;
/// - `catalog.csv`: the lab's product codes (named by the mappings' `catalog:` rules);
/// - code tables and an XML Schema as the mappings name them.
///
/// ```swift
/// let lab = try LabPartner(name: "example-xml", mappings: "Mappings")
/// let pipeline = try lab.orderWriter()
/// let summary = try pipeline.run(input: &input, output: &output) { reject in print(reject.error) }
/// ```
public struct LabPartner: Sendable {
    /// The lab's name: its folder under `labs/`.
    public let name: String
    /// The lab's folder.
    public let folder: String

    /// The lab named `name` in the mappings folder.
    /// - Throws: ``BridgeError`` (`invalidConfiguration`) naming the labs that exist when there is no such lab.
    public init(name: String, mappings: String) throws(BridgeError) {
        let labs = (mappings as NSString).appendingPathComponent("labs")
        let folder = (labs as NSString).appendingPathComponent(name)
        var isFolder: ObjCBool = false
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix("."),
            FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue
        else {
            let known = Self.available(in: mappings).joined(separator: ", ")
            throw BridgeError(
                .invalidConfiguration,
                "there is no lab \(name) in \(labs) (labs: \(known.isEmpty ? "none" : known))")
        }
        self.name = name
        self.folder = folder
    }

    /// The labs of a mappings folder, sorted.
    public static func available(in mappings: String) -> [String] {
        let labs = (mappings as NSString).appendingPathComponent("labs")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: labs)) ?? []
        return names.filter { name in
            FileManager.default.fileExists(
                atPath: ((labs as NSString).appendingPathComponent(name) as NSString).appendingPathComponent(
                    "order.mapping.yaml"))
        }.sorted()
    }

    /// The order mapping's path.
    public var orderMappingPath: String { (folder as NSString).appendingPathComponent("order.mapping.yaml") }
    /// The status mapping's path.
    public var statusMappingPath: String { (folder as NSString).appendingPathComponent("status.mapping.yaml") }
    /// The catalog's path.
    public var catalogPath: String { (folder as NSString).appendingPathComponent("catalog.csv") }

    /// Writes `labOrder` JSON Lines as the lab's order documents; each order is checked against the model
    /// first (teeth, kinds, attachments), then its kind and material looked up in the catalog.
    /// - Throws: ``BridgeError`` when the mapping, catalog or schema cannot be loaded.
    public func orderWriter(
        failFast: Bool = false, indent: Int? = 2, showPersonalData: Bool = false,
        logger: Logger = Logger(label: "claimsbridge", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws -> TreeWritePipeline {
        var pipeline = try TreeWritePipeline(
            mapping: try TreeMapping.load(path: orderMappingPath), failFast: failFast, indent: indent,
            showPersonalData: showPersonalData, logger: logger)
        pipeline.modelCheck = Self.checkOrder
        return pipeline
    }

    /// Reads the lab's order documents into `labOrder` JSON Lines, each checked against the model.
    /// - Throws: ``BridgeError`` when the mapping, catalog or schema cannot be loaded.
    public func orderReader(
        failFast: Bool = false, showPersonalData: Bool = false,
        logger: Logger = Logger(label: "claimsbridge", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws -> TreeReadPipeline {
        var pipeline = try TreeReadPipeline(
            mapping: try TreeMapping.load(path: orderMappingPath), failFast: failFast,
            showPersonalData: showPersonalData, logger: logger)
        pipeline.modelCheck = Self.checkOrder
        return pipeline
    }

    /// Reads the lab's status messages into `labOrderStatus` transitions of the orders in `book`, moving
    /// each order on; an update for an unknown order or one that breaks the lifecycle is rejected.
    /// - Throws: ``BridgeError`` when the mapping or schema cannot be loaded.
    public func statusReader(
        orders book: LabOrderBook, failFast: Bool = false, showPersonalData: Bool = false,
        logger: Logger = Logger(label: "claimsbridge", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws -> TreeReadPipeline {
        var pipeline = try TreeReadPipeline(
            mapping: try TreeMapping.load(path: statusMappingPath), failFast: failFast,
            showPersonalData: showPersonalData, logger: logger)
        pipeline.modelCheck = { update throws(BridgeError) in try book.applyUpdate(update) }
        return pipeline
    }

    /// Checks the lab's catalog.
    /// - Throws: ``BridgeError`` when the file cannot be read or its header is wrong.
    public func checkCatalog() throws -> [LintFinding] {
        LabCatalogCheck.check(try LabCatalog(path: catalogPath))
    }

    /// Checks a model object as a lab order and passes it on unchanged.
    static func checkOrder(_ model: TreeValue) throws(BridgeError) -> TreeValue {
        var bytes: [UInt8] = []
        model.appendJSON(to: &bytes)
        _ = try LabOrder(json: bytes)
        return model
    }
}
