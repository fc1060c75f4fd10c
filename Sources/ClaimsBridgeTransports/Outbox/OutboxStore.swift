import ClaimsBridge
public import ClaimsBridgeStorage
import Foundation

/// Which database an outbox keeps its deliveries in: an SQLite file (the default, embedded) or a PostgreSQL
/// database shared by several workers.
public enum OutboxStoreLocation: Sendable, Equatable, CustomStringConvertible {
    /// An SQLite file, created when missing.
    case sqlite(path: String)
    /// A PostgreSQL database; the schema is brought up to date when the outbox opens.
    case postgreSQL(PostgreSQLConfiguration)

    /// The file path, or `host:port/database` (never the password).
    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgreSQL(let configuration): "postgres://\(configuration.user)@\(configuration.location)"
        }
    }

    /// Opens a connection to the store.
    /// - Parameter migrating: bring the schema up to date first (connections opened only to renew leases skip it).
    func open(migrating: Bool = true) throws -> any OutboxStore {
        switch self {
        case .sqlite(let path): try SQLiteOutboxStore(path: path, migrating: migrating)
        case .postgreSQL(let configuration):
            try PostgreSQLOutboxStore(configuration: configuration, migrating: migrating)
        }
    }
}

/// What an outbox needs from its database, in the outbox's own terms. Both engines keep the same rows and the
/// same rules; ``Outbox`` does the rest (encryption, retry policy, logging, the delivery loop).
///
/// The rules every implementation keeps:
/// - **One row per destination and key.** ``insert(_:)`` never replaces a row; it returns the stored one.
/// - **Claims are exclusive.** ``claimDue(_:prepare:)`` takes due rows (pending and due, or in flight with an
///   expired lease) in one transaction, gives each a new token and a lease, and counts the attempt; two
///   connections claiming at once never get the same row.
/// - **Outcomes are fenced by the token.** ``recordDelivered(_:token:receipt:at:)`` and
///   ``recordFailure(_:token:state:error:nextAttemptAt:at:)`` change the row only while it still carries the
///   claim's token. Once another claim has taken the row over, an outcome under the old token is never recorded.
/// - Times are seconds since 1970, as given by the caller (never the database's clock), so tests can run the
///   clock forward.
///
/// A store is one connection: not shared between threads.
protocol OutboxStore: AnyObject {
    /// Inserts a delivery unless its destination already has one under the key.
    /// - Returns: the row now under the key, and whether it was inserted by this call.
    func insert(_ delivery: NewStoredDelivery) throws -> (row: KeyedPayload, inserted: Bool)
    /// The record of one delivery.
    func record(_ id: DeliveryID) throws -> DeliveryRecord?
    /// The record of the delivery to `destination` under `idempotencyKey`.
    func record(destination: String, idempotencyKey: String) throws -> DeliveryRecord?
    /// Records oldest first, optionally only those in `state`.
    func records(in state: DeliveryState?, limit: Int) throws -> [DeliveryRecord]
    /// The stored payload bytes of a delivery, with what they are bound to.
    func storedPayload(_ id: DeliveryID) throws -> KeyedPayload?
    /// How many deliveries are in each state, by state name.
    func countsByState() throws -> [String: Int]

    /// Claims due rows in one transaction. For each row, `prepare` gives the claim to record (with its token) or
    /// the reason the row cannot be sent, which makes the row dead at once.
    func claimDue(_ query: DueQuery, prepare: (DueRow) -> Result<Outbox.Claim, OutboxError>) throws -> [Outbox.Claim]
    /// Extends each in-flight lease still carrying its token to `until`, in one transaction.
    /// - Returns: the deliveries whose token no longer matches.
    func renew(_ leases: [DeliveryID: String], until: Double) throws -> [DeliveryID]
    /// Marks a claimed delivery delivered with its receipt (the reply already sealed); false when the token no
    /// longer matches.
    func recordDelivered(_ id: DeliveryID, token: String, receipt: DeliveryReceipt, at time: Double) throws -> Bool
    /// Marks a claimed delivery pending again (due at `nextAttemptAt`) or dead; false when the token no longer
    /// matches.
    func recordFailure(
        _ id: DeliveryID, token: String, state: DeliveryState, error: String, nextAttemptAt: Double, at time: Double
    ) throws -> Bool

    /// Makes dead deliveries (one, or all when `id` is nil) whose payload is kept pending again, attempts reset.
    func reviveDead(_ id: DeliveryID?, at time: Double) throws -> Int
    /// Deletes delivered and dead rows last changed before `cutoff`.
    func deleteSettled(before cutoff: Double) throws -> Int
    /// The earliest due time or lease expiry among pending and in-flight rows (to `destinations`, when given).
    func nextDue(destinations: [String]?) throws -> Double?

    /// Up to `limit` rows after `id`, with their stored payload and reply, for re-encryption.
    func sealedRows(after id: Int64, limit: Int) throws -> [SealedRow]
    /// Replaces stored payloads and replies, in one transaction.
    func replaceSealed(payloads: [(Int64, [UInt8])], replies: [(Int64, [UInt8])]) throws
    /// How many settled rows changed before `cutoff` still have their payload.
    func countPurgeable(before cutoff: Double) throws -> Int
    /// Removes the payload and reply bytes of settled rows changed before `cutoff`, in one transaction, first
    /// recording the digest (from `digest`) of rows that have none.
    func purgePayloads(before cutoff: Double, at time: Double, digest: (KeyedPayload) -> String?) throws -> Int
    /// How many rows have had their payload purged.
    func purgedCount() throws -> Int
    /// Lets go of bytes overwritten or deleted (SQLite empties its write-ahead log; PostgreSQL leaves it to vacuum).
    func compact() throws
}

/// A delivery to insert, its payload already sealed.
struct NewStoredDelivery {
    var destination: String
    var idempotencyKey: String
    var storedPayload: [UInt8]
    var digest: String
    var metadata: String
    var time: Double
}

/// Stored payload bytes and what they are bound to.
struct KeyedPayload {
    var id: DeliveryID
    var destination: String
    var idempotencyKey: String
    var stored: [UInt8]
    var digest: String?
    var purgedAt: Double?
}

/// Which rows a claim takes.
struct DueQuery {
    var destinations: [String]
    /// Rows due at or before this time.
    var due: Double
    var limit: Int
    var excluding: Set<DeliveryID>
    var only: DeliveryID?
    /// When the claim is made; the lease runs to `claimedAt + leaseSeconds`.
    var claimedAt: Double
    var leaseSeconds: Double
}

/// A due row as the claim reads it.
struct DueRow {
    var id: DeliveryID
    var destination: String
    var idempotencyKey: String
    var stored: [UInt8]
    var metadata: String
    var attempts: Int
    var purged: Bool
}

/// A row's stored payload and reply, for re-encryption.
struct SealedRow {
    var id: Int64
    var destination: String
    var key: String
    var payload: [UInt8]
    var reply: [UInt8]
    var purged: Bool
}

/// The columns of a delivery record, whatever the engine.
protocol DeliveryColumns {
    func isNull(_ column: Int32) -> Bool
    func int(_ column: Int32) -> Int
    func int64(_ column: Int32) -> Int64
    func double(_ column: Int32) -> Double
    func text(_ column: Int32) -> String?
    func blob(_ column: Int32) -> [UInt8]
}

extension SQLiteRow: DeliveryColumns {}
