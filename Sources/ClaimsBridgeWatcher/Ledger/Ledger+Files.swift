import ClaimsBridgeStorage

extension Ledger {
    private static let columns =
        "id, route, name, sha256, size, state, path, claimed_at, finished_at, messages, translated, rejected, error, duplicate_of, reprocess_of, moving_to, original_purged_at"

    /// Records a file just claimed into `processing/`.
    public func recordClaim(
        route: String, name: String, path: String, sha256: String, size: Int64, reprocessOf: Int64? = nil
    ) throws -> Int64 {
        let id = try insertClaim(
            route: route, name: name, path: path, sha256: sha256, size: size, reprocessOf: reprocessOf, ifNew: false)
        guard let id else { throw WatchError("the ledger recorded no row for a claimed file") }
        return id
    }

    /// Records a file claimed into `processing/`, unless another process on this ledger has just recorded the file
    /// at that path as its own file in hand (it claimed the file, and this one found it there): nil then.
    func recordClaimUnlessInHand(
        route: String, name: String, path: String, sha256: String, size: Int64, reprocessOf: Int64?
    ) throws -> Int64? {
        if let id = try insertClaim(
            route: route, name: name, path: path, sha256: sha256, size: size, reprocessOf: reprocessOf, ifNew: true)
        {
            return id
        }
        guard try file(atPath: path)?.finishedAt == nil else {
            throw WatchError("the ledger recorded no row for a claimed file: a finished file has the same path")
        }
        return nil
    }

    private func insertClaim(
        route: String, name: String, path: String, sha256: String, size: Int64, reprocessOf: Int64?, ifNew: Bool
    ) throws -> Int64? {
        try database.prepare(
            "INSERT INTO files (route, name, sha256, size, state, path, claimed_at, reprocess_of) VALUES (?, ?, ?, ?, 'claimed', ?, ?, ?)"
                + (ifNew ? " ON CONFLICT DO NOTHING" : "")
        ).insert([
            .text(route), .text(name), .text(sha256), .integer(size), .text(path), .real(Self.now),
            reprocessOf.map { .integer($0) } ?? .null,
        ])
    }

    /// The file recorded with this number.
    public func file(_ id: Int64) throws -> LedgerFile? {
        try database.prepare("SELECT \(Self.columns) FROM files WHERE id = ?").query([.integer(id)], Self.read).first
    }

    /// The file whose original is at `path`.
    public func file(atPath path: String) throws -> LedgerFile? {
        try database.prepare("SELECT \(Self.columns) FROM files WHERE path = ?").query([.text(path)], Self.read).first
    }

    /// An earlier file on `route` with this content that was processed (not a failure, not a duplicate).
    public func processedFile(route: String, sha256: String, other id: Int64) throws -> Int64? {
        try database.prepare(
            "SELECT id FROM files WHERE route = ? AND sha256 = ? AND id <> ? AND state IN ('translated', 'delivered') ORDER BY id LIMIT 1"
        ).query([.text(route), .text(sha256), .integer(id)]) { $0.int64(0) }.first
    }

    /// Files whose original is still under a `processing/` folder: the ones to resume after a restart.
    public func filesInHand(processingDirectories: [String]) throws -> [LedgerFile] {
        let all = try database.prepare(
            "SELECT \(Self.columns) FROM files WHERE finished_at IS NULL ORDER BY id"
        ).query([], Self.read)
        return all.filter { file in processingDirectories.contains { file.path.hasPrefix($0 + "/") } }
    }

    /// Marks a file as a repeat of `original`.
    public func markDuplicate(_ id: Int64, of original: Int64) throws {
        try database.prepare("UPDATE files SET state = 'duplicate', duplicate_of = ? WHERE id = ?")
            .run([.integer(original), .integer(id)])
    }

