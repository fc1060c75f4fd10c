internal import ClaimsBridge
import Foundation

extension WatchConfiguration {
    /// Reads and checks a routes file. Relative folders are taken from the file's own folder.
    /// - Parameter knownTransports: the destination names of the delivery configuration; a route naming
    ///   another is an error. Without it, any name is accepted (for reading the file without its delivery side).
    /// - Throws: `BridgeError` (`invalidConfiguration`) naming `file:line`.
    public static func load(path: String, knownTransports: Set<String>? = nil) throws -> WatchConfiguration {
        let root = try ConfigNode.load(path: path)
        let base = (path as NSString).deletingLastPathComponent
        func resolve(_ folder: String) -> String {
            folder.hasPrefix("/") ? folder : ((base.isEmpty ? "." : base) as NSString).appendingPathComponent(folder)
        }
        try root.expectKeys(
            [
                "state", "mappings", "delivery", "rescanSeconds", "listen", "routes", "stateFileMode", "stateGroup",
                "openPermissions",
                "statusEvents", "mailboxes", "reconciliations",
            ],
            in: "the routes file")
        let state = try root["state"].map { resolve(try $0.string("`state`")) } ?? resolve(".claimsbridge-state")
        let mappings = try root["mappings"].map { resolve(try $0.string("`mappings`")) }
        let rescan = try root["rescanSeconds"]?.int("`rescanSeconds`") ?? 30
        guard rescan > 0 else { throw try root.required("rescanSeconds").error("`rescanSeconds` must be at least 1") }
        let listen = try root["listen"].map { try $0.string("`listen`") }
        if let listen, let node = root["listen"], !listen.contains(":") {
            throw node.error("`listen` must be host:port, e.g. 127.0.0.1:9464")
        }
        let delivery = resolve(try root.required("delivery").string("`delivery`"))
        let routesNode = try root.required("routes")
        var routes: [Route] = []
        var inboxes: [String: Int] = [:]
        for node in try routesNode.items("`routes`") {
            let route = try loadRoute(node, resolve: resolve, mappings: mappings, transports: knownTransports)
            if routes.contains(where: { $0.name == route.name }) {
                throw try node.required("name").error("the route name `\(route.name)` is used twice")
            }
            if let other = inboxes[route.inbox] {
                throw try node.required("inbox").error("this inbox is already watched by the route at line \(other)")
            }
            inboxes[route.inbox] = node.line
            routes.append(route)
        }
        if routes.isEmpty { throw routesNode.error("`routes` lists no route") }
        for (route, node) in zip(routes, try routesNode.items("`routes`")) {
            guard let reply = route.replyRoute else { continue }
            guard reply != route.name, routes.contains(where: { $0.name == reply }) else {
                throw try node.required("replies").error("`replies` must name another route of this file")
            }
        }
        var configuration = WatchConfiguration(
            stateDirectory: state, mappingsDirectory: mappings, deliveryConfigurationPath: delivery,
            rescanInterval: .seconds(rescan),
            listenAddress: listen, routes: routes, file: path)
        try configuration.loadPermissionSettings(root)
        if let node = root["statusEvents"] {
            let destination = try node.string("`statusEvents`")
            if let knownTransports, !knownTransports.contains(destination) {
                throw node.error("`statusEvents` names \(destination), which is not a destination of the delivery configuration")
            }
            configuration.statusEventsDestination = destination
        }
        try configuration.loadCarrierSchedules(root, transports: knownTransports)
        return configuration
    }

    private static func loadRoute(
        _ node: ConfigNode, resolve: (String) -> String, mappings: String?, transports: Set<String>?
    ) throws -> Route {
        try node.expectKeys(
            [
                "name", "inbox", "pattern", "stableSeconds", "doneMarker", "from", "to", "mapping", "parameters", "orders",
                "deliver",
                "resubmit", "replies", "pickup",
                "processing", "archive", "error", "rejects",
            ], in: "a route")
        let name = try node.required("name").string("`name`")
        guard !name.isEmpty, name.utf8.allSatisfy({ $0.isRouteNameByte }) else {
            throw try node.required("name").error("a route name may use only letters, digits, `-` and `_`")
        }
        let inbox = resolve(try node.required("inbox").string("`inbox`"))
        var patterns: [String] = []
        if let pattern = node["pattern"] {
            patterns = pattern.scalar != nil ? [try pattern.string("`pattern`")] : try pattern.items("`pattern`").map {
                try $0.string("a pattern")
            }
        }
        var readiness = Route.Readiness.stableFor(.seconds(2))
        if let marker = node["doneMarker"] {
            if node["stableSeconds"] != nil {
                throw marker.error("use either `doneMarker` or `stableSeconds`, not both")
            }
            let suffix = try marker.string("`doneMarker`")
            guard !suffix.isEmpty else { throw marker.error("`doneMarker` must be a suffix such as .done") }
            readiness = .doneMarker(suffix: suffix)
        } else if let stable = node["stableSeconds"] {
            guard let seconds = Double(try stable.string("`stableSeconds`")), seconds >= 0 else {
                throw stable.error("`stableSeconds` must be a number of seconds, e.g. 2 or 0.5")
            }
            readiness = .stableFor(.milliseconds(Int64(seconds * 1000)))
        }
        let translation = try loadTranslation(node, resolve: resolve, mappings: mappings)
        let deliverNode = try node.required("deliver")
        let deliver =
            deliverNode.scalar != nil
            ? [try deliverNode.string("`deliver`")] : try deliverNode.items("`deliver`").map { try $0.string("a transport") }
        guard !deliver.isEmpty else { throw deliverNode.error("`deliver` names no transport") }
        if let transports {
            for transport in deliver where !transports.contains(transport) {
                let known = transports.isEmpty ? "none" : transports.sorted().joined(separator: ", ")
                throw deliverNode.error(
                    "unknown destination `\(transport)`; the delivery configuration defines: \(known)")
            }
        }
        var route = Route(
            name: name, inbox: inbox, patterns: patterns, readiness: readiness, translation: translation,
            transports: deliver, allowsResubmission: try node["resubmit"]?.bool("`resubmit`") ?? false,
            replyRoute: try node["replies"]?.string("`replies`"),
            processingDirectory: try node["processing"].map { resolve(try $0.string("`processing`")) },
            archiveDirectory: try node["archive"].map { resolve(try $0.string("`archive`")) },
            errorDirectory: try node["error"].map { resolve(try $0.string("`error`")) },
            rejectsDirectory: try node["rejects"].map { resolve(try $0.string("`rejects`")) })
        route.pickup = try node["pickup"].map { try loadPickup($0, resolve: resolve, transports: transports) }
        return route
    }

