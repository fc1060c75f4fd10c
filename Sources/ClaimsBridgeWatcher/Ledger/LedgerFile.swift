/// One file the watcher took in, as the ledger records it.
public struct LedgerFile: Sendable, Equatable {
    /// The ledger's number for this file (and attempt).
    public var id: Int64
    public var route: String
    /// The name the file had in the inbox.
    public var name: String
    /// SHA-256 of the content, lowercase hex.
    public var sha256: String
    public var size: Int64
    public var state: State
    /// Where the original is now: under `processing/` while in hand, then `archive/` or `error/`.
    public var path: String
    /// Where the original is being moved to, recorded just before the move.
    public var movingTo: String?
    public var claimedAt: Double
    public var finishedAt: Double?
    public var messages: Int
    public var translated: Int
    public var rejected: Int
    /// What went wrong, in plain words and without personal data.
    public var error: String?
    /// The earlier file with the same content, for a duplicate.
    public var duplicateOf: Int64?
    /// The earlier attempt this one re-runs, for a reprocessed file.
    public var reprocessOf: Int64?
    /// When retention removed the original (seconds since 1970); the rest of the record stays.
    public var originalPurgedAt: Double? = nil

    /// Where a file is in its processing.
    public enum State: String, Sendable, CaseIterable {
        /// Moved into `processing/` and recorded; not translated yet.
        case claimed
        /// Translated, its results queued for delivery.
        case translated
        /// Every result delivered.
        case delivered
        /// Could not be translated, or a delivery was given up; the original is in `error/`.
        case failed
        /// The same content was already processed on this route; nothing was sent again.
        case duplicate
    }
}

/// One delivery a file produced: a result handed to the outbox for one transport.
public struct LedgerDelivery: Sendable, Equatable {
    public var fileID: Int64
    public var transport: String
    /// The key the receiver can use to recognise a repeat (webhook-id, file name).
    public var idempotencyKey: String
    public var outboxID: Int64
    public var state: String
}
