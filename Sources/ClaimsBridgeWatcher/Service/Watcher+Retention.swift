import ClaimsBridgeTransports
public import Foundation
import Logging

/// What one application of the retention setting removed (or, in a dry run, would remove).
public struct RetentionReport: Sendable, Equatable {
    /// Deliveries whose payload (and reply) bytes were removed from the outbox.
    public var payloads = 0
    /// Archived and failed originals removed (their ledger records stay).
    public var originals = 0
    /// Rejects files removed.
    public var rejectsFiles = 0

    public init() {}

    /// One line for the log or the terminal.
    public var summary: String {
        "\(payloads) payload\(payloads == 1 ? "" : "s"), \(originals) original\(originals == 1 ? "" : "s"), "
            + "\(rejectsFiles) rejects file\(rejectsFiles == 1 ? "" : "s")"
    }
}

extension Watcher {
    /// Applies the retention setting as of `now`: removes the payload bytes of deliveries settled longer ago than
    /// `retention.payloads`, and the originals (in `archive/` and `error/`) filed longer ago than
    /// `retention.archives`, with the rejects files of the days before that. What was received, translated and
    /// delivered, when, and the SHA-256 digests stay in the ledger and the outbox; the `.error.json` reports
    /// (which hold no personal data) stay too.
    /// - Parameter dryRun: count what would be removed; change nothing.
    public func applyRetention(now: Date, dryRun: Bool = false) throws -> RetentionReport {
        var report = RetentionReport()
        let retention = configuration.retention
        if let seconds = retention.payloadSeconds, configuration.outboxExists {
            report.payloads = try openOutbox().purgePayloads(
                settledBefore: now.addingTimeInterval(-seconds), now: now, dryRun: dryRun)
        }
        guard let seconds = retention.archiveSeconds, ledgerLocation.exists else { return report }
        let cutoff = now.timeIntervalSince1970 - seconds
        let ledger = try Ledger(location: ledgerLocation)
        let keptFolders = configuration.routes.flatMap { [$0.archiveDirectory + "/", $0.errorDirectory + "/"] }
        for file in try ledger.originalsFiled(before: cutoff) where keptFolders.contains(where: file.path.hasPrefix) {
            report.originals += 1
            guard !dryRun else { continue }
            guard unlink(file.path) == 0 || errno == ENOENT else { throw DurableFiles.failure("cannot remove", file.path) }
            try ledger.markOriginalPurged(file.id, at: now.timeIntervalSince1970)
        }
        let lastDay = FileProcessor.day(cutoff)
        for route in configuration.routes {
            for day in Self.dayFolders(in: route.rejectsDirectory) where day < lastDay {
                let folder = route.rejectsDirectory + "/" + day
                for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
                    report.rejectsFiles += 1
                    if !dryRun { unlink(folder + "/" + name) }
                }
                if !dryRun { rmdir(folder) }
            }
        }
        return report
    }

    /// Applies retention (when set) if a day has passed since `last`, logging what it removed; a failure is
    /// logged and tried again the next day.
    /// - Returns: when it last ran.
    func applyRetentionIfDue(last: Date?) -> Date? {
        guard configuration.retention.isEnabled else { return nil }
        let now = clock()
        if let last, now.timeIntervalSince(last) < 86_400 { return last }
        do {
            let report = try applyRetention(now: now)
            logger.notice("retention applied", metadata: ["removed": "\(report.summary)"])
        } catch {
            logger.error("retention could not be applied; it is tried again tomorrow", metadata: ["error": "\(error)"])
        }
        return now
    }

    /// The `YYYY-MM-DD` folders in `folder`.
    static func dayFolders(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { name in
            name.utf8.count == 10 && name.utf8.enumerated().allSatisfy { index, byte in
                index == 4 || index == 7 ? byte == 0x2D : (0x30...0x39).contains(byte)
            }
        }.sorted()
    }
}
