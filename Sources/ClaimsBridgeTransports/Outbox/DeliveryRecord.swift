public import ClaimsBridge
import ClaimsBridgeStorage
public import Foundation

/// Identifies one delivery in an outbox.
public struct DeliveryID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The row ID.
    public let rawValue: Int64
    /// Wraps a row ID.
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// Where a delivery stands.
public struct DeliveryState: Hashable, Sendable, CustomStringConvertible {
    /// The stored name: `pending`, `inFlight`, `delivered` or `dead`.
    public let name: String
    init(_ name: String) { self.name = name }
    public var description: String { name }

    /// Waiting for its first attempt or for a retry.
    public static let pending = DeliveryState("pending")
    /// Claimed by a sender; if the sender dies, the lease expires and it becomes due again.
    public static let inFlight = DeliveryState("inFlight")
    /// The receiver acknowledged it.
    public static let delivered = DeliveryState("delivered")
    /// Failed permanently or too many times; kept with its last error until retried or purged.
    public static let dead = DeliveryState("dead")

    /// Every state, in lifecycle order.
    public static let all: [DeliveryState] = [.pending, .inFlight, .delivered, .dead]

    /// The state called `name`, or nil.
    public init?(named name: String) {
        guard let state = Self.all.first(where: { $0.name == name }) else { return nil }
        self = state
    }
}

/// One delivery as the outbox records it (without its payload; see ``Outbox/payload(of:)``).
public struct DeliveryRecord: Sendable, Hashable {
    /// The outbox's ID.
    public var id: DeliveryID
    /// The configured destination name.
    public var destination: String
    /// The key receivers see.
    public var idempotencyKey: String
    /// The metadata given at enqueue.
    public var metadata: [String: String]
    /// Where it stands.
    public var state: DeliveryState
    /// How many attempts have started.
    public var attempts: Int
    /// When a pending delivery is due, or when an in-flight delivery's lease expires; nil once settled.
    public var nextAttemptAt: Date?
    /// The last failure, without secrets or payload values.
    public var lastError: String?
    /// The receipt of a delivered delivery.
    public var receipt: DeliveryReceipt?
    /// When it was enqueued.
    public var createdAt: Date
    /// When it last changed.
    public var updatedAt: Date
    /// The payload's size in bytes as stored (0 once purged; encrypted payloads are 30–100 bytes longer).
    public var payloadSize: Int
    /// SHA-256 of the payload (lowercase hex), kept when the bytes are purged; nil for rows enqueued before it was
    /// recorded.
    public var payloadSHA256: String?
    /// When retention removed the payload's bytes (the row stays as the record of the delivery); nil while kept.
    public var payloadPurgedAt: Date?
    /// Whether the stored payload is encrypted.
    public var isPayloadEncrypted: Bool
    /// Why the stored reply (``DeliveryReceipt/responseBody``) could not be decrypted, when it could not.
    public var receiptProblem: String?

    init(row: some DeliveryColumns) {
        id = DeliveryID(row.int64(0))
        destination = row.text(1) ?? ""
        idempotencyKey = row.text(2) ?? ""
        metadata = OutboxCoding.decodeMetadata(row.text(3) ?? "{}")
        state = DeliveryState(named: row.text(4) ?? "") ?? .pending
        attempts = row.int(5)
        let settled = state == .delivered || state == .dead
        nextAttemptAt = settled ? nil : Date(timeIntervalSince1970: row.double(6))
        lastError = row.text(7)
        receipt = row.text(8).map { location in
            DeliveryReceipt(
                location: location, statusCode: row.isNull(9) ? nil : row.int(9), responseBody: row.blob(10),
                alreadyPresent: row.int(11) != 0)
        }
        createdAt = Date(timeIntervalSince1970: row.double(12))
        updatedAt = Date(timeIntervalSince1970: row.double(13))
        payloadSize = row.int(14)
        payloadSHA256 = row.text(15)
        payloadPurgedAt = row.isNull(16) ? nil : Date(timeIntervalSince1970: row.double(16))
        isPayloadEncrypted = row.int(17) == 1
    }
}

/// Metadata as JSON text in the database.
enum OutboxCoding {
    static func encodeMetadata(_ metadata: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(metadata)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func decodeMetadata(_ text: String) -> [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? [:]
    }
}
