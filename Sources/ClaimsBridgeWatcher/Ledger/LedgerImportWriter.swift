import ClaimsBridgeStorage
import Foundation

/// Writes the rows of an SQLite ledger into the PostgreSQL store, inside the caller's transaction.
struct LedgerImportWriter {
    typealias Row = LedgerImportRows.Row

    let ledger: LedgerDatabase
    let store: PostgreSQLDatabase
    let rows: LedgerImportRows
    let identity: String

    /// The tables whose IDs the store generates, and so move up by what the store has used.
    static let numbered = ["files", "messages", "state_transitions", "payments", "pickups", "status_events"]

    func write(source: String) throws -> LedgerImportSummary {
        // Two imports at once take turns, so the second sees the first one's record.
        try store.execute("SELECT pg_advisory_xact_lock(hashtextextended('ledger-import', 4243))")
        try store.execute(
            """
            CREATE TABLE IF NOT EXISTS ledger_imports (
                identity text PRIMARY KEY,
                source text NOT NULL,
                imported_at double precision NOT NULL,
                summary text NOT NULL
            )
            """)
        if let earlier = try store.execute(
            "SELECT source, imported_at FROM ledger_imports WHERE identity = $1", [identity]
        ).rows.first {
            let when = Date(timeIntervalSince1970: Double(earlier.text(1) ?? "") ?? 0).formatted(.iso8601)
            throw WatchError(
                "this ledger was already imported into the store on \(when) (from \(earlier.text(0) ?? "?")); nothing was imported again"
            )
        }
        // No other worker inserts into these tables until the import commits, so the IDs above the offsets are free.
        try store.execute("LOCK TABLE \(Self.numbered.joined(separator: ", ")) IN EXCLUSIVE MODE")
        var summary = LedgerImportSummary()
        for table in Self.numbered { summary.offsets[table] = try offset(of: table) }
        let map = IDMap(offsets: summary.offsets)

        let outbox = try writeOutbox(&summary)
        try insertAll("files", columns: Self.columns("files"), summary: &summary) { row in
            row.renumbering(["id", "duplicate_of", "reprocess_of"], map.files)
        } conflict: { row in
            "file \(row["id"]?.integer ?? 0) of the ledger has the same path as a file the store's ledger already has (another machine with the same folders)"
        }
        try insertAll("messages", columns: Self.columns("messages"), summary: &summary) { row in
            row.renumbering(["file_id"], map.files).renumbering(["id", "request_id"], map.messages)
        }
        try insertAll("deliveries", columns: Self.columns("deliveries"), summary: &summary) { row in
            var row = row.renumbering(["file_id"], map.files)
            if let old = row["outbox_id"]?.integer { row["outbox_id"] = .integer(outbox[old] ?? -old) }
            return row
        }
        try insertAll("tracked_states", columns: Self.columns("tracked_states"), summary: &summary) { row in
            var row = row
            if row["kind"]?.text == TrackedKind.claim.rawValue { row["key"] = map.claimKey(row["key"]) }
            return row
        } conflict: { _ in
            "a lab order or claim of the ledger is already tracked in the store"
        }
        try insertAll("state_transitions", columns: Self.columns("state_transitions"), summary: &summary) { row in
            var row = row.renumbering(["id"], map.transitions)
            if row["kind"]?.text == TrackedKind.claim.rawValue { row["key"] = map.claimKey(row["key"]) }
            row["source"] = map.source(row["source"])
            return row
        } conflict: { _ in
            "a report of the ledger (a lab's status update) was already applied in the store"
        }
        try insertAll("claim_amounts", columns: Self.columns("claim_amounts"), summary: &summary) { row in
            var row = row
            row["claim_key"] = map.claimKey(row["claim_key"])
            return row
        }
        try insertAll(
            "payments", columns: Self.columns("payments"), onConflict: " ON CONFLICT DO NOTHING", summary: &summary
        ) { row in
            var row = row.renumbering(["id"], map.payments).renumbering(["message_id"], map.messages)
            row["claim_key"] = map.claimKey(row["claim_key"])
            return row
        }
        try insertAll("pickups", columns: Self.columns("pickups"), summary: &summary) {
            $0.renumbering(["id"], map.pickups)
        }
        try insertAll("status_events", columns: Self.columns("status_events"), summary: &summary) { row in
            var row = row.renumbering(["id"], map.events).renumbering(["transition_id"], map.transitions)
            if let old = row["outbox_id"]?.integer { row["outbox_id"] = .integer(outbox[old] ?? -old) }
            if map.renumbers, case .blob(let payload) = row["payload"], let transition = row["transition_id"]?.integer {
                row["payload"] = .blob(
                    StatusEvent.renumbered(payload, transitionID: transition) { map.claimKey(.text($0))?.text ?? $0 })
            }
            return row
        }
        summary.pendingEvents = rows.table("status_events").filter { ($0["outbox_id"] ?? .null) == .null }.count
        try writeAllocations(map, &summary)
        try writeCounters(&summary)
        for table in Self.numbered {
            guard let last = rows.table(table).compactMap({ $0["id"]?.integer }).max() else { continue }
            try store.execute(
                "SELECT setval(pg_get_serial_sequence($1, 'id'), $2::bigint)",
                [table, String(last + (summary.offsets[table] ?? 0))])
        }
        try store.execute(
            "INSERT INTO ledger_imports (identity, source, imported_at, summary) VALUES ($1, $2, $3, $4)",
            [
                identity, source, "\(Date().timeIntervalSince1970)",
                summary.counts.map { "\($0.table)=\($0.rows)" }.joined(separator: " "),
            ])
        return summary
    }