    /// Records a translation in one transaction: the counts, the deliveries it produced, the identity of each
    /// message (for correlation) and where the original is about to be moved.
    /// - Returns: the responses among `identities` that match no request sent.
    @discardableResult
    func markTranslated(
        _ id: Int64, messages: Int, translated: Int, rejected: Int, deliveries: [LedgerDelivery],
        identities: [(number: Int, identity: MessageIdentity)] = [], stateUpdates: [StateUpdate] = [],
        movingTo: String? = nil
    ) throws -> [MessageIdentity] {
        let update = try database.prepare(
            """
            UPDATE files SET state = 'translated', messages = ?, translated = ?, rejected = ?,
                moving_to = coalesce(?, moving_to) WHERE id = ?
            """)
        let insert = try database.prepare(
            """
            INSERT INTO deliveries (file_id, transport, idempotency_key, outbox_id, state) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING
            """
        )
        return try database.transaction {
            try update.run([
                .integer(Int64(messages)), .integer(Int64(translated)), .integer(Int64(rejected)),
                movingTo.map { .text($0) } ?? .null, .integer(id),
            ])
            for delivery in deliveries {
                try insert.run([
                    .integer(delivery.fileID), .text(delivery.transport), .text(delivery.idempotencyKey),
                    .integer(delivery.outboxID), .text(delivery.state),
                ])
            }
            if !deliveries.isEmpty && deliveries.allSatisfy({ $0.state == "delivered" }) {
                try database.prepare("UPDATE files SET state = 'delivered' WHERE id = ?").run([.integer(id)])
            }
            for update in stateUpdates { _ = try applyStateUpdateInTransaction(update) }
            return try insertMessages(fileID: id, identities)
        }
    }

    /// Records a failure in plain words (no personal data), with the counts known so far.
    public func markFailed(_ id: Int64, reason: String, messages: Int = 0, rejected: Int = 0) throws {
        try database.prepare(
            "UPDATE files SET state = 'failed', error = ?, messages = ?, rejected = ? WHERE id = ?"
        ).run([.text(reason), .integer(Int64(messages)), .integer(Int64(rejected)), .integer(id)])
    }

    /// Records where the original is about to be moved.
    public func planMove(_ id: Int64, to path: String) throws {
        try database.prepare("UPDATE files SET moving_to = ? WHERE id = ?").run([.text(path), .integer(id)])
    }

    /// Records where the original now lies; `finished` closes the file's handling.
    public func moveOriginal(_ id: Int64, to path: String, finished: Bool) throws {
        try database.prepare("UPDATE files SET path = ?, finished_at = CASE WHEN ? = 1 THEN ? ELSE finished_at END WHERE id = ?")
            .run([.text(path), .integer(finished ? 1 : 0), .real(Self.now), .integer(id)])
    }

    /// The deliveries a file produced.
    public func deliveries(of id: Int64) throws -> [LedgerDelivery] {
        try database.prepare(
            "SELECT file_id, transport, idempotency_key, outbox_id, state FROM deliveries WHERE file_id = ? ORDER BY transport"
        ).query([.integer(id)], Self.readDelivery)
    }

    /// The delivery with this outbox number, if the ledger has recorded it.
    public func delivery(outboxID: Int64) throws -> LedgerDelivery? {
        try database.prepare(
            "SELECT file_id, transport, idempotency_key, outbox_id, state FROM deliveries WHERE outbox_id = ?"
        ).query([.integer(outboxID)], Self.readDelivery).first
    }

    /// Deliveries not yet settled (neither delivered nor dead), oldest first.
    public func openDeliveries(limit: Int = 1000) throws -> [LedgerDelivery] {
        try database.prepare(
            "SELECT file_id, transport, idempotency_key, outbox_id, state FROM deliveries WHERE state NOT IN ('delivered', 'dead') ORDER BY file_id LIMIT ?"
        ).query([.integer(Int64(limit))], Self.readDelivery)
    }

    /// Updates deliveries' states from the outbox, in one transaction; when every delivery of a file is
    /// delivered, so is the file.
    public func updateDeliveries(_ updates: [(outboxID: Int64, state: String)]) throws {
        guard !updates.isEmpty else { return }
        try database.transaction {
            for (outboxID, state) in updates { try update(outboxID: outboxID, state: state) }
        }
    }

