import ClaimsBridge
import ClaimsBridgeStorage
import Foundation

/// The outbox in an SQLite file (WAL): the embedded default. Several processes may share the file; SQLite's
/// write lock makes each claim exclusive.
final class SQLiteOutboxStore: OutboxStore {
    let database: SQLiteDatabase

    init(path: String, migrating: Bool = true) throws {
        database = try SQLiteDatabase(path: path)
        // Deleted and overwritten payload bytes are zeroed rather than left in free pages.
        try database.execute("PRAGMA secure_delete=ON")
        if migrating { try OutboxSchema.migrate(database) }
    }

    func insert(_ delivery: NewStoredDelivery) throws -> (row: KeyedPayload, inserted: Bool) {
        try database.prepare(
            """
            INSERT INTO delivery (destination, idempotency_key, payload, payload_sha256, metadata, state,
                next_attempt_at, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (destination, idempotency_key) DO NOTHING
            """
        ).run([
            .text(delivery.destination), .text(delivery.idempotencyKey), .blob(delivery.storedPayload),
            .text(delivery.digest), .text(delivery.metadata), .real(delivery.time), .real(delivery.time),
            .real(delivery.time),
        ])
        let inserted = database.changes > 0
        guard
            let row = try keyed(
                "destination = ? AND idempotency_key = ?",
                [
                    .text(delivery.destination), .text(delivery.idempotencyKey),
                ])
        else {
            throw OutboxError(.storage, "the delivery was not recorded")
        }
        return (row, inserted)
    }

    func record(_ id: DeliveryID) throws -> DeliveryRecord? {
        try database.prepare("SELECT \(OutboxSchema.recordColumns) FROM delivery WHERE id = ?")
            .query([.integer(id.rawValue)], DeliveryRecord.init(row:)).first
    }

    func record(destination: String, idempotencyKey: String) throws -> DeliveryRecord? {
        try database.prepare(
            "SELECT \(OutboxSchema.recordColumns) FROM delivery WHERE destination = ? AND idempotency_key = ?"
        ).query([.text(destination), .text(idempotencyKey)], DeliveryRecord.init(row:)).first
    }

    func records(in state: DeliveryState?, limit: Int) throws -> [DeliveryRecord] {
        if let state {
            return try database.prepare(
                "SELECT \(OutboxSchema.recordColumns) FROM delivery WHERE state = ? ORDER BY id LIMIT ?"
            ).query([.text(state.name), .integer(Int64(limit))], DeliveryRecord.init(row:))
        }
        return try database.prepare("SELECT \(OutboxSchema.recordColumns) FROM delivery ORDER BY id LIMIT ?")
            .query([.integer(Int64(limit))], DeliveryRecord.init(row:))
    }

    func storedPayload(_ id: DeliveryID) throws -> KeyedPayload? {
        try keyed("id = ?", [.integer(id.rawValue)])
    }

    private func keyed(_ condition: String, _ values: [SQLiteStatement.Value]) throws -> KeyedPayload? {
        try database.prepare(
            """
            SELECT id, destination, idempotency_key, payload, payload_sha256, payload_purged_at FROM delivery
            WHERE \(condition)
            """
        ).query(values) { row in
            KeyedPayload(
                id: DeliveryID(row.int64(0)), destination: row.text(1) ?? "", idempotencyKey: row.text(2) ?? "",
                stored: row.blob(3), digest: row.text(4), purgedAt: row.isNull(5) ? nil : row.double(5))
        }.first
    }

    func countsByState() throws -> [String: Int] {
        let rows = try database.prepare("SELECT state, count(*) FROM delivery GROUP BY state").query([]) { row in
            (row.text(0) ?? "", row.int(1))
        }
        return Dictionary(rows, uniquingKeysWith: +)
    }

