import ClaimsBridge
public import ClaimsBridgeStorage
public import Foundation
public import Logging

/// A durable queue of deliveries: every delivery is a row before anything is sent.
///
/// The payload bytes are stored with the row, so the source file may be moved as soon as ``enqueue(destination:payload:metadata:idempotencyKey:now:)``
/// returns. ``deliverDue(transports:now:limit:concurrency:)`` claims due rows under a lease, sends them, and
/// records a receipt, a retry time (exponential backoff with jitter), or the dead-letter state. A sender that dies
/// mid-delivery leaves its rows in flight until the lease expires; then they are due again, and the receiver
/// recognises the repeat by its idempotency key.
///
/// The rows live in SQLite (WAL, the default: one file, shared by the processes of one machine) or in PostgreSQL
/// (shared by workers on several machines); see ``OutboxStoreLocation``. Both keep the same rules.
///
/// An `Outbox` holds one database connection and is not `Sendable`: open one per task (several processes may
/// share a store).
///
/// ```swift
/// let outbox = try Outbox(path: "/var/lib/claimsbridge/outbox.sqlite")
/// let id = try outbox.enqueue(destination: "insurer", payload: bytes, idempotencyKey: "claim-0001")
/// let summary = try await outbox.deliverDue(transports: ["insurer": transport])
/// print(try outbox.delivery(id)?.state)   // delivered
/// ```
public final class Outbox {
    let store: any OutboxStore
    /// Where the rows are.
    public let location: OutboxStoreLocation
    /// The database file, or the PostgreSQL database's address (for messages).
    public var path: String { location.description }
    /// When failed deliveries are retried, and when they are given up.
    public let retryPolicy: RetryPolicy
    /// How long a claimed delivery is reserved for its sender, in seconds; after that another sender may retry
    /// it. Make it longer than the slowest transport timeout.
    public let leaseSeconds: Double
    /// Encrypts the payloads (and replies) written, and decrypts those read; nil writes them as they are (and
    /// reads only plaintext).
    public let cipher: PayloadCipher?
    let logger: Logger

    /// Opens (creating if needed) the SQLite outbox at `path`.
    /// - Parameter cipher: encrypts stored payloads (see ``PayloadCipher``); rows written before keep reading.
    /// - Throws: ``OutboxError`` (`storage`).
    public convenience init(
        path: String, retryPolicy: RetryPolicy = RetryPolicy(), leaseSeconds: Double = 300,
        cipher: PayloadCipher? = nil,
        logger: Logger = Logger(label: "claimsbridge.outbox", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws(OutboxError) {
        try self.init(
            store: .sqlite(path: path), retryPolicy: retryPolicy, leaseSeconds: leaseSeconds, cipher: cipher,
            logger: logger)
    }

    /// Opens the outbox in `store`, creating its tables or bringing them up to date.
    /// - Throws: ``OutboxError`` (`storage`), naming the store but never its password.
    public init(
        store location: OutboxStoreLocation, retryPolicy: RetryPolicy = RetryPolicy(), leaseSeconds: Double = 300,
        cipher: PayloadCipher? = nil,
        logger: Logger = Logger(label: "claimsbridge.outbox", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws(OutboxError) {
        self.location = location
        self.retryPolicy = retryPolicy
        self.leaseSeconds = leaseSeconds
        self.cipher = cipher
        self.logger = logger
        do {
            store = try location.open()
        } catch {
            throw OutboxError(.storage, "cannot open \(location): \(error)")
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
            let (row, inserted) = try store.insert(
                NewStoredDelivery(
                    destination: destination, idempotencyKey: idempotencyKey, storedPayload: stored, digest: digest,
                    metadata: OutboxCoding.encodeMetadata(metadata), time: time))
            let id = row.id
            if !inserted, ifPayloadDiffers == .refuse {
                let existing =
                    try row.digest
                    ?? PayloadDigest.hex(
                        PayloadDigest.sha256(open(row.stored, destination: destination, idempotencyKey: idempotencyKey))
                    )
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
        try storage { try store.record(id).map { openReceipt($0) } }
    }

    /// The delivery to `destination` with `idempotencyKey`, or nil.
    /// - Throws: ``OutboxError`` (`storage`).
    public func delivery(destination: String, idempotencyKey: String) throws(OutboxError) -> DeliveryRecord? {
        try storage {
            try store.record(destination: destination, idempotencyKey: idempotencyKey).map { openReceipt($0) }
        }
    }

    /// The payload of a delivery (decrypted), or nil when there is no such delivery.
    /// - Throws: ``OutboxError``: `keyMissing` or `tampered` when an encrypted payload cannot be read,
    ///   `payloadPurged` when retention removed it, `storage`.
    public func payload(of id: DeliveryID) throws(OutboxError) -> [UInt8]? {
        try storage {
            guard let row = try store.storedPayload(id) else { return nil }
            if let purgedAt = row.purgedAt {
                throw OutboxError(
                    .payloadPurged,
                    "the payload of delivery \(id) was purged on \(Date(timeIntervalSince1970: purgedAt).formatted(.iso8601)) (retention)"
                )
            }
            return try open(row.stored, destination: row.destination, idempotencyKey: row.idempotencyKey)
        }
    }

    /// Deliveries, oldest first, optionally only those in `state`.
    /// - Throws: ``OutboxError`` (`storage`).
    public func deliveries(in state: DeliveryState? = nil, limit: Int = 1000) throws(OutboxError) -> [DeliveryRecord] {
        try storage { try store.records(in: state, limit: limit).map { openReceipt($0) } }
    }

    /// How many deliveries are in each state.
    /// - Throws: ``OutboxError`` (`storage`).
    public func counts() throws(OutboxError) -> [DeliveryState: Int] {
        try storage {
            var counts: [DeliveryState: Int] = [:]
            for state in DeliveryState.all { counts[state] = 0 }
            for (name, count) in try store.countsByState() {
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
