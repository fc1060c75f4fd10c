import ClaimsBridgeTransports
import Foundation

/// What the watcher has done and has in hand, read from the ledger, the outbox and the inboxes:
/// counts per state, files in progress, files waiting in each inbox (and the oldest), failures and
/// deliveries given up. It names files, never their content.
public struct WatchStatus: Sendable {
    public var filesByState: [LedgerFile.State: Int]
    /// Files taken from an inbox and not finished yet.
    public var inHand: [LedgerFile]
    /// Files waiting in each route's inbox.
    public var waiting: [Waiting]
    /// Deliveries per outbox state.
    public var deliveries: [String: Int]
    /// The most recent failures.
    public var recentFailures: [LedgerFile]
    /// The most recent responses that match no request sent.
    public var unmatchedResponses: [ChainEntry]
    /// Originals retention has removed (their records stay).
    public var purgedOriginals = 0
    /// Deliveries whose payload retention has removed (their records stay).
    public var purgedPayloads = 0

    public struct Waiting: Sendable {
        public var route: String
        public var count: Int
        public var oldestName: String?
        public var oldestAgeSeconds: Double?
    }

    /// Reads the status for a configuration.
    public static func gather(_ configuration: WatchConfiguration) throws -> WatchStatus {
        let ledgerLocation = configuration.ledgerLocation
        guard ledgerLocation.exists else {
            throw WatchError("no ledger at \(ledgerLocation.description): the watcher has not run with this routes file yet")
        }
        let ledger = try Ledger(location: ledgerLocation)
        var deliveries: [String: Int] = [:]
        var purgedPayloads = 0
        if configuration.outboxExists {
            let outbox = try Outbox(store: configuration.outboxLocation)
            for (state, count) in try outbox.counts() { deliveries[state.name] = count }
            purgedPayloads = try outbox.purgedPayloadCount()
        }
        let now = Date().timeIntervalSince1970
        let waiting = configuration.routes.map { route in
            let listing = InboxScanner(route: route.withReadiness(.stableFor(.zero))).scan(now: now)
            let oldest = listing.ready.first
            return Waiting(
                route: route.name, count: listing.ready.count, oldestName: oldest?.name,
                oldestAgeSeconds: oldest.map { now - $0.modified })
        }
        return WatchStatus(
            filesByState: try ledger.countsByState(),
            inHand: try ledger.filesInHand(processingDirectories: configuration.routes.map(\.processingDirectory)),
            waiting: waiting, deliveries: deliveries, recentFailures: try ledger.files(state: .failed, limit: 10),
            unmatchedResponses: try ledger.unmatchedResponses(limit: 10), purgedOriginals: try ledger.purgedOriginalCount(),
            purgedPayloads: purgedPayloads)
    }

    /// The names of the files in a route's inbox that it would take (ready now or not yet), oldest first.
    public static func waitingFiles(in route: Route) -> [String] {
        InboxScanner(route: route.withReadiness(.stableFor(.zero))).scan().ready.map(\.name)
    }

    /// The status as text for a terminal.
    public var text: String {
        var lines = ["Files by state:"]
        for state in LedgerFile.State.allCases {
            lines.append("  \(state.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) \(filesByState[state] ?? 0)")
        }
        lines.append("Waiting in the inboxes:")
        for route in waiting {
            let oldest = route.oldestName.map { name in
                " (oldest: \(name), \(Self.age(route.oldestAgeSeconds ?? 0)))"
            } ?? ""
            lines.append("  \(route.route): \(route.count)\(oldest)")
        }
        lines.append("In hand: \(inHand.count)")
        for file in inHand { lines.append("  file \(file.id) \(file.name) (\(file.state.rawValue))") }
        lines.append("Deliveries: " + ["pending", "inFlight", "delivered", "dead"].map { "\($0) \(deliveries[$0] ?? 0)" }.joined(separator: ", "))
        if purgedOriginals + purgedPayloads > 0 {
            lines.append(
                "Purged by retention: \(purgedOriginals) original\(purgedOriginals == 1 ? "" : "s"), "
                    + "\(purgedPayloads) delivery payload\(purgedPayloads == 1 ? "" : "s") (their records and digests are kept)")
        }
        if !recentFailures.isEmpty {
            lines.append("Recent failures:")
            for file in recentFailures {
                let purged = file.originalPurgedAt == nil ? "" : " (original purged)"
                lines.append("  file \(file.id) \(file.name): \(file.error ?? "failed")\(purged)")
            }
        }
        if !unmatchedResponses.isEmpty {
            lines.append("Responses that match no request sent:")
            for entry in unmatchedResponses {
                lines.append("  \(entry.type) in file \(entry.fileID) \(entry.fileName), message \(entry.messageNumber)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func age(_ seconds: Double) -> String {
        switch seconds {
        case ..<120: "\(Int(seconds)) s"
        case ..<7200: "\(Int(seconds / 60)) min"
        default: "\(Int(seconds / 3600)) h"
        }
    }
}

extension Route {
    func withReadiness(_ readiness: Readiness) -> Route {
        var copy = self
        copy.readiness = readiness
        return copy
    }
}
