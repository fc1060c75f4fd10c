import ClaimsBridgeStorage
import Foundation
import Logging

/// A watcher's claims on the files of inboxes it shares with workers on other machines (through the PostgreSQL
/// store). A file is claimed in the store before it is renamed into `processing/`, and the claim is checked (and its
/// lease renewed) before each step that cannot be undone, so a worker whose lease ran out and whose file another
/// worker took over stops before it queues or files anything.
final class InboxClaimKeeper {
    let store: any InboxClaimStore
    /// This worker across restarts: host name and state folder.
    let worker: String
    let leaseSeconds: Double
    /// The claims held, by the path of the file in `processing/`.
    private var held: [String: InboxClaim] = [:]

    init(store: any InboxClaimStore, worker: String, leaseSeconds: Double) {
        self.store = store
        self.worker = worker
        self.leaseSeconds = leaseSeconds
    }

    /// A short tag of this worker, for the names of its work files in shared `processing/` folders.
    var workTag: String {
        let digest = FileDigest.sha256(Array(worker.utf8))
        return "w" + String(digest.prefix(8)) + "-"
    }

    /// Claims the file at `path` (`name` as it was dropped into the inbox of `route`); nil when another worker holds
    /// it, it is finished, or it is gone.
    func claim(route: String, name: String, path: String) throws -> InboxClaim? {
        guard let key = InboxFileKey(route: route, name: name, path: path) else { return nil }
        return try store.claim(key, worker: worker, leaseSeconds: leaseSeconds, now: Date().timeIntervalSince1970)
    }

    /// Keeps `claim` for the file now at `path`.
    func hold(_ claim: InboxClaim, at path: String) {
        held[path] = claim
    }

    /// The claim held for the file at `path`, if any.
    func claim(at path: String) -> InboxClaim? { held[path] }

    /// True when this worker holds the claim of the file recorded as `name` (`size` bytes) on `route`, whose original
    /// is (or was) at `path`: a file of its own in hand, as opposed to one another worker sharing the ledger holds.
    func holds(route: String, name: String, size: Int64, path: String) throws -> Bool {
        let found =
            if let key = InboxFileKey(route: route, name: name, path: path) {
                try store.record(key)
            } else {
                try store.latest(route: route, name: name, size: size)?.record
            }
        guard let found else { return false }
        return found.worker == worker && !found.finished
    }

    /// Takes up a file in hand whose original has already left `processing/` (recorded as `name`, `size` bytes, on
    /// `route`): true when it is this worker's, or its holder's lease ran out, so that this worker may record where
    /// the original went. A claim still open is finished, after being taken over when it was another worker's.
    /// False while another worker holds it: that worker records the move itself.
    func takeUpMovedFile(route: String, name: String, size: Int64) throws -> Bool {
        // No claim at all: its row was deleted long after its lease ran out, and nobody holds the file.
        guard let (key, record) = try store.latest(route: route, name: name, size: size) else { return true }
        let now = Date().timeIntervalSince1970
        guard record.worker == worker || record.leaseExpiresAt < now else { return false }
        if !record.finished, let claim = try store.claim(key, worker: worker, leaseSeconds: leaseSeconds, now: now) {
            _ = try store.finish(claim, now: now)
        }
        return true
    }

    /// Renews the lease of the file at `path` (nothing when this worker holds no claim on it, as for a reprocessed
    /// copy, which nobody else can see).
    /// - Throws: ``WatchError`` when another worker has taken the file over.
    func confirm(_ path: String) throws {
        guard let claim = held[path] else { return }
        guard try store.renew(claim, leaseSeconds: leaseSeconds, now: Date().timeIntervalSince1970) else {
            held[path] = nil
            throw WatchError(
                "another worker took this file over after this worker's lease ran out; this worker leaves it")
        }
    }

    /// Marks the file that was at `path` finished and lets its claim go.
    /// - Returns: false when another worker had taken it over.
    @discardableResult
    func finish(_ path: String) throws -> Bool {
        guard let claim = held.removeValue(forKey: path) else { return true }
        return try store.finish(claim, now: Date().timeIntervalSince1970)
    }

    /// Deletes the rows of files finished, or of leases ended, more than a day ago. A file's row only has to outlive the directory
    /// listings that may still name it; once it is archived, the rename out of the inbox fails for a late claimer.
    func deleteOldRows() throws {
        try store.deleteFinished(before: Date().timeIntervalSince1970 - 86_400)
    }
}
