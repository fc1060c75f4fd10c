import Foundation

/// Lists the files in a route's inbox that are complete and ready to claim.
///
/// Skipped: folders, hidden names (`.name`), temporary names (`*.tmp`, `*.part`, `*.partial`, `*.swp`), names not
/// matching the route's patterns, and done-marker files themselves. A file is ready when its modification time is
/// at least the route's stable time in the past, or (done-marker routes) when its marker exists.
struct InboxScanner {
    let route: Route

    /// A file that may be claimed now, or later.
    struct Candidate {
        var name: String
        var modified: Double
    }

    /// The result of one look at the inbox.
    struct Listing {
        /// Ready files, oldest first.
        var ready: [Candidate] = []
        /// When the next file that is not ready yet may become ready (seconds since 1970), if any.
        var nextCheck: Double?
    }

    static let temporarySuffixes = [".tmp", ".part", ".partial", ".swp", ".crdownload"]

    func scan(now: Double = Date().timeIntervalSince1970) -> Listing {
        var listing = Listing()
        guard let directory = opendir(route.inbox) else { return listing }
        defer { closedir(directory) }
        var names: [String] = []
        var markers = Set<String>()
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name.hasPrefix(".") || Self.temporarySuffixes.contains(where: { name.hasSuffix($0) }) { continue }
            if case .doneMarker(let suffix) = route.readiness, name.hasSuffix(suffix) {
                markers.insert(String(name.dropLast(suffix.count)))
                continue
            }
            if !route.patterns.isEmpty && !route.patterns.contains(where: { fnmatch($0, name, 0) == 0 }) { continue }
            names.append(name)
        }
        for name in names {
            var info = stat()
            guard stat(route.inbox + "/" + name, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
            switch route.readiness {
            case .doneMarker:
                if markers.contains(name) { listing.ready.append(Candidate(name: name, modified: modified)) }
            case .stableFor(let duration):
                let wait = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
                let readyAt = modified + wait
                if readyAt <= now {
                    listing.ready.append(Candidate(name: name, modified: modified))
                } else {
                    listing.nextCheck = min(listing.nextCheck ?? readyAt, readyAt)
                }
            }
        }
        listing.ready.sort { ($0.modified, $0.name) < ($1.modified, $1.name) }
        return listing
    }
}