    private static func columns(_ table: String) -> [String] {
        LedgerImportRows.tables.first { $0.name == table }?.columns.map(\.name) ?? []
    }

    /// The largest ID `table` has used: its largest row's, or its sequence's last value when that is larger.
    private func offset(of table: String) throws -> Int64 {
        guard let sequence = try store.execute("SELECT pg_get_serial_sequence($1, 'id')", [table]).rows.first?.text(0)
        else { throw WatchError("the store's table \(table) has no identity sequence") }
        let row = try store.execute(
            """
            SELECT GREATEST((SELECT COALESCE(max(id), 0) FROM \(table)),
                (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM \(sequence)))
            """
        ).rows.first
        return Int64(try row?.int(0) ?? 0)
    }

    private func insertAll(
        _ table: String, columns: [String], onConflict: String = "", summary: inout LedgerImportSummary,
        _ transform: (Row) -> Row, conflict: ((Row) -> String)? = nil
    ) throws {
        let placeholders = columns.map { _ in "?" }.joined(separator: ", ")
        let statement = try ledger.prepare(
            "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(placeholders))\(onConflict)")
        var written = 0
        var present = 0
        for row in rows.table(table) {
            let mapped = transform(row)
            do {
                try statement.run(columns.map { mapped[$0] ?? .null })
            } catch let error as PostgreSQLError where error.code == .uniqueViolation {
                let what = conflict?(row) ?? "a row of the ledger's \(table) is already in the store"
                throw WatchError("\(what): nothing was imported")
            }
            if ledger.changes == 1 { written += 1 } else { present += 1 }
        }
        summary.counts.append(.init(table: table, rows: written, alreadyPresent: present))
    }

    /// Copies the outbox's settled rows; returns the new ID of each row copied, by its ID in the SQLite outbox.
    private func writeOutbox(_ summary: inout LedgerImportSummary) throws -> [Int64: Int64] {
        let columns = LedgerImportRows.outbox.columns.map(\.name).filter { $0 != "id" }
        let statement = try ledger.prepare(
            "INSERT INTO outbox_delivery (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", "))) ON CONFLICT (destination, idempotency_key) DO NOTHING"
        )
        var map: [Int64: Int64] = [:]
        var present = 0
        for row in rows.outbox {
            guard let old = row["id"]?.integer else { continue }
            if let new = try statement.insert(columns.map { row[$0] ?? .null }) {
                map[old] = new
            } else {
                present += 1
            }
        }
        summary.counts.append(.init(table: "outbox_delivery", rows: map.count, alreadyPresent: present))
        return map
    }

