import Foundation

/// What an import of an SQLite ledger copied into the PostgreSQL store: rows per table, counters, IDs. Numbers and
/// scopes only, never a value of a claim.
public struct LedgerImportSummary: Sendable, CustomStringConvertible {
    /// Rows of one table.
    public struct TableCount: Sendable, Equatable {
        public var table: String
        /// Rows written.
        public var rows: Int
        /// Rows left out because the store already had them (the same payment, the same outbox key).
        public var alreadyPresent: Int
    }

    /// One header-number counter of the machine.
    public struct CounterMove: Sendable, Equatable {
        /// `A02/<office>` or `A09/<office>/<carrier>`.
        public var scope: String
        /// The last number the machine gave out.
        public var machineLast: Int
        /// The store's last number before the import; nil when it had none.
        public var storeLastBefore: Int?
        /// The store's last number now: the larger of the two.
        public var storeLastAfter: Int
    }

    public var ledgerPath = ""
    public var outboxPath: String?
    /// The store, as ``PostgreSQLConfiguration/location`` says it.
    public var store = ""
    public var counts: [TableCount] = []
    public var counters: [CounterMove] = []
    /// How far each table's IDs moved up (0 when the store's table was empty).
    public var offsets: [String: Int64] = [:]
    /// Status events not handed to the outbox yet: the next watcher on the store hands them over.
    public var pendingEvents = 0
    public var warnings: [String] = []

    /// The rows written into `table`.
    public func rows(_ table: String) -> Int { counts.first { $0.table == table }?.rows ?? 0 }

    public var description: String {
        var lines = [
            "imported \(ledgerPath)" + (outboxPath.map { " and the settled deliveries of \($0)" } ?? "")
                + " into PostgreSQL \(store):"
        ]
        for count in counts {
            var line = "  " + count.table.padding(toLength: 22, withPad: " ", startingAt: 0) + String(count.rows)
            if count.alreadyPresent > 0 { line += " (\(count.alreadyPresent) already in the store, left out)" }
            if let offset = offsets[count.table], offset > 0 { line += " (numbers moved up by \(offset))" }
            lines.append(line)
        }
        lines.append("  status events waiting for the outbox: \(pendingEvents)")
        for counter in counters {
            let before = counter.storeLastBefore.map(String.init) ?? "none"
            lines.append(
                "  counter \(counter.scope): machine's last \(counter.machineLast), store's \(before), now \(counter.storeLastAfter)"
            )
        }
        lines += warnings.map { "warning: \($0)" }
        return lines.joined(separator: "\n")
    }
}
