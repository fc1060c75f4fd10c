import ClaimsBridge
import ClaimsBridgeTransports
import Foundation
import Logging

extension Watcher {
    /// Fetches what is waiting at a route's pickup source into its inbox, each file exactly once: it is recorded
    /// in the ledger (name, SHA-256, size) before it is put in the inbox, and put in the inbox before it is
    /// removed from the source. After a crash the record says how far it got. With `remove: false` a name once
    /// fetched is never fetched again.
    /// - Returns: how many files were put in the inbox.
    func pickUp(route: Route, pickup: Route.Pickup, from source: any PickupSource, ledger: Ledger) throws -> Int {
        var dropped = 0
        let names: [String]
        do {
            names = try source.list().filter { name in
                pickup.patterns.isEmpty || pickup.patterns.contains { fnmatch($0, name, 0) == 0 }
            }
        } catch {
            logger.warning(
                "the pickup source cannot be listed; trying again later",
                metadata: ["route": "\(route.name)", "source": "\(source.description)", "problem": "\(error.reason)"])
            return 0
        }
        for name in names where !isStopping {
            do {
                if try pickUpOne(name, route: route, pickup: pickup, source: source, ledger: ledger) { dropped += 1 }
            } catch let error as TransportError {
                logger.warning(
                    "a file could not be fetched; trying again later",
                    metadata: ["route": "\(route.name)", "file": "\(name)", "problem": "\(error.reason)"])
            }
        }
        return dropped
    }

    /// - Returns: whether the file was put in the inbox.
    private func pickUpOne(
        _ name: String, route: Route, pickup: Route.Pickup, source: any PickupSource, ledger: Ledger
    ) throws -> Bool {
        let earlier = try ledger.latestPickup(route: route.name, name: name)
        switch earlier?.state {
        case .dropped?:
            // In the inbox already; what is left is removing it from the source.
            if pickup.removeAfterPickup, let earlier {
                try source.remove(name)
                try ledger.markPickup(earlier.id, .removed)
            }
            return false
        case .removed? where !pickup.removeAfterPickup:
            return false
        default:
            break
        }
        let bytes = try source.download(name)
        let digest = FileDigest.sha256(bytes)
        let id: Int64
        var placedBefore = false
        if let earlier, earlier.state == .recorded, earlier.sha256 == digest {
            id = earlier.id
            // Recorded, then perhaps put in the inbox before a crash kept it from being marked so: a file of that
            // name and digest in the inbox is that placement (the intake reads the inbox only after pickups).
            placedBefore = Self.inbox(route, holds: name, sha256: digest)
        } else {
            id = try ledger.recordPickup(
                route: route.name, source: source.description, name: name, sha256: digest, size: bytes.count)
        }
        let placed = placedBefore ? name : try DurableFiles.placeWithoutOverwriting(bytes, into: route.inbox, name: name)
        try ledger.markPickup(id, .dropped, inboxName: (placed as NSString).lastPathComponent)
        if pickup.removeAfterPickup {
            try source.remove(name)
            try ledger.markPickup(id, .removed)
        }
        if placedBefore { return false }
        logger.info(
            "fetched a file", metadata: ["route": "\(route.name)", "file": "\(name)", "bytes": "\(bytes.count)"])
        return true
    }

    /// Whether the route's inbox holds a file `name` with the SHA-256 digest `sha256`.
    private static func inbox(_ route: Route, holds name: String, sha256: String) -> Bool {
        (try? FileDigest.sha256(path: route.inbox + "/" + name))?.hex == sha256
    }
}
