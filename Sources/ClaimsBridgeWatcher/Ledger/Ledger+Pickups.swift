import ClaimsBridgeStorage

/// One file fetched from a route's pickup source, as the ledger recorded it.
public struct PickupRecord: Sendable, Equatable {
    public enum State: String, Sendable {
        /// Downloaded and recorded; not yet in the inbox.
        case recorded
        /// In the route's inbox.
        case dropped
        /// Removed from the source after it was in the inbox.
        case removed
    }

    public var id: Int64
    public var route: String
    public var name: String
    public var sha256: String
    public var size: Int
    public var state: State
    /// The name it was given in the inbox (differs from `name` when that was taken).
    public var inboxName: String?
}

extension Ledger {
    /// The latest record of a file of this name fetched for `route`, or nil.
    public func latestPickup(route: String, name: String) throws -> PickupRecord? {
        try database.prepare(
            """
            SELECT id, route, name, sha256, size, state, inbox_name FROM pickups WHERE route = ? AND name = ?
            ORDER BY id DESC LIMIT 1
            """
        ).query([.text(route), .text(name)], Self.readPickup).first
    }

    /// Every file fetched for `route`, oldest first.
    public func pickups(route: String) throws -> [PickupRecord] {
        try database.prepare(
            "SELECT id, route, name, sha256, size, state, inbox_name FROM pickups WHERE route = ? ORDER BY id"
        ).query([.text(route)], Self.readPickup)
    }

    /// Records a downloaded file before it is put in the inbox or removed from its source.
    func recordPickup(route: String, source: String, name: String, sha256: String, size: Int) throws -> Int64 {
        let id = try database.prepare(
            """
            INSERT INTO pickups (route, source, name, sha256, size, state, recorded_at) VALUES (?, ?, ?, ?, ?, 'recorded', ?)
            """
        ).insert([.text(route), .text(source), .text(name), .text(sha256), .integer(Int64(size)), .real(Self.now)])
        guard let id else { throw WatchError("the ledger recorded no row for a fetched file") }
        return id
    }

    func markPickup(_ id: Int64, _ state: PickupRecord.State, inboxName: String? = nil) throws {
        try database.prepare("UPDATE pickups SET state = ?, inbox_name = coalesce(?, inbox_name) WHERE id = ?").run([
            .text(state.rawValue), inboxName.map { .text($0) } ?? .null, .integer(id),
        ])
    }

    private static func readPickup(_ row: LedgerRow) -> PickupRecord {
        PickupRecord(
            id: row.int64(0), route: row.text(1) ?? "", name: row.text(2) ?? "", sha256: row.text(3) ?? "",
            size: row.int(4), state: PickupRecord.State(rawValue: row.text(5) ?? "") ?? .recorded,
            inboxName: row.text(6))
    }
}
