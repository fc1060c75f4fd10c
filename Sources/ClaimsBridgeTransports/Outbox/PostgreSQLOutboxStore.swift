import ClaimsBridge
import ClaimsBridgeStorage
import Foundation

/// The outbox in a PostgreSQL database shared by several workers, on several machines.
///
/// A claim locks the due rows it takes with `FOR UPDATE SKIP LOCKED`, so workers claiming at the same moment take
/// different rows instead of waiting on each other. A worker that dies leaves its rows in flight until their leases
/// expire; then any worker claims them again under a new token, and from that moment the old token can record
/// nothing (every outcome and renewal is an `UPDATE … WHERE lease_token = $token`, and the row lock makes the
/// check and the change one step).
final class PostgreSQLOutboxStore: OutboxStore {
    let database: PostgreSQLDatabase

    init(configuration: PostgreSQLConfiguration, migrating: Bool = true) throws {
        let database = try Self.retrying {
            try PostgreSQLDatabase(borrowingFrom: .shared(for: configuration))
        }
        if migrating { try Self.retrying { try PostgreSQLSchema.migrate(database) } }
        self.database = database
    }

    /// Runs `body` again while it fails with a retryable error (the server restarting, a failover, a deadlock),
    /// for about 7 s in all (connecting too), so that a database restart does not cost the outcomes in hand. Every statement here may
    /// run twice: inserts do nothing the second time, and outcomes are fenced by their token (an outcome whose
    /// first run committed unseen finds its token gone and is reported as a lost lease, never applied twice).
    private static func retrying<Value>(_ body: () throws -> Value) throws -> Value {
        var attempt = 1
        while true {
            do {
                return try body()
            } catch let error as PostgreSQLError where error.isRetryable && attempt < 8 {
                usleep(UInt32(attempt) * 250_000)
                attempt += 1
            }
        }
    }

    /// One statement outside a transaction, retried as ``retrying(_:)`` says.
    @discardableResult
    private func execute(_ sql: String, _ parameters: [String?] = []) throws -> PostgreSQLResult {
        try Self.retrying { try database.execute(sql, parameters) }
    }

    /// A transaction, run again as a whole as ``retrying(_:)`` says.
    private func transaction<Value>(_ body: () throws -> Value) throws -> Value {
        try Self.retrying { try database.transaction(body) }
    }

    /// ``OutboxSchema/recordColumns`` in PostgreSQL's words.
    private static let recordColumns = """
        id, destination, idempotency_key, metadata, state, attempts, next_attempt_at, last_error, receipt_location, \
        receipt_status, receipt_body, receipt_already_present, created_at, updated_at, octet_length(payload), \
        payload_sha256, payload_purged_at, (substr(payload, 1, 4) = '\\x00434245'::bytea)::integer
        """

    private func records(_ condition: String, _ parameters: [String?]) throws -> [DeliveryRecord] {
        try execute("SELECT \(Self.recordColumns) FROM outbox_delivery \(condition)", parameters).rows.map {
            DeliveryRecord(row: TextColumns(row: $0))
        }
    }

    func insert(_ delivery: NewStoredDelivery) throws -> (row: KeyedPayload, inserted: Bool) {
        let time = String(delivery.time)
        let inserted =
            try execute(
                // A new row wakes idle workers listening on the channel (at commit); polling remains the fallback.
                """
                WITH inserted AS (
                    INSERT INTO outbox_delivery (destination, idempotency_key, payload, payload_sha256, metadata, state,
                        next_attempt_at, created_at, updated_at)
                    VALUES ($1, $2, $3::bytea, $4, $5, 'pending', $6, $6, $6)
                    ON CONFLICT (destination, idempotency_key) DO NOTHING
                    RETURNING id
                )
                SELECT pg_notify('\(PostgreSQLDatabase.enqueuedChannel)', '') FROM inserted
                """,
                [
                    delivery.destination, delivery.idempotencyKey, PostgreSQLBytes.parameter(delivery.storedPayload),
                    delivery.digest, delivery.metadata, time,
                ]
            ).rows.count > 0
        guard
            let row = try keyed(
                "destination = $1 AND idempotency_key = $2",
                [
                    delivery.destination, delivery.idempotencyKey,
                ])
        else {
            throw OutboxError(.storage, "the delivery was not recorded")
        }
        return (row, inserted)
    }

