import ClaimsBridgeTransports
import Foundation

/// The hidden names of the watcher's own short-lived files: `.<name>.pid<process>.tmp` while a file is written,
/// `.<name>.pid<process>.copy` while a reprocessed original is copied. The process id in the name tells whether
/// the writer is still alive, so a restart can remove what a killed watcher left behind.
enum WorkFileNames {
    static func temporary(_ name: String) -> String { hidden(name, "tmp") }
    static func staged(_ name: String) -> String { hidden(name, "copy") }

    private static func hidden(_ name: String, _ kind: String) -> String {
        let tail = ".pid\(getpid()).\(kind)"
        return "." + FileNameLength.prefix(name, maxBytes: FileNameLength.limit - 1 - tail.utf8.count) + tail
    }

    /// The writing process of a work file name, or nil when the name is not one of ours.
    static func writer(_ name: String) -> pid_t? {
        guard name.hasPrefix("."), let dot = name.lastIndex(of: ".") else { return nil }
        guard ["tmp", "copy"].contains(name[name.index(after: dot)...]) else { return nil }
        let rest = name[..<dot]
        guard let marker = rest.range(of: ".pid", options: .backwards), marker.lowerBound > rest.startIndex else {
            return nil
        }
        return pid_t(rest[marker.upperBound...])
    }

    /// Removes the work files a killed watcher left in `folders`: those whose process is gone, or older than an hour
    /// (only those older than an hour with `byAgeOnly`, for folders other machines write in too).
    /// Call it before this process writes any: a name with this process's own id is taken to be left by an
    /// earlier process that had the same id (as a container's first process always does).
    /// - Returns: how many were removed.
    @discardableResult
    static func removeAbandoned(in folders: [String], safeAge: Double = 3600, byAgeOnly: Bool = false) -> Int {
        let ownID = getpid()
        let cleaner = StaleTemporaries(
            safeAge: safeAge, isOwn: { writer($0) != nil },
            writerProcess: { name in byAgeOnly ? nil : writer(name).map { $0 == ownID ? 0 : $0 } })
        return folders.reduce(0) { $0 + cleaner.remove(in: $1).count }
    }
}
