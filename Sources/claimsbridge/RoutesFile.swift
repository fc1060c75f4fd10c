import ArgumentParser
import ClaimsBridge
import ClaimsBridgeStorage
import ClaimsBridgeTransports
import ClaimsBridgeWatcher
import Foundation
import Logging

/// A routes file with everything it refers to loaded and checked: the delivery configuration (destinations,
/// outbox, retries) and the CDAnet layouts and mappings.
struct RoutesFile {
    var configuration: WatchConfiguration
    var delivery: DeliveryConfiguration
    var transports: [String: any Transport]
    var resources: TranslationResources
    /// Where routes with `pickup:` fetch their files from, by route name.
    var pickupSources: [String: any PickupSource] = [:]

    /// The routes file's settings with the store its delivery configuration names (`store:`), without the mappings or
    /// transports: what the commands that only read the ledger and the outbox need.
    static func loadStores(path: String) throws -> WatchConfiguration {
        var configuration = try WatchConfiguration.load(path: path)
        if let deliveryPath = configuration.deliveryConfigurationPath {
            let delivery = try DeliveryConfiguration.load(path: deliveryPath)
            configuration.outboxPath = delivery.outboxPath
            configuration.outboxStore = delivery.postgreSQL.map { .postgreSQL($0) }
        }
        return configuration
    }

    static func load(path: String, common: CommonOptions, logger: Logger) throws -> RoutesFile {
        let unchecked = try WatchConfiguration.load(path: path)
        guard let deliveryPath = unchecked.deliveryConfigurationPath else {
            throw BridgeError(
                .invalidConfiguration, "the routes file must name its delivery configuration (`delivery:`)",
                at: .init(file: path))
        }
        let delivery = try DeliveryConfiguration.load(path: deliveryPath)
        var configuration = try WatchConfiguration.load(
            path: path, knownTransports: Set(delivery.destinations.map(\.name)))
        configuration.outboxPath = delivery.outboxPath
        configuration.outboxStore = delivery.postgreSQL.map { .postgreSQL($0) }
        configuration.privateFiles =
            delivery.destinations.flatMap(\.privateFiles) + (delivery.encryption?.privateFiles ?? [])
        configuration.payloadCipher = try delivery.payloadCipher()
        configuration.retention = delivery.retention
        var resources = TranslationResources()
        if configuration.routes.contains(where: { $0.translation != .none }) {
            let mappings = try configuration.mappingsDirectory ?? common.resolveMappings()
            resources = try TranslationResources.load(for: configuration, mappingsDirectory: mappings)
        }
        return RoutesFile(
            configuration: configuration, delivery: delivery, transports: try delivery.makeTransports(),
            resources: resources, pickupSources: try pickupSources(configuration, delivery))
    }

    /// The source of each route's `pickup:`: the named destination's SFTP server or folder. A local folder is
    /// relative to the routes file.
    private static func pickupSources(
        _ configuration: WatchConfiguration, _ delivery: DeliveryConfiguration
    ) throws -> [String: any PickupSource] {
        let base = (configuration.file as NSString).deletingLastPathComponent
        var sources: [String: any PickupSource] = [:]
        for route in configuration.routes {
            guard let pickup = route.pickup, let destination = delivery.destination(pickup.source) else { continue }
            var folder = pickup.folder
            if destination.type == "folder", let relative = folder, !relative.hasPrefix("/") {
                folder = ((base.isEmpty ? "." : base) as NSString).appendingPathComponent(relative)
            }
            guard let source = destination.makePickupSource(folder: folder) else {
                throw BridgeError(
                    .invalidConfiguration,
                    "route \(route.name) fetches from \(pickup.source), a \(destination.type) destination; only sftp and folder destinations can be read from",
                    at: .init(file: configuration.file))
            }
            sources[route.name] = source
        }
        return sources
    }

    /// A watcher for these routes.
    func makeWatcher(logger: Logger) -> Watcher {
        Watcher(
            configuration: configuration, resources: resources, transports: transports,
            retryPolicy: delivery.retryPolicy, leaseSeconds: delivery.leaseSeconds, logger: logger,
            pickupSources: pickupSources)
    }

    /// What `watch --check` prints.
    func summary() -> String {
        var lines = [
            "routes file \(configuration.file): \(configuration.routes.count) route\(configuration.routes.count == 1 ? "" : "s") ok",
            "  ledger   \(configuration.stateDirectory)/ledger.sqlite",
            "  outbox   \(configuration.outboxLocation) (from \(delivery.file))",
        ]
        if let listen = configuration.listenAddress { lines.append("  serving  http://\(listen)/metrics and /healthz") }
        if let cipher = configuration.payloadCipher {
            let previous = cipher.keys.keys.filter { $0 != cipher.currentKey.id }.sorted()
            lines.append(
                "  stored payloads and originals encrypted (AES-256-GCM) with key \(cipher.currentKey.id)"
                    + (previous.isEmpty ? "" : "; older keys still read: \(previous.joined(separator: ", "))"))
        }
        let retention = configuration.retention
        if retention.isEnabled {
            func days(_ seconds: Double?) -> String { seconds.map { "\(Int(($0 / 86_400).rounded())) days" } ?? "kept" }
            lines.append(
                "  retention: payloads \(days(retention.payloadSeconds)), originals \(days(retention.archiveSeconds))")
        }
        for route in configuration.routes {
            let patterns = route.patterns.isEmpty ? "every file" : route.patterns.joined(separator: ", ")
            let readiness: String
            switch route.readiness {
            case .stableFor(let duration): readiness = duration == .zero ? "as soon as it appears" : "when unchanged for \(duration)"
            case .doneMarker(let suffix): readiness = "once <name>\(suffix) exists"
            }
            lines.append("route \(route.name): \(route.inbox) (\(patterns); taken \(readiness))")
            lines.append("  translate \(route.translation)")
            for name in route.transports {
                lines.append("  deliver to \(name): \(transports[name]?.endpointDescription ?? "?")")
            }
            if let reply = route.replyRoute { lines.append("  HTTPS reply bodies go to route \(reply)") }
            if let pickup = route.pickup, let source = pickupSources[route.name] {
                lines.append(
                    "  fetch from \(source.description) every \(pickup.interval)"
                        + (pickup.removeAfterPickup ? ", removing each file once it is in the inbox" : ", leaving the files there"))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
