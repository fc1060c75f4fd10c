import ClaimsBridge
public import ClaimsBridgeStorage
public import Foundation
public import Logging

/// A durable queue of deliveries in SQLite (WAL): every delivery is a row before anything is sent.
///
/// The payload bytes are stored with the row, so the source file may be moved as soon as ``enqueue(destination:payload:metadata:idempotencyKey:now:)``
/// returns. ``deliverDue(transports:now:limit:concurrency:)`` claims due rows under a lease, sends them, and
/// records a receipt, a retry time (exponential backoff with jitter), or the dead-letter state. A sender that dies
/// mid-delivery leaves its rows in flight until the lease expires; then they are due again, and the receiver
/// recognises the repeat by its idempotency key.
///
/// An `Outbox` holds one SQLite connection and is not `Sendable`: open one per task (several processes may
/// share a file; SQLite locks across them).
///
/// ```swift
/// let outbox = try Outbox(path: "/var/lib/claimsbridge/outbox.sqlite")
/// let id = try outbox.enqueue(destination: "insurer", payload: bytes, idempotencyKey: "claim-0001")
/// let summary = try await outbox.deliverDue(transports: ["insurer": transport])
/// print(try outbox.delivery(id)?.state)   // delivered
/// ```
public final class Outbox {
    let database: SQLiteDatabase
    /// The database file.
    public let path: String
    /// When failed deliveries are retried, and when they are given up.
    public let retryPolicy: RetryPolicy
    /// How long a claimed delivery is reserved for its sender, in seconds; after that another sender may retry
    /// it. Make it longer than the slowest transport timeout.
    public let leaseSeconds: Double
    /// Encrypts the payloads (and replies) written, and decrypts those read; nil writes them as they are (and
    /// reads only plaintext).
    public let cipher: PayloadCipher?
    let logger: Logger

