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
        return cipher.seal(
            payload, binding: Self.binding(kind, destination: destination, idempotencyKey: idempotencyKey))
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
        guard let cipher else {
            throw OutboxError(.keyMissing, "encryption is not configured: there is no key to re-encrypt with")
        }
        var summary = RekeySummary()
        var after: Int64 = 0
        while true {
            let rows = try storage { try store.sealedRows(after: after, limit: batchSize) }
            guard let last = rows.last else {
                if summary.rekeyed > 0 { try compact() }
                return summary
            }
            after = last.id
            var payloads: [(Int64, [UInt8])] = []
            var replies: [(Int64, [UInt8])] = []
            for row in rows {
                if !row.purged, !row.payload.isEmpty,
                    let bytes = reseal(row.payload, row, kind: "payload", cipher: cipher, into: &summary)
                {
                    payloads.append((row.id, bytes))
                }
                if !row.reply.isEmpty, let bytes = reseal(row.reply, row, kind: "reply", cipher: cipher, into: &summary)
                {
                    replies.append((row.id, bytes))
                }
            }
            try storage { try store.replaceSealed(payloads: payloads, replies: replies) }
        }
    }

    /// The bytes re-encrypted under the current key, or nil when they already are (or cannot be read).
    private func reseal(
        _ stored: [UInt8], _ row: SealedRow, kind: String, cipher: PayloadCipher, into summary: inout RekeySummary
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