    func claimDue(_ query: DueQuery, prepare: (DueRow) -> Result<Outbox.Claim, OutboxError>) throws -> [Outbox.Claim] {
        try database.transaction { () throws in
            let rows = try database.prepare(
                """
                SELECT id, destination, idempotency_key, payload, metadata, attempts, payload_purged_at IS NOT NULL
                FROM delivery
                WHERE state IN ('pending', 'inFlight') AND next_attempt_at <= ?
                AND destination IN (SELECT value FROM json_each(?))
                AND id NOT IN (SELECT CAST(value AS INTEGER) FROM json_each(?))
                AND (?5 IS NULL OR id = ?5)
                ORDER BY next_attempt_at, id LIMIT ?4
                """
            ).query([
                .real(query.due), .text(OutboxCoding.encodeList(query.destinations)),
                .text(OutboxCoding.encodeList(query.excluding.map { String($0.rawValue) })),
                .integer(Int64(query.limit)), query.only.map { .integer($0.rawValue) } ?? .null,
            ]) { row in
                DueRow(
                    id: DeliveryID(row.int64(0)), destination: row.text(1) ?? "", idempotencyKey: row.text(2) ?? "",
                    stored: row.blob(3), metadata: row.text(4) ?? "{}", attempts: row.int(5), purged: row.int(6) == 1)
            }
            let claim = try database.prepare(
                """
                UPDATE delivery SET state = 'inFlight', attempts = attempts + 1, lease_token = ?,
                    next_attempt_at = ?, updated_at = ? WHERE id = ?
                """)
            let unreadable = try database.prepare(
                "UPDATE delivery SET state = 'dead', lease_token = NULL, last_error = ?, updated_at = ? WHERE id = ?")
            var claims: [Outbox.Claim] = []
            for row in rows {
                switch prepare(row) {
                case .success(let item):
                    try claim.run([
                        .text(item.token), .real(query.claimedAt + query.leaseSeconds), .real(query.claimedAt),
                        .integer(item.id.rawValue),
                    ])
                    claims.append(item)
                case .failure(let error):
                    try unreadable.run([.text(error.reason), .real(query.claimedAt), .integer(row.id.rawValue)])
                }
            }
            return claims
        }
    }

    func renew(_ leases: [DeliveryID: String], until: Double) throws -> [DeliveryID] {
        try database.transaction { () throws in
            let extend = try database.prepare(
                "UPDATE delivery SET next_attempt_at = ? WHERE id = ? AND lease_token = ? AND state = 'inFlight'")
            var lost: [DeliveryID] = []
            for (id, token) in leases.sorted(by: { $0.key < $1.key }) {
                try extend.run([.real(until), .integer(id.rawValue), .text(token)])
                if database.changes == 0 { lost.append(id) }
            }
            return lost
        }
    }

    func recordDelivered(_ id: DeliveryID, token: String, receipt: DeliveryReceipt, at time: Double) throws -> Bool {
        try database.prepare(
            """
            UPDATE delivery SET state = 'delivered', lease_token = NULL, last_error = NULL,
                receipt_location = ?, receipt_status = ?, receipt_body = ?, receipt_already_present = ?,
                updated_at = ? WHERE id = ? AND lease_token = ?
            """
        ).run([
            .text(receipt.location), receipt.statusCode.map { .integer(Int64($0)) } ?? .null,
            .blob(receipt.responseBody), .integer(receipt.alreadyPresent ? 1 : 0), .real(time),
            .integer(id.rawValue), .text(token),
        ])
        return database.changes > 0
    }

    func recordFailure(
        _ id: DeliveryID, token: String, state: DeliveryState, error: String, nextAttemptAt: Double, at time: Double
    ) throws -> Bool {
        try database.prepare(
            """
            UPDATE delivery SET state = ?, lease_token = NULL, last_error = ?, next_attempt_at = ?,
                updated_at = ? WHERE id = ? AND lease_token = ?
            """
        ).run([
            .text(state.name), .text(error), .real(nextAttemptAt), .real(time), .integer(id.rawValue), .text(token),
        ])
        return database.changes > 0
    }

    func reviveDead(_ id: DeliveryID?, at time: Double) throws -> Int {
        try database.prepare(
            """
            UPDATE delivery SET state = 'pending', attempts = 0, next_attempt_at = ?1, updated_at = ?1
            WHERE state = 'dead' AND payload_purged_at IS NULL AND (?2 IS NULL OR id = ?2)
            """
        ).run([.real(time), id.map { .integer($0.rawValue) } ?? .null])
        return database.changes
    }