    private func update(outboxID: Int64, state: String) throws {
        try database.prepare("UPDATE deliveries SET state = ? WHERE outbox_id = ?").run([.text(state), .integer(outboxID)])
        try database.prepare(
            """
            UPDATE files SET state = 'delivered'
            WHERE state = 'translated' AND id IN (SELECT file_id FROM deliveries WHERE outbox_id = ?)
              AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.file_id = files.id AND d.state <> 'delivered')
            """
        ).run([.integer(outboxID)])
    }

    /// Files recorded, most recent first.
    public func files(state: LedgerFile.State? = nil, route: String? = nil, limit: Int = 100) throws -> [LedgerFile] {
        try database.prepare(
            "SELECT \(Self.columns) FROM files WHERE (CAST(?1 AS TEXT) IS NULL OR state = ?1) AND (CAST(?2 AS TEXT) IS NULL OR route = ?2) ORDER BY id DESC LIMIT ?3"
        ).query([state.map { .text($0.rawValue) } ?? .null, route.map { .text($0) } ?? .null, .integer(Int64(limit))], Self.read)
    }

    /// Finished files whose original is still kept and was filed before `time` (seconds since 1970), oldest
    /// first: the ones retention removes.
    public func originalsFiled(before time: Double) throws -> [LedgerFile] {
        try database.prepare(
            "SELECT \(Self.columns) FROM files WHERE finished_at IS NOT NULL AND finished_at < ? AND original_purged_at IS NULL ORDER BY id"
        ).query([.real(time)], Self.read)
    }

    /// Finished files whose original is still kept, for re-encryption.
    public func keptOriginals() throws -> [LedgerFile] {
        try database.prepare(
            "SELECT \(Self.columns) FROM files WHERE finished_at IS NOT NULL AND original_purged_at IS NULL ORDER BY id"
        ).query([], Self.read)
    }

    /// Records that retention removed the original of a file (at `time`, seconds since 1970).
    public func markOriginalPurged(_ id: Int64, at time: Double) throws {
        try database.prepare("UPDATE files SET original_purged_at = ? WHERE id = ?").run([.real(time), .integer(id)])
    }

    /// How many files' originals retention has removed.
    public func purgedOriginalCount() throws -> Int {
        try database.prepare("SELECT count(*) FROM files WHERE original_purged_at IS NOT NULL").query([]) { $0.int(0) }
            .first ?? 0
    }

    /// How many files are in each state.
    public func countsByState() throws -> [LedgerFile.State: Int] {
        var counts: [LedgerFile.State: Int] = [:]
        let rows = try database.prepare("SELECT state, count(*) FROM files GROUP BY state").query([]) { row in
            (row.text(0) ?? "", row.int(1))
        }
        for (state, count) in rows {
            if let state = LedgerFile.State(rawValue: state) { counts[state] = count }
        }
        return counts
    }

    private static func readDelivery(_ row: LedgerRow) -> LedgerDelivery {
        LedgerDelivery(
            fileID: row.int64(0), transport: row.text(1) ?? "", idempotencyKey: row.text(2) ?? "",
            outboxID: row.int64(3), state: row.text(4) ?? "")
    }

    private static func read(_ row: LedgerRow) -> LedgerFile {
        LedgerFile(
            id: row.int64(0), route: row.text(1) ?? "", name: row.text(2) ?? "", sha256: row.text(3) ?? "",
            size: row.int64(4), state: LedgerFile.State(rawValue: row.text(5) ?? "") ?? .claimed, path: row.text(6) ?? "",
            movingTo: row.text(15), claimedAt: row.double(7), finishedAt: row.isNull(8) ? nil : row.double(8), messages: row.int(9),
            translated: row.int(10), rejected: row.int(11), error: row.text(12),
            duplicateOf: row.isNull(13) ? nil : row.int64(13), reprocessOf: row.isNull(14) ? nil : row.int64(14),
            originalPurgedAt: row.isNull(16) ? nil : row.double(16))
    }
}
