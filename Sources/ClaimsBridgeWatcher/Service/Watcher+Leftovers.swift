import ClaimsBridgeTransports
import Foundation
import Logging

extension Watcher {
    /// Removes the temporary files a killed process left behind: the watcher's own work files in its folders, and
    /// the hidden temporaries of folder destinations (a kill between linking the file to its final name and
    /// unlinking the temporary leaves a second link behind). Only names of our own making are touched, and only
    /// when no live writer can need them. Run at start, before anything is written.
    func removeAbandonedTemporaries() {
        let folders = configuration.routes.flatMap { [$0.inbox, $0.processingDirectory, $0.errorDirectory] }
        // In folders shared with other machines a process id says nothing about the writer: go by age alone.
        let own = WorkFileNames.removeAbandoned(in: folders, byAgeOnly: sharesInboxes)
        var delivered = 0
        for case let folder as FolderTransport in transports.values {
            delivered += folder.removeStaleTemporaries().count
        }
        if own + delivered > 0 {
            logger.notice(
                "removed temporary files left by a stopped process",
                metadata: ["watcherFolders": "\(own)", "destinationFolders": "\(delivered)"])
        }
    }

    /// After a drain: the files still in `processing/`, which a drain must not report as done. With shared inboxes
    /// (and so a shared ledger), only the files this worker holds count: others' files in hand are theirs to finish.
    /// - Throws: ``WatchError`` naming the routes and ledger numbers of the files left (never their names, which may
    ///   hold personal data); `claimsbridge status` and the log say why.
    func checkNothingLeftInHand() throws {
        let ledger = try Ledger(location: ledgerLocation)
        let claims = try inboxClaimKeeper()
        var left: [String] = []
        for route in configuration.routes {
            let inHand = try ledger.filesInHand(processingDirectories: [route.processingDirectory])
            let knownPaths = Set(inHand.map(\.path))
            let known = try inHand.filter { file in
                try file.route == route.name
                    && claims?.holds(route: route.name, name: file.name, size: file.size, path: file.path) ?? true
            }
            let unknown = try FileProcessor.originals(in: route.processingDirectory).filter { name in
                let path = route.processingDirectory + "/" + name
                return try !knownPaths.contains(path)
                    && claims?.holds(route: route.name, name: name, size: -1, path: path) ?? true
            }
            guard !known.isEmpty || !unknown.isEmpty else { continue }
            var parts =
                known.isEmpty
                ? [] : ["ledger file\(known.count == 1 ? "" : "s") \(known.map { "\($0.id)" }.joined(separator: ", "))"]
            if !unknown.isEmpty { parts.append("\(unknown.count) not yet recorded") }
            left.append("route \(route.name): \(parts.joined(separator: "; "))")
        }
        guard !left.isEmpty else { return }
        throw WatchError(
            "the drain ended with files still in processing/ (\(left.joined(separator: " / "))); they could not be "
                + "finished, see the log; they are tried again at the next start")
    }
}