    /// Opens (creating if needed) the outbox at `path`.
    /// - Parameter cipher: encrypts stored payloads (see ``PayloadCipher``); rows written before keep reading.
    /// - Throws: ``OutboxError`` (`storage`).
    public init(
        path: String, retryPolicy: RetryPolicy = RetryPolicy(), leaseSeconds: Double = 300,
        cipher: PayloadCipher? = nil,
        logger: Logger = Logger(label: "claimsbridge.outbox", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws(OutboxError) {
        self.path = path
        self.retryPolicy = retryPolicy
        self.leaseSeconds = leaseSeconds
        self.cipher = cipher
        self.logger = logger
        do {
            database = try SQLiteDatabase(path: path)
            // Deleted and overwritten payload bytes are zeroed rather than left in free pages.
            try database.execute("PRAGMA secure_delete=ON")
            try OutboxSchema.migrate(database)
        } catch {
            throw OutboxError(.storage, "cannot open \(path): \(error)")
        }
    }

    /// What ``enqueue(destination:payload:metadata:idempotencyKey:now:ifPayloadDiffers:)`` does when the
    /// destination already has a delivery under the key with other bytes.
    public enum DifferentPayload: Sendable {
        /// Throw ``OutboxError`` `keyConflict`, naming the key and both digests: the new bytes would never be
        /// sent, since receivers treat the key as already delivered.
        case refuse
        /// Keep the stored delivery and its bytes. For callers whose key identifies the source rather than the
        /// bytes (the watcher keys a file's results by the input's hash, so a resumed file is not sent twice).
        case keepStored
    }

    /// Records a delivery to make. Idempotent: enqueueing the same destination, key and bytes again returns the
    /// existing delivery's ID and changes nothing, whatever its state. The same key with different bytes is
    /// refused by default (see ``DifferentPayload``).
    /// - Parameters:
    ///   - destination: a destination name the transports map will have.
    ///   - payload: the bytes to send; stored in the outbox.
    ///   - metadata: values such as `fileName` (see ``OutgoingDelivery``).
    ///   - idempotencyKey: see ``OutgoingDelivery/isValidKey(_:)``.
    ///   - now: the enqueue time; the delivery is due at once.
    ///   - ifPayloadDiffers: what to do when the key is already used with other bytes.
    /// - Returns: the delivery's ID.
    /// - Throws: ``OutboxError`` (`invalidKey`, `keyConflict`, `storage`).
    @discardableResult
    public func enqueue(
        destination: String, payload: [UInt8], metadata: [String: String] = [:], idempotencyKey: String,
        now: Date = Date(), ifPayloadDiffers: DifferentPayload = .refuse
    ) throws(OutboxError) -> DeliveryID {
        guard OutgoingDelivery.isValidKey(idempotencyKey) else {
            throw OutboxError(
                .invalidKey, "the idempotency key must be 1–200 characters from A–Z a–z 0–9 . _ - (not starting with .)"
            )
        }
        let time = now.timeIntervalSince1970
        let digest = PayloadDigest.hex(PayloadDigest.sha256(payload))
        let stored = seal(payload, destination: destination, idempotencyKey: idempotencyKey)
        return try storage {
            try database.prepare(
                """
                INSERT INTO delivery (destination, idempotency_key, payload, payload_sha256, metadata, state,
                    next_attempt_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (destination, idempotency_key) DO NOTHING
                """
            ).run([
                .text(destination), .text(idempotencyKey), .blob(stored), .text(digest),
                .text(OutboxCoding.encodeMetadata(metadata)), .real(time), .real(time), .real(time),
            ])
            let inserted = database.changes > 0
            let rows = try database.prepare(
                "SELECT id, payload, payload_sha256 FROM delivery WHERE destination = ? AND idempotency_key = ?"
            ).query([.text(destination), .text(idempotencyKey)]) { row in
                (DeliveryID(row.int64(0)), row.blob(1), row.text(2))
            }
            guard let row = rows.first else { throw OutboxError(.storage, "the delivery was not recorded") }
            let (id, storedBytes, storedDigest) = row
            if !inserted, ifPayloadDiffers == .refuse {
                let existing =
                    try storedDigest
                    ?? PayloadDigest.hex(
                        PayloadDigest.sha256(open(storedBytes, destination: destination, idempotencyKey: idempotencyKey)))
                if existing != digest {
                    throw OutboxError(
                        .keyConflict,
                        "destination \(destination) already has delivery \(id) under the key \(idempotencyKey) with "
                            + "other bytes (stored sha256:\(existing), new sha256:\(digest)); "
                            + "the receiver would take the new bytes for a repeat: give them a new key")
                }
            }
            return id
        }
    }

    /// The delivery with `id`, or nil.
    /// - Throws: ``OutboxError`` (`storage`).
    public func delivery(_ id: DeliveryID) throws(OutboxError) -> DeliveryRecord? {
        try storage {
            try database.prepare("SELECT \(OutboxSchema.recordColumns) FROM delivery WHERE id = ?")
                .query([.integer(id.rawValue)], DeliveryRecord.init(row:)).first.map { openReceipt($0) }
        }
    }

    /// The delivery to `destination` with `idempotencyKey`, or nil.
    /// - Throws: ``OutboxError`` (`storage`).
    public func delivery(destination: String, idempotencyKey: String) throws(OutboxError) -> DeliveryRecord? {
        try storage {
            try database.prepare(
                "SELECT \(OutboxSchema.recordColumns) FROM delivery WHERE destination = ? AND idempotency_key = ?"
            ).query([.text(destination), .text(idempotencyKey)], DeliveryRecord.init(row:)).first.map { openReceipt($0) }
        }
    }

    /// The payload of a delivery (decrypted), or nil when there is no such delivery.
    /// - Throws: ``OutboxError``: `keyMissing` or `tampered` when an encrypted payload cannot be read,
    ///   `payloadPurged` when retention removed it, `storage`.
    public func payload(of id: DeliveryID) throws(OutboxError) -> [UInt8]? {
        try storage {
            let rows = try database.prepare(
                "SELECT payload, destination, idempotency_key, payload_purged_at FROM delivery WHERE id = ?"
            ).query([.integer(id.rawValue)]) { row in
                (row.blob(0), row.text(1) ?? "", row.text(2) ?? "", row.isNull(3) ? nil : row.double(3))
            }
            guard let (stored, destination, key, purgedAt) = rows.first else { return nil }
            if let purgedAt {
                throw OutboxError(
                    .payloadPurged,
                    "the payload of delivery \(id) was purged on \(Date(timeIntervalSince1970: purgedAt).formatted(.iso8601)) (retention)")
            }
            return try open(stored, destination: destination, idempotencyKey: key)
        }
    }

    /// Deliveries, oldest first, optionally only those in `state`.
    /// - Throws: ``OutboxError`` (`storage`).
    public func deliveries(in state: DeliveryState? = nil, limit: Int = 1000) throws(OutboxError) -> [DeliveryRecord] {
        try storage {
            if let state {
                return try database.prepare(
                    "SELECT \(OutboxSchema.recordColumns) FROM delivery WHERE state = ? ORDER BY id LIMIT ?"
                ).query([.text(state.name), .integer(Int64(limit))], DeliveryRecord.init(row:)).map { openReceipt($0) }
            }
            return try database.prepare("SELECT \(OutboxSchema.recordColumns) FROM delivery ORDER BY id LIMIT ?")
                .query([.integer(Int64(limit))], DeliveryRecord.init(row:)).map { openReceipt($0) }
        }
    }

    /// How many deliveries are in each state.
    /// - Throws: ``OutboxError`` (`storage`).
    public func counts() throws(OutboxError) -> [DeliveryState: Int] {
        try storage {
            var counts: [DeliveryState: Int] = [:]
            for state in DeliveryState.all { counts[state] = 0 }
            let rows = try database.prepare("SELECT state, count(*) FROM delivery GROUP BY state").query([]) { row in
                (row.text(0) ?? "", row.int(1))
            }
            for (name, count) in rows {
                if let state = DeliveryState(named: name) { counts[state] = count }
            }
            return counts
        }
    }

    /// Runs database work, reporting any failure as an ``OutboxError``.
    func storage<Value>(_ body: () throws -> Value) throws(OutboxError) -> Value {
        do {
            return try body()
        } catch let error as OutboxError {
            throw error
        } catch {
            throw OutboxError(.storage, "\(path): \(error)")
        }
    }
}
