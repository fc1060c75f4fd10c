import ClaimsBridge
import ClaimsBridgeStorage

/// Every row of an SQLite ledger (and the settled rows of its outbox), read before the store's transaction starts,
/// with the SHA-256 of their content: the identity an import is recorded under.
struct LedgerImportRows {
    typealias Row = [String: SQLiteStatement.Value]

    enum ColumnType {
        case integer, real, text, blob
    }

    struct Table {
        var name: String
        var columns: [(name: String, type: ColumnType)]
        var order: String
    }

    /// The ledger's tables in the order they are written (a row after the rows it refers to).
    static let tables: [Table] = [
        Table(
            name: "files",
            columns: [
                ("id", .integer), ("route", .text), ("name", .text), ("sha256", .text), ("size", .integer),
                ("state", .text), ("path", .text), ("moving_to", .text), ("claimed_at", .real), ("finished_at", .real),
                ("messages", .integer), ("translated", .integer), ("rejected", .integer), ("error", .text),
                ("duplicate_of", .integer), ("reprocess_of", .integer), ("original_purged_at", .real),
            ], order: "id"),
        Table(
            name: "messages",
            columns: [
                ("id", .integer), ("file_id", .integer), ("message_number", .integer), ("type", .text),
                ("is_request", .integer), ("office_sequence", .text), ("carrier", .text), ("provider", .text),
                ("request_id", .integer), ("recorded_at", .real), ("may_be_unsolicited", .integer),
                ("carrier_reference", .text),
            ], order: "id"),
        Table(
            name: "deliveries",
            columns: [
                ("file_id", .integer), ("transport", .text), ("idempotency_key", .text), ("outbox_id", .integer),
                ("state", .text),
            ], order: "file_id, transport"),
        Table(
            name: "tracked_states",
            columns: [
                ("kind", .text), ("key", .text), ("state", .text), ("occurred_at", .real), ("updated_at", .real),
                ("lookup", .text),
            ], order: "kind, key"),
        Table(
            name: "state_transitions",
            columns: [
                ("id", .integer), ("kind", .text), ("key", .text), ("source", .text), ("from_state", .text),
                ("to_state", .text), ("occurred_at", .real), ("recorded_at", .real), ("outcome", .text),
                ("reason", .text),
            ], order: "id"),
        Table(name: "claim_amounts", columns: [("claim_key", .text), ("payable", .text)], order: "claim_key"),
        Table(
            name: "payments",
            columns: [
                ("id", .integer), ("message_id", .integer), ("payment_reference", .text), ("carrier", .text),
                ("office_sequence", .text), ("provider", .text), ("claim_reference", .text), ("amount", .text),
                ("claim_key", .text), ("recorded_at", .real),
            ], order: "id"),
        Table(
            name: "pickups",
            columns: [
                ("id", .integer), ("route", .text), ("source", .text), ("name", .text), ("sha256", .text),
                ("size", .integer), ("state", .text), ("recorded_at", .real), ("inbox_name", .text),
            ], order: "id"),
        Table(
            name: "status_events",
            columns: [
                ("id", .integer), ("transition_id", .integer), ("type", .text), ("payload", .blob),
                ("outbox_id", .integer),
            ], order: "id"),
        Table(
            name: "allocations",
            columns: [
                ("file_id", .integer), ("line", .integer), ("field", .text), ("scope", .text), ("number", .integer),
            ],
            order: "file_id, line, field"),
        Table(name: "sequences", columns: [("scope", .text), ("next", .integer)], order: "scope"),
    ]

    /// The outbox's settled rows.
    static let outbox = Table(
        name: "delivery",
        columns: [
            ("id", .integer), ("destination", .text), ("idempotency_key", .text), ("payload", .blob),
            ("payload_sha256", .text), ("payload_purged_at", .real), ("metadata", .text), ("state", .text),
            ("attempts", .integer), ("next_attempt_at", .real), ("lease_token", .text), ("last_error", .text),
            ("receipt_location", .text), ("receipt_status", .integer), ("receipt_body", .blob),
            ("receipt_already_present", .integer), ("created_at", .real), ("updated_at", .real),
        ], order: "id")

    private var ledger: [String: [Row]] = [:]
    var outbox: [Row] = []

    init(ledger database: LedgerDatabase) throws {
        for table in Self.tables { ledger[table.name] = try Self.read(table, from: database) }
    }

    func table(_ name: String) -> [Row] { ledger[name] ?? [] }

    /// The rows of `table` (the outbox's: only the settled ones).
    static func read(_ table: Table, from database: LedgerDatabase) throws -> [Row] {
        let names = table.columns.map(\.name).joined(separator: ", ")
        let filter = table.name == "delivery" ? " WHERE state IN ('delivered', 'dead')" : ""
        return try database.prepare("SELECT \(names) FROM \(table.name)\(filter) ORDER BY \(table.order)").query {
            row in
            var values: Row = [:]
            for (index, column) in table.columns.enumerated() {
                let position = Int32(index)
                guard !row.isNull(position) else {
                    values[column.name] = .null
                    continue
                }
                switch column.type {
                case .integer: values[column.name] = .integer(row.int64(position))
                case .real: values[column.name] = .real(row.double(position))
                case .text: values[column.name] = .text(row.text(position) ?? "")
                case .blob: values[column.name] = .blob(row.blob(position))
                }
            }
            return values
        }
    }

    /// The SHA-256 of every row read, in a fixed order: the same ledger content gives the same identity.
    var identity: String {
        var bytes: [UInt8] = []
        func append(_ table: Table, _ rows: [Row]) {
            bytes += Array("\(table.name)\n".utf8)
            for row in rows {
                for column in table.columns {
                    let field: [UInt8]
                    switch row[column.name] ?? .null {
                    case .null: field = [0]
                    case .integer(let number): field = [1] + Array(String(number).utf8)
                    case .real(let number): field = [2] + Array(String(number.bitPattern).utf8)
                    case .text(let text): field = [3] + Array(text.utf8)
                    case .blob(let blob): field = [4] + blob
                    }
                    let count = UInt64(field.count)
                    bytes += (0..<8).map { UInt8(truncatingIfNeeded: count >> ($0 * 8)) } + field
                }
            }
        }
        for table in Self.tables { append(table, self.table(table.name)) }
        append(Self.outbox, outbox)
        return ContentDigest.sha256(bytes)
    }
}
