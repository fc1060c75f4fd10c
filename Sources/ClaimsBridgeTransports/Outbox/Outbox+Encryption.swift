import ClaimsBridge
import ClaimsBridgeStorage
import Foundation

/// What ``Outbox/rekey(batchSize:)`` did.
public struct RekeySummary: Sendable, Equatable {
    /// Payloads and replies now encrypted under the current key that were not before (plaintext or an older key).
    public var rekeyed = 0
    /// Those already under the current key.
    public var alreadyCurrent = 0
    /// Those that could not be read, each with the delivery and the reason; they are left as they are.
    public var failures: [String] = []

    public init() {}
}

extension Outbox {
    /// What a row's payload is bound to: encrypted bytes moved to another row do not decrypt there.
    static func binding(_ kind: String, destination: String, idempotencyKey: String) -> [UInt8] {
        Array("\(kind)\u{0}\(destination)\u{0}\(idempotencyKey)".utf8)
    }

    /// The payload as stored: encrypted under the current key when a cipher is set.
    func seal(_ payload: [UInt8], destination: String, idempotencyKey: String, kind: String = "payload") -> [UInt8] {
        guard let cipher else { return payload }
        return cipher.seal(payload, binding: Self.binding(kind, destination: destination, idempotencyKey: idempotencyKey))
    }

    /// The payload from its stored bytes (plaintext is returned as it is).
    /// - Throws: ``OutboxError`` `keyMissing` or `tampered`, naming the delivery by destination and key.
    func open(_ stored: [UInt8], destination: String, idempotencyKey: String, kind: String = "payload")
        throws(OutboxError) -> [UInt8]
    {
        do throws(PayloadCipherError) {
            return try PayloadCipher.open(
                stored, binding: Self.binding(kind, destination: destination, idempotencyKey: idempotencyKey),
                keys: cipher?.keys ?? [:])
        } catch {
            throw OutboxError(
                error.kind == .keyMissing ? .keyMissing : .tampered,
                "delivery to \(destination) under the key \(idempotencyKey): \(error)")
        }
    }

    /// The record with its reply decrypted; a reply that cannot be decrypted is left empty and the reason kept in
    /// ``DeliveryRecord/receiptProblem``.
    func openReceipt(_ record: DeliveryRecord) -> DeliveryRecord {
        guard let body = record.receipt?.responseBody, PayloadCipher.isSealed(body) else { return record }
        var copy = record
        do throws(OutboxError) {
            copy.receipt?.responseBody = try open(
                body, destination: record.destination, idempotencyKey: record.idempotencyKey, kind: "reply")
        } catch {
            copy.receipt?.responseBody = []
            copy.receiptProblem = error.reason
        }
        return copy
    }

    /// Re-encrypts every stored payload and reply under the current key, in place: plaintext rows written before
    /// encryption was switched on, and rows under an older key. Rows already under the current key are left
    /// alone; a row that cannot be read (its key missing, or tampered with) is reported and left as it is.
    /// Each batch of rows is one transaction, so the command can be stopped and run again.
    /// - Throws: ``OutboxError`` (`storage`), or `keyMissing` when no cipher is set.
    public func rekey(batchSize: Int = 200) throws(OutboxError) -> RekeySummary {
        guard let cipher else { throw OutboxError(.keyMissing, "encryption is not configured: there is no key to re-encrypt with") }
        var summary = RekeySummary()
        var after: Int64 = 0
        while true {
            let rows = try storage {
                try database.prepare(
                    """
                    SELECT id, destination, idempotency_key, payload, receipt_body, payload_purged_at IS NOT NULL
                    FROM delivery WHERE id > ? ORDER BY id LIMIT ?
                    """
                ).query([.integer(after), .integer(Int64(batchSize))]) { row in
                    RekeyRow(
                        id: row.int64(0), destination: row.text(1) ?? "", key: row.text(2) ?? "", payload: row.blob(3),
                        reply: row.blob(4), purged: row.int(5) == 1)
                }
            }
            guard let last = rows.last else {
                if summary.rekeyed > 0 { try compact() }
                return summary
            }
            after = last.id
            try storage {
                try database.transaction { () throws in
                    let updatePayload = try database.prepare("UPDATE delivery SET payload = ? WHERE id = ?")
                    let updateReply = try database.prepare("UPDATE delivery SET receipt_body = ? WHERE id = ?")
                    for row in rows {
                        if !row.purged, !row.payload.isEmpty {
                            if let bytes = reseal(row.payload, row, kind: "payload", cipher: cipher, into: &summary) {
                                try updatePayload.run([.blob(bytes), .integer(row.id)])
                            }
                        }
                        if !row.reply.isEmpty {
                            if let bytes = reseal(row.reply, row, kind: "reply", cipher: cipher, into: &summary) {
                                try updateReply.run([.blob(bytes), .integer(row.id)])
                            }
                        }
                    }
                }
            }
        }
    }

    private struct RekeyRow {
        var id: Int64
        var destination: String
        var key: String
        var payload: [UInt8]
        var reply: [UInt8]
        var purged: Bool
    }

    /// The bytes re-encrypted under the current key, or nil when they already are (or cannot be read).
    private func reseal(
        _ stored: [UInt8], _ row: RekeyRow, kind: String, cipher: PayloadCipher, into summary: inout RekeySummary
    ) -> [UInt8]? {
        if PayloadCipher.keyID(of: stored) == cipher.currentKey.id {
            summary.alreadyCurrent += 1
            return nil
        }
        do throws(OutboxError) {
            let plain = try open(stored, destination: row.destination, idempotencyKey: row.key, kind: kind)
            summary.rekeyed += 1
            return seal(plain, destination: row.destination, idempotencyKey: row.key, kind: kind)
        } catch {
            summary.failures.append("delivery \(row.id) (\(kind)): \(error.reason)")
            return nil
        }
    }
}