    /// A route's `pickup: {from: DESTINATION, folder: PATH, pattern: "*.xml", remove: true, everySeconds: 60}`.
    private static func loadPickup(
        _ node: ConfigNode, resolve: (String) -> String, transports: Set<String>?
    ) throws -> Route.Pickup {
        try node.expectKeys(["from", "folder", "pattern", "remove", "everySeconds"], in: "`pickup`")
        let fromNode = try node.required("from")
        let source = try fromNode.string("`pickup.from`")
        if let transports, !transports.contains(source) {
            throw fromNode.error("`pickup.from` names \(source), which is not a destination of the delivery configuration")
        }
        var patterns: [String] = []
        if let pattern = node["pattern"] {
            patterns = pattern.scalar != nil
                ? [try pattern.string("`pickup.pattern`")] : try pattern.items("`pickup.pattern`").map {
                    try $0.string("`pickup.pattern`")
                }
        }
        let every = try node["everySeconds"]?.int("`pickup.everySeconds`") ?? 60
        guard every > 0 else { throw try node.required("everySeconds").error("`pickup.everySeconds` must be at least 1") }
        // A local folder is relative to the routes file; a remote one is the server's path, taken as written.
        let folder = try node["folder"].map { try $0.string("`pickup.folder`") }
        return Route.Pickup(
            source: source, folder: folder, patterns: patterns,
            removeAfterPickup: try node["remove"]?.bool("`pickup.remove`") ?? true, interval: .seconds(every))
    }

    /// A route's `from:`/`to:`, looked up in the translations ClaimsBridge knows (``TranslationRegistry``).
    /// - Parameter mappings: the routes file's mappings folder, where a lab's format is found.
    private static func loadTranslation(
        _ node: ConfigNode, resolve: (String) -> String, mappings: String?
    ) throws -> Route.Translation {
        let from = try node["from"]?.string("`from`")
        let to = try node["to"]?.string("`to`")
        let mapping = try node["mapping"].map { resolve(try $0.string("`mapping`")) }
        let orders = try node["orders"].map { resolve(try $0.string("`orders`")) }
        var parameters: [String: String] = [:]
        if let list = node["parameters"] {
            for entry in try list.entries("`parameters`") { parameters[entry.key] = try entry.value.string(entry.key) }
        }
        if from == nil && to == nil { return .none }
        guard let from, let to, let translation = TranslationRegistry.find(from: from, to: to),
            translation.kind != .cdanetToFields
        else {
            let at = node["from"] ?? node["to"] ?? node
            let choices = TranslationRegistry.choices.replacingOccurrences(of: "cdanet → fields, ", with: "")
            throw at.error(
                "cannot translate from `\(from ?? "?")` to `\(to ?? "?")`; use \(choices), or leave out both to deliver files as they are"
            )
        }
        if translation.needsOrders && orders == nil {
            throw (node["from"] ?? node).error(
                "translating from `\(from)` needs `orders:` (the known lab orders, a JSON Lines file)")
        }
        switch translation.kind {
        case .cdanetToJSON: return .cdanetToJSON
        case .jsonToCDAnet: return .jsonToCDAnet
        case .tree(let bundled, let writes):
            guard let path = mapping ?? bundled else {
                throw (node["to"] ?? node).error(
                    "translating from `\(from)` to `\(to)` needs `mapping:` (the tree mapping file)")
            }
            return .tree(
                Route.TreeRoute(
                    from: from, to: to, mapping: path, isBundled: mapping == nil, writes: writes,
                    parameters: parameters, outputExtension: translation.outputExtension ?? ""))
        case .ordersToLab(let lab):
            let folder = mappings ?? ProcessInfo.processInfo.environment["CLAIMSBRIDGE_MAPPINGS"] ?? "Mappings"
            let format: String
            do {
                format = try TreeMapping.load(path: try LabPartner(name: lab, mappings: folder).orderMappingPath)
                    .format.rawValue
            } catch {
                throw (node["to"] ?? node).error(
                    "cannot read the order mapping of lab `\(lab)` in \(folder) (name the mappings folder with `mappings:`): \(error)")
            }
            return .lab(Route.LabRoute(from: from, to: to, outputExtension: format))
        case .ordersFromLab, .labStatus, .cdanetToFields:
            return .lab(
                Route.LabRoute(
                    from: from, to: to, orders: orders, outputExtension: translation.outputExtension ?? "jsonl"))
        }
    }
}

extension UInt8 {
    fileprivate var isRouteNameByte: Bool {
        (0x30...0x39).contains(self) || (0x41...0x5A).contains(self) || (0x61...0x7A).contains(self) || self == 0x2D
            || self == 0x5F
    }
}