    /// The number each field of each message of a file received, under the file's new ID.
    private func writeAllocations(_ map: IDMap, _ summary: inout LedgerImportSummary) throws {
        var written = 0
        for row in rows.table("allocations") {
            guard let file = row["file_id"]?.integer, let line = row["line"]?.integer, let field = row["field"]?.text,
                let scope = row["scope"]?.text, let number = row["number"]?.integer
            else { continue }
            let counter = Ledger.counter(scope: scope, limit: 1)
            written += try store.execute(
                """
                INSERT INTO sequence_allocations (file_key, line, field, office, counter_field, carrier, number)
                VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING
                """,
                [
                    "ledger#\(map.files(file))", String(line), field, counter.office, counter.fieldID, counter.carrier,
                    String(number),
                ]
            ).affectedRows
        }
        summary.counts.append(.init(table: "sequence_allocations", rows: written, alreadyPresent: 0))
    }

    /// Each counter of the machine ends in the store at the larger of the two last numbers.
    private func writeCounters(_ summary: inout LedgerImportSummary) throws {
        let allocations = rows.table("allocations")
        for row in rows.table("sequences") {
            guard let scope = row["scope"]?.text, let next = row["next"]?.integer else { continue }
            // `next` is the number to give next; 1 again after the limit: the last one given is then the largest
            // recorded in the scope.
            let last =
                next > 1
                ? next - 1
                : allocations.filter { $0["scope"]?.text == scope }.compactMap { $0["number"]?.integer }.max()
            guard let last else {
                summary.warnings.append(
                    "counter \(scope): its last number is unknown (it started again at 1 and no file records it); not moved"
                )
                continue
            }
            let counter = Ledger.counter(scope: scope, limit: 1)
            let key = [counter.office, counter.fieldID, counter.carrier]
            let before = try store.execute(
                "SELECT last_number FROM sequence_counters WHERE office = $1 AND field = $2 AND carrier = $3", key
            ).rows.first?.int(0)
            let after = try store.execute(
                """
                INSERT INTO sequence_counters AS c (office, field, carrier, last_number) VALUES ($1, $2, $3, $4)
                ON CONFLICT (office, field, carrier) DO UPDATE SET last_number = GREATEST(c.last_number, excluded.last_number)
                RETURNING last_number
                """, key + [String(last)]
            ).rows.first?.int(0)
            summary.counters.append(
                .init(scope: scope, machineLast: Int(last), storeLastBefore: before, storeLastAfter: after ?? Int(last))
            )
        }
    }
}

/// The new number of each imported row: its old one plus its table's offset. Claim keys and report sources that
/// name a message follow it.
private struct IDMap {
    let offsets: [String: Int64]

    func files(_ id: Int64) -> Int64 { id + (offsets["files"] ?? 0) }
    func messages(_ id: Int64) -> Int64 { id + (offsets["messages"] ?? 0) }
    func transitions(_ id: Int64) -> Int64 { id + (offsets["state_transitions"] ?? 0) }
    func payments(_ id: Int64) -> Int64 { id + (offsets["payments"] ?? 0) }
    func pickups(_ id: Int64) -> Int64 { id + (offsets["pickups"] ?? 0) }
    func events(_ id: Int64) -> Int64 { id + (offsets["status_events"] ?? 0) }

    /// Whether any number changes (the store's ledger had rows).
    var renumbers: Bool { offsets.values.contains { $0 != 0 } }

    /// `message-<id>` with the message's new number; any other key as it is.
    func claimKey(_ value: SQLiteStatement.Value?) -> SQLiteStatement.Value? {
        renumbered(value, prefix: "message-")
    }

    /// `message:<id>` with the message's new number; any other source as it is.
    func source(_ value: SQLiteStatement.Value?) -> SQLiteStatement.Value? {
        renumbered(value, prefix: "message:")
    }

    private func renumbered(_ value: SQLiteStatement.Value?, prefix: String) -> SQLiteStatement.Value? {
        guard case .text(let text) = value, text.hasPrefix(prefix), let id = Int64(text.dropFirst(prefix.count)) else {
            return value
        }
        return .text(prefix + String(messages(id)))
    }
}

extension [String: SQLiteStatement.Value] {
    /// The row with the integer columns `columns` passed through `map` (NULL stays NULL).
    fileprivate func renumbering(_ columns: [String], _ map: (Int64) -> Int64) -> Self {
        var row = self
        for column in columns {
            if let id = row[column]?.integer { row[column] = .integer(map(id)) }
        }
        return row
    }
}
