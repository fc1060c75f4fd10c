public import ClaimsBridge
import Foundation
import Logging

/// What the routes' translations need: the CDAnet layouts and mappings, loaded once at start-up, and the mappings
/// folder the other translations (RAMQ, XML, partner JSON, labs) load from. Loading checks every route's
/// translation, so a broken mapping stops the watcher before it takes a file.
public struct TranslationResources: Sendable {
    public var catalog: CDAnetCatalog?
    /// The folder of layouts and mappings.
    public var mappingsDirectory: String

    public init(catalog: CDAnetCatalog? = nil, mappingsDirectory: String = "Mappings") {
        self.catalog = catalog
        self.mappingsDirectory = mappingsDirectory
    }

    /// Loads what `configuration`'s routes use from `mappingsDirectory` and prepares each route's translation
    /// once, to check it (CDAnet mappings that can write, tree mappings and their schemas, labs).
    /// - Throws: `BridgeError` naming the file and line of a broken layout or mapping.
    public static func load(for configuration: WatchConfiguration, mappingsDirectory: String) throws -> TranslationResources {
        var resources = TranslationResources(mappingsDirectory: mappingsDirectory)
        let routes = configuration.routes
        if routes.contains(where: { $0.translation == .cdanetToJSON || $0.translation == .jsonToCDAnet }) {
            resources.catalog = try CDAnetCatalog(directory: (mappingsDirectory as NSString).appendingPathComponent("cdanet"))
        }
        for route in routes { _ = try resources.prepare(route) }
        return resources
    }

    /// The route's translation, ready to run, or nil when the route delivers files as they are.
    func prepare(_ route: Route, logger: Logger? = nil) throws -> PreparedTranslation? {
        let found: Translation?
        var settings = PreparedTranslation.Settings(mappingsDirectory: mappingsDirectory, catalog: catalog)
        if let logger { settings.logger = logger }
        switch route.translation {
        case .none: return nil
        case .cdanetToJSON: found = TranslationRegistry.find(from: "cdanet", to: "json")
        case .jsonToCDAnet: found = TranslationRegistry.find(from: "json", to: "cdanet")
        case .tree(let tree):
            found = TranslationRegistry.find(from: tree.from, to: tree.to)
            settings.mappingFile = tree.mappingPath(mappingsDirectory: mappingsDirectory)
            settings.parameters = tree.parameters
        case .lab(let lab):
            found = TranslationRegistry.find(from: lab.from, to: lab.to)
            settings.ordersFile = lab.orders
        }
        guard let found else { throw WatchError("route \(route.name): there is no translation \(route.translation)") }
        return try PreparedTranslation(found, settings: settings)
    }
}