    func deleteSettled(before cutoff: Double) throws -> Int {
        try database.prepare("DELETE FROM delivery WHERE state IN ('delivered', 'dead') AND updated_at < ?")
            .run([.real(cutoff)])
        return database.changes
    }

    func nextDue(destinations: [String]?) throws -> Double? {
        let statement = try database.prepare(
            """
            SELECT min(next_attempt_at) FROM delivery WHERE state IN ('pending', 'inFlight')
            AND (?1 IS NULL OR destination IN (SELECT value FROM json_each(?1)))
            """)
        let filter = destinations.map { OutboxCoding.encodeList($0) }
        return try statement.query([filter.map { .text($0) } ?? .null]) { row in
            row.isNull(0) ? nil : row.double(0)
        }.first ?? nil
    }

    func sealedRows(after id: Int64, limit: Int) throws -> [SealedRow] {
        try database.prepare(
            """
            SELECT id, destination, idempotency_key, payload, receipt_body, payload_purged_at IS NOT NULL
            FROM delivery WHERE id > ? ORDER BY id LIMIT ?
            """
        ).query([.integer(id), .integer(Int64(limit))]) { row in
            SealedRow(
                id: row.int64(0), destination: row.text(1) ?? "", key: row.text(2) ?? "", payload: row.blob(3),
                reply: row.blob(4), purged: row.int(5) == 1)
        }
    }

    func replaceSealed(payloads: [(Int64, [UInt8])], replies: [(Int64, [UInt8])]) throws {
        try database.transaction { () throws in
            let updatePayload = try database.prepare("UPDATE delivery SET payload = ? WHERE id = ?")
            let updateReply = try database.prepare("UPDATE delivery SET receipt_body = ? WHERE id = ?")
            for (id, bytes) in payloads { try updatePayload.run([.blob(bytes), .integer(id)]) }
            for (id, bytes) in replies { try updateReply.run([.blob(bytes), .integer(id)]) }
        }
    }

    private static let purgeable = "state IN ('delivered', 'dead') AND updated_at < ? AND payload_purged_at IS NULL"

    func countPurgeable(before cutoff: Double) throws -> Int {
        try database.prepare("SELECT count(*) FROM delivery WHERE \(Self.purgeable)").query([.real(cutoff)]) {
            $0.int(0)
        }.first ?? 0
    }

    func purgePayloads(before cutoff: Double, at time: Double, digest: (KeyedPayload) -> String?) throws -> Int {
        try database.transaction { () throws in
            // Rows enqueued before digests were recorded get theirs now, while the bytes are still there.
            let undigested = try database.prepare(
                "SELECT id, destination, idempotency_key, payload FROM delivery WHERE \(Self.purgeable) AND payload_sha256 IS NULL"
            ).query([.real(cutoff)]) { row in
                KeyedPayload(
                    id: DeliveryID(row.int64(0)), destination: row.text(1) ?? "", idempotencyKey: row.text(2) ?? "",
                    stored: row.blob(3))
            }
            let record = try database.prepare("UPDATE delivery SET payload_sha256 = ? WHERE id = ?")
            for row in undigested {
                guard let value = digest(row) else { continue }
                try record.run([.text(value), .integer(row.id.rawValue)])
            }
            try database.prepare(
                """
                UPDATE delivery SET payload = X'', receipt_body = CASE WHEN receipt_body IS NULL THEN NULL ELSE X'' END,
                    payload_purged_at = ? WHERE \(Self.purgeable)
                """
            ).run([.real(time), .real(cutoff)])
            return database.changes
        }
    }

    func purgedCount() throws -> Int {
        try database.prepare("SELECT count(*) FROM delivery WHERE payload_purged_at IS NOT NULL").query([]) {
            $0.int(0)
        }.first ?? 0
    }

    func compact() throws {
        try database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    }
}