    func record(_ id: DeliveryID) throws -> DeliveryRecord? {
        try records("WHERE id = $1", [String(id.rawValue)]).first
    }

    func record(destination: String, idempotencyKey: String) throws -> DeliveryRecord? {
        try records("WHERE destination = $1 AND idempotency_key = $2", [destination, idempotencyKey]).first
    }

    func records(in state: DeliveryState?, limit: Int) throws -> [DeliveryRecord] {
        if let state { return try records("WHERE state = $1 ORDER BY id LIMIT $2", [state.name, String(limit)]) }
        return try records("ORDER BY id LIMIT $1", [String(limit)])
    }

    func storedPayload(_ id: DeliveryID) throws -> KeyedPayload? {
        try keyed("id = $1", [String(id.rawValue)])
    }

    private func keyed(_ condition: String, _ parameters: [String?]) throws -> KeyedPayload? {
        try execute(
            """
            SELECT id, destination, idempotency_key, payload, payload_sha256, payload_purged_at FROM outbox_delivery
            WHERE \(condition)
            """, parameters
        ).rows.first.map { row in
            let columns = TextColumns(row: row)
            return KeyedPayload(
                id: DeliveryID(columns.int64(0)), destination: columns.text(1) ?? "",
                idempotencyKey: columns.text(2) ?? "", stored: columns.blob(3), digest: columns.text(4),
                purgedAt: columns.isNull(5) ? nil : columns.double(5))
        }
    }

    func countsByState() throws -> [String: Int] {
        let rows = try execute("SELECT state, count(*) FROM outbox_delivery GROUP BY state").rows
        return Dictionary(rows.map { ($0.text(0) ?? "", TextColumns(row: $0).int(1)) }, uniquingKeysWith: +)
    }

    func claimDue(_ query: DueQuery, prepare: (DueRow) -> Result<Outbox.Claim, OutboxError>) throws -> [Outbox.Claim] {
        try transaction { () throws in
            let rows = try database.execute(
                """
                SELECT id, destination, idempotency_key, payload, metadata, attempts, payload_purged_at IS NOT NULL
                FROM outbox_delivery
                WHERE state IN ('pending', 'inFlight') AND next_attempt_at <= $1
                AND destination IN (SELECT jsonb_array_elements_text($2::jsonb))
                AND id NOT IN (SELECT jsonb_array_elements_text($3::jsonb)::bigint)
                AND ($5::bigint IS NULL OR id = $5::bigint)
                ORDER BY next_attempt_at, id LIMIT $4
                FOR UPDATE SKIP LOCKED
                """,
                [
                    String(query.due), OutboxCoding.encodeList(query.destinations),
                    OutboxCoding.encodeList(query.excluding.map { String($0.rawValue) }), String(query.limit),
                    query.only.map { String($0.rawValue) },
                ]
            ).rows.map { row in
                let columns = TextColumns(row: row)
                return DueRow(
                    id: DeliveryID(columns.int64(0)), destination: columns.text(1) ?? "",
                    idempotencyKey: columns.text(2) ?? "", stored: columns.blob(3), metadata: columns.text(4) ?? "{}",
                    attempts: columns.int(5), purged: columns.int(6) == 1)
            }
            var claims: [Outbox.Claim] = []
            for row in rows {
                switch prepare(row) {
                case .success(let item):
                    try database.execute(
                        """
                        UPDATE outbox_delivery SET state = 'inFlight', attempts = attempts + 1, lease_token = $1,
                            next_attempt_at = $2, updated_at = $3 WHERE id = $4
                        """,
                        [
                            item.token, String(query.claimedAt + query.leaseSeconds), String(query.claimedAt),
                            String(item.id.rawValue),
                        ])
                    claims.append(item)
                case .failure(let error):
                    try database.execute(
                        """
                        UPDATE outbox_delivery SET state = 'dead', lease_token = NULL, last_error = $1, updated_at = $2
                        WHERE id = $3
                        """, [error.reason, String(query.claimedAt), String(row.id.rawValue)])
                }
            }
            return claims
        }
    }

