public import ClaimsBridge
import Foundation

/// What the routes' translations need, loaded and compiled once at start-up: the CDAnet layouts and mappings,
/// and the tree mapping of each route that translates through one (RAMQ, XML, partner JSON).
public struct TranslationResources: Sendable {
    public var catalog: CDAnetCatalog?
    /// Tree mappings by route name.
    public var treeMappings: [String: TreeMapping]

    public init(catalog: CDAnetCatalog? = nil, treeMappings: [String: TreeMapping] = [:]) {
        self.catalog = catalog
        self.treeMappings = treeMappings
    }

    /// Loads what `configuration`'s routes use from `mappingsDirectory`; checks that CDAnet mappings can write
    /// when a route writes CDAnet.
    /// - Throws: `BridgeError` naming the file and line of a broken layout or mapping.
    public static func load(for configuration: WatchConfiguration, mappingsDirectory: String) throws -> TranslationResources {
        var resources = TranslationResources()
        let routes = configuration.routes
        if routes.contains(where: { $0.translation == .cdanetToJSON || $0.translation == .jsonToCDAnet }) {
            let catalog = try CDAnetCatalog(directory: (mappingsDirectory as NSString).appendingPathComponent("cdanet"))
            if routes.contains(where: { $0.translation == .jsonToCDAnet }) { try catalog.checkWritable() }
            resources.catalog = catalog
        }
        for route in routes {
            guard case .tree(let tree) = route.translation else { continue }
            resources.treeMappings[route.name] = try TreeMapping.load(
                path: tree.mappingPath(mappingsDirectory: mappingsDirectory))
        }
        return resources
    }
}