    func renew(_ leases: [DeliveryID: String], until: Double) throws -> [DeliveryID] {
        try transaction { () throws in
            var lost: [DeliveryID] = []
            for (id, token) in leases.sorted(by: { $0.key < $1.key }) {
                let changed = try database.execute(
                    """
                    UPDATE outbox_delivery SET next_attempt_at = $1
                    WHERE id = $2 AND lease_token = $3 AND state = 'inFlight'
                    """, [String(until), String(id.rawValue), token]
                ).affectedRows
                if changed == 0 { lost.append(id) }
            }
            return lost
        }
    }

    func recordDelivered(_ id: DeliveryID, token: String, receipt: DeliveryReceipt, at time: Double) throws -> Bool {
        try recordingOutcome(
            """
            UPDATE outbox_delivery SET state = 'delivered', lease_token = NULL, last_error = NULL,
                receipt_location = $1, receipt_status = $2, receipt_body = $3::bytea, receipt_already_present = $4,
                updated_at = $5 WHERE id = $6 AND lease_token = $7
            """,
            [
                receipt.location, receipt.statusCode.map { String($0) },
                PostgreSQLBytes.parameter(receipt.responseBody),
                receipt.alreadyPresent ? "1" : "0", String(time), String(id.rawValue), token,
            ])
    }

    func recordFailure(
        _ id: DeliveryID, token: String, state: DeliveryState, error: String, nextAttemptAt: Double, at time: Double
    ) throws -> Bool {
        try recordingOutcome(
            """
            UPDATE outbox_delivery SET state = $1, lease_token = NULL, last_error = $2, next_attempt_at = $3,
                updated_at = $4 WHERE id = $5 AND lease_token = $6
            """, [state.name, error, String(nextAttemptAt), String(time), String(id.rawValue), token])
    }

    /// Runs an outcome's fenced `UPDATE` and, when it changed the row, notifies ``PostgreSQLDatabase/settledChannel``
    /// with the row's number, at commit: a sender waiting for a delivery another worker holds wakes then.
    /// - Returns: whether the row was changed (false: the token was no longer the row's).
    private func recordingOutcome(_ update: String, _ parameters: [String?]) throws -> Bool {
        try execute(
            """
            WITH recorded AS (\(update) RETURNING id)
            SELECT pg_notify('\(PostgreSQLDatabase.settledChannel)', id::text) FROM recorded
            """, parameters
        ).rows.count > 0
    }

    func reviveDead(_ id: DeliveryID?, at time: Double) throws -> Int {
        try execute(
            """
            UPDATE outbox_delivery SET state = 'pending', attempts = 0, next_attempt_at = $1, updated_at = $1
            WHERE state = 'dead' AND payload_purged_at IS NULL AND ($2::bigint IS NULL OR id = $2::bigint)
            """, [String(time), id.map { String($0.rawValue) }]
        ).affectedRows
    }

    func deleteSettled(before cutoff: Double) throws -> Int {
        try execute(
            "DELETE FROM outbox_delivery WHERE state IN ('delivered', 'dead') AND updated_at < $1", [String(cutoff)]
        ).affectedRows
    }

    func nextDue(destinations: [String]?) throws -> Double? {
        let row = try execute(
            """
            SELECT min(next_attempt_at) FROM outbox_delivery WHERE state IN ('pending', 'inFlight')
            AND ($1::jsonb IS NULL OR destination IN (SELECT jsonb_array_elements_text($1::jsonb)))
            """, [destinations.map { OutboxCoding.encodeList($0) }]
        ).rows.first
        return row.flatMap { $0.text(0) }.flatMap(Double.init)
    }

    func sealedRows(after id: Int64, limit: Int) throws -> [SealedRow] {
        try execute(
            """
            SELECT id, destination, idempotency_key, payload, receipt_body, payload_purged_at IS NOT NULL
            FROM outbox_delivery WHERE id > $1 ORDER BY id LIMIT $2
            """, [String(id), String(limit)]
        ).rows.map { row in
            let columns = TextColumns(row: row)
            return SealedRow(
                id: columns.int64(0), destination: columns.text(1) ?? "", key: columns.text(2) ?? "",
                payload: columns.blob(3), reply: columns.blob(4), purged: columns.int(5) == 1)
        }
    }

    func replaceSealed(payloads: [(Int64, [UInt8])], replies: [(Int64, [UInt8])]) throws {
        try transaction { () throws in
            for (id, bytes) in payloads {
                try database.execute(
                    "UPDATE outbox_delivery SET payload = $1::bytea WHERE id = $2",
                    [PostgreSQLBytes.parameter(bytes), String(id)])
            }
            for (id, bytes) in replies {
                try database.execute(
                    "UPDATE outbox_delivery SET receipt_body = $1::bytea WHERE id = $2",
                    [PostgreSQLBytes.parameter(bytes), String(id)])
            }
        }
    }

    private static let purgeable = "state IN ('delivered', 'dead') AND updated_at < $1 AND payload_purged_at IS NULL"

    func countPurgeable(before cutoff: Double) throws -> Int {
        try execute("SELECT count(*) FROM outbox_delivery WHERE \(Self.purgeable)", [String(cutoff)])
            .rows.first.map { TextColumns(row: $0).int(0) } ?? 0
    }

    func purgePayloads(before cutoff: Double, at time: Double, digest: (KeyedPayload) -> String?) throws -> Int {
        try transaction { () throws in
            let undigested = try database.execute(
                """
                SELECT id, destination, idempotency_key, payload FROM outbox_delivery
                WHERE \(Self.purgeable) AND payload_sha256 IS NULL FOR UPDATE
                """, [String(cutoff)]
            ).rows.map { row in
                let columns = TextColumns(row: row)
                return KeyedPayload(
                    id: DeliveryID(columns.int64(0)), destination: columns.text(1) ?? "",
                    idempotencyKey: columns.text(2) ?? "", stored: columns.blob(3))
            }
            for row in undigested {
                guard let value = digest(row) else { continue }
                try database.execute(
                    "UPDATE outbox_delivery SET payload_sha256 = $1 WHERE id = $2", [value, String(row.id.rawValue)])
            }
            return try database.execute(
                """
                UPDATE outbox_delivery SET payload = ''::bytea,
                    receipt_body = CASE WHEN receipt_body IS NULL THEN NULL ELSE ''::bytea END,
                    payload_purged_at = $2 WHERE \(Self.purgeable)
                """, [String(cutoff), String(time)]
            ).affectedRows
        }
    }

    func purgedCount() throws -> Int {
        try execute("SELECT count(*) FROM outbox_delivery WHERE payload_purged_at IS NOT NULL")
            .rows.first.map { TextColumns(row: $0).int(0) } ?? 0
    }

    /// PostgreSQL keeps old row versions until vacuum reclaims them; autovacuum does so on its own schedule.
    func compact() throws {}
}

/// A PostgreSQL row read the way ``DeliveryRecord`` reads columns: numbers and `bytea` parsed from text, `t`/`f`
/// as 1/0.
struct TextColumns: DeliveryColumns {
    let row: PostgreSQLRow

    func isNull(_ column: Int32) -> Bool { row.text(Int(column)) == nil }
    func int(_ column: Int32) -> Int { Int(int64(column)) }
    func int64(_ column: Int32) -> Int64 {
        switch row.text(Int(column)) {
        case "t": 1
        case "f", nil: 0
        case let text?: Int64(text) ?? 0
        }
    }
    func double(_ column: Int32) -> Double { row.text(Int(column)).flatMap(Double.init) ?? 0 }
    func text(_ column: Int32) -> String? { row.text(Int(column)) }
    func blob(_ column: Int32) -> [UInt8] { row.text(Int(column)).flatMap(PostgreSQLBytes.decode) ?? [] }
}
