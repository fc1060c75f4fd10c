import ClaimsBridge
import ClaimsBridgeStorage
import Foundation

/// What the ledger tracks the state of.
public enum TrackedKind: String, Sendable, CaseIterable {
    case claim
    case labOrder
}

/// A report that something moved to a new state: a carrier's answer, a lab's status update, a payment.
public struct StateUpdate: Sendable, Equatable {
    public var kind: TrackedKind
    /// The claim's or order's key in the ledger (``Ledger/claimKey(requestMessageID:)``, or the lab order id).
    public var key: String
    public var to: String
    /// What reported it, unique per report (`message:42`, `webhook:evt_1`): the same report twice is one transition.
    public var source: String
    /// When it happened (seconds since 1970) as the reporter says; an update older than the current state's is stale.
    public var occurredAt: Double
    /// What the update is about, for lookups and for the status event: office sequence number, carrier and
    /// provider of a claim, or the order id. Never personal data.
    public var subject: [String: String]
    /// Whether the update is refused when nothing is tracked under its key yet (a lab's webhook for an order the
    /// ledger does not know).
    public var requiresExistingState: Bool

    public init(
        kind: TrackedKind, key: String, to: String, source: String, occurredAt: Double, subject: [String: String] = [:],
        requiresExistingState: Bool = false
    ) {
        self.requiresExistingState = requiresExistingState
        self.kind = kind
        self.key = key
        self.to = to
        self.source = source
        self.occurredAt = occurredAt
        self.subject = subject
    }
}

/// One transition asked for, and what became of it.
public struct StateTransition: Sendable, Equatable {
    public enum Outcome: String, Sendable {
        /// The state moved.
        case applied
        /// The same report was applied before; nothing changed.
        case duplicate
        /// The report is older than the state it would replace; kept, not applied.
        case stale
        /// The lifecycle does not allow the move; kept with the reason, not applied.
        case illegal
    }

    public var id: Int64
    public var kind: TrackedKind
    public var key: String
    public var source: String
    public var from: String?
    public var to: String
    public var occurredAt: Double
    public var recordedAt: Double
    public var outcome: Outcome
    public var reason: String?
}

/// Where a claim or lab order stands now.
public struct TrackedState: Sendable, Equatable {
    public var kind: TrackedKind
    public var key: String
    public var state: String
    public var occurredAt: Double
    public var updatedAt: Double
    /// The lookup value: a claim's office sequence number (a RAMQ claim's attestation number), or the order id.
    public var lookup: String
}

extension Ledger {
    static let stateTablesSQL = """
        ALTER TABLE messages ADD COLUMN carrier_reference TEXT;
        CREATE INDEX IF NOT EXISTS messages_by_carrier_reference ON messages(carrier_reference);
        CREATE TABLE IF NOT EXISTS tracked_states (
            kind TEXT NOT NULL,
            key TEXT NOT NULL,
            state TEXT NOT NULL,
            occurred_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            lookup TEXT NOT NULL,
            PRIMARY KEY (kind, key)
        );
        CREATE INDEX IF NOT EXISTS tracked_states_by_lookup ON tracked_states(kind, lookup);
        CREATE TABLE IF NOT EXISTS state_transitions (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            key TEXT NOT NULL,
            source TEXT NOT NULL,
            from_state TEXT,
            to_state TEXT NOT NULL,
            occurred_at REAL NOT NULL,
            recorded_at REAL NOT NULL,
            outcome TEXT NOT NULL,
            reason TEXT,
            UNIQUE (kind, key, source)
        );
        CREATE TABLE IF NOT EXISTS claim_amounts (
            claim_key TEXT PRIMARY KEY,
            payable TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS payments (
            id INTEGER PRIMARY KEY,
            message_id INTEGER NOT NULL,
            payment_reference TEXT NOT NULL,
            carrier TEXT NOT NULL,
            office_sequence TEXT NOT NULL,
            provider TEXT NOT NULL,
            claim_reference TEXT NOT NULL,
            amount TEXT NOT NULL,
            claim_key TEXT,
            recorded_at REAL NOT NULL,
            UNIQUE (payment_reference, carrier, office_sequence, provider, claim_reference)
        );
        CREATE TABLE IF NOT EXISTS pickups (
            id INTEGER PRIMARY KEY,
            route TEXT NOT NULL,
            source TEXT NOT NULL,
            name TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            state TEXT NOT NULL,
            recorded_at REAL NOT NULL,
            inbox_name TEXT
        );
        CREATE INDEX IF NOT EXISTS pickups_by_name ON pickups(route, name);
        CREATE TABLE IF NOT EXISTS status_events (
            id INTEGER PRIMARY KEY,
            transition_id INTEGER NOT NULL UNIQUE REFERENCES state_transitions(id),
            type TEXT NOT NULL,
            payload BLOB NOT NULL,
            outbox_id INTEGER
        );
        CREATE INDEX IF NOT EXISTS status_events_not_queued ON status_events(id) WHERE outbox_id IS NULL;

        """

    /// The ledger key of the claim (or predetermination) recorded as request message `requestMessageID`.
    public static func claimKey(requestMessageID: Int64) -> String { "message-\(requestMessageID)" }

    /// Applies a state update in its own transaction.
    /// - Returns: the transition as recorded (for a repeated report: the first one, with outcome `duplicate`).
    @discardableResult
    public func applyStateUpdate(_ update: StateUpdate) throws -> StateTransition {
        try database.transaction { try applyStateUpdateInTransaction(update) }
    }

    /// Applies several state updates in one transaction, in order.
    public func applyStateUpdates(_ updates: [StateUpdate]) throws -> [StateTransition] {
        guard !updates.isEmpty else { return [] }
        return try database.transaction { try updates.map(applyStateUpdateInTransaction) }
    }

    /// Applies a state update inside the caller's transaction: checked against the lifecycle, idempotent on its
    /// source, and ordered by when it happened. An applied transition queues a status event.
    func applyStateUpdateInTransaction(_ update: StateUpdate) throws -> StateTransition {
        // Updates of one claim or order take turns across processes: each sees the state the previous one left, and
        // their events are numbered in the order they were applied.
        try database.lock("state:\(update.kind.rawValue):\(update.key)")
        if var earlier = try transition(kind: update.kind, key: update.key, source: update.source) {
            earlier.outcome = .duplicate
            return earlier
        }
        let current = try trackedState(kind: update.kind, key: update.key)
        var outcome = StateTransition.Outcome.applied
        var reason: String?
        if current == nil, update.requiresExistingState {
            outcome = .illegal
            reason = "\(update.key) is not a \(update.kind == .claim ? "claim" : "lab order") the ledger knows"
        } else if let current, update.occurredAt < current.occurredAt {
            outcome = .stale
            reason = "this update is older than the \(current.state) state it would replace"
        } else if let refusal = Self.refusal(kind: update.kind, from: current?.state, to: update.to) {
            outcome = .illegal
            reason = refusal
        }
        let recordedAt = Self.now
        let id = try database.prepare(
            """
            INSERT INTO state_transitions (kind, key, source, from_state, to_state, occurred_at, recorded_at, outcome,
                reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        ).insert([
            .text(update.kind.rawValue), .text(update.key), .text(update.source),
            current.map { .text($0.state) } ?? .null, .text(update.to), .real(update.occurredAt), .real(recordedAt),
            .text(outcome.rawValue), reason.map { .text($0) } ?? .null,
        ])
        guard let id else { throw WatchError("the ledger recorded no row for a transition") }
        let transition = StateTransition(
            id: id, kind: update.kind, key: update.key, source: update.source,
            from: current?.state, to: update.to, occurredAt: update.occurredAt, recordedAt: recordedAt,
            outcome: outcome, reason: reason)
        guard outcome == .applied else { return transition }
        let lookup =
            (update.kind == .claim
                ? update.subject["officeSequenceNumber"] ?? update.subject["attestation"] : update.subject["orderId"])
            ?? update.key
        try database.prepare(
            """
            INSERT INTO tracked_states (kind, key, state, occurred_at, updated_at, lookup) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (kind, key) DO UPDATE SET state = excluded.state, occurred_at = excluded.occurred_at,
                updated_at = excluded.updated_at
            """
        ).run([
            .text(update.kind.rawValue), .text(update.key), .text(update.to), .real(update.occurredAt),
            .real(recordedAt), .text(lookup),
        ])
        let event = StatusEvent(transition: transition, subject: update.subject)
        try database.prepare("INSERT INTO status_events (transition_id, type, payload) VALUES (?, ?, ?)").run([
            .integer(transition.id), .text(event.type), .blob(event.payload),
        ])
        return transition
    }

    /// Why `kind` may not move from `from` (nil: not tracked yet) to `to`; nil when it may.
    static func refusal(kind: TrackedKind, from: String?, to: String) -> String? {
        switch kind {
        case .claim:
            let next = ClaimState(rawValue: to)
            guard let from else {
                guard next.isKnown else { return ClaimState.submitted.refusal(to: next) }
                return next == .submitted ? nil : "no claim was recorded as submitted before this \(to) answer"
            }
            return ClaimState(rawValue: from).refusal(to: next)
        case .labOrder:
            let next = LabOrderState(rawValue: to)
            guard next.isKnown else {
                return "\(to) is not a lab-order state (expected one of "
                    + LabOrderState.knownValues.map(\.rawValue).joined(separator: ", ") + ")"
            }
            guard let from else { return nil }
            do {
                try LabOrderState(rawValue: from).checkTransition(to: next)
                return nil
            } catch {
                return error.reason
            }
        }
    }

    /// Where a claim or order stands, or nil when nothing was applied to it.
    public func trackedState(kind: TrackedKind, key: String) throws -> TrackedState? {
        try database.prepare(
            "SELECT kind, key, state, occurred_at, updated_at, lookup FROM tracked_states WHERE kind = ? AND key = ?"
        ).query([.text(kind.rawValue), .text(key)], Self.readTrackedState).first
    }

    /// The states tracked under a lookup value (a claim's office sequence number, an order id), newest first.
    public func trackedStates(kind: TrackedKind, lookup: String) throws -> [TrackedState] {
        try database.prepare(
            """
            SELECT kind, key, state, occurred_at, updated_at, lookup FROM tracked_states WHERE kind = ? AND lookup = ?
            ORDER BY updated_at DESC, key DESC
            """
        ).query([.text(kind.rawValue), .text(lookup)], Self.readTrackedState)
    }

    /// Every transition asked for, applied or not, in the order they were recorded.
    public func stateHistory(kind: TrackedKind, key: String) throws -> [StateTransition] {
        try database.prepare(
            """
            SELECT id, kind, key, source, from_state, to_state, occurred_at, recorded_at, outcome, reason
            FROM state_transitions WHERE kind = ? AND key = ? ORDER BY id
            """
        ).query([.text(kind.rawValue), .text(key)], Self.readTransition)
    }

    private func transition(kind: TrackedKind, key: String, source: String) throws -> StateTransition? {
        try database.prepare(
            """
            SELECT id, kind, key, source, from_state, to_state, occurred_at, recorded_at, outcome, reason
            FROM state_transitions WHERE kind = ? AND key = ? AND source = ?
            """
        ).query([.text(kind.rawValue), .text(key), .text(source)], Self.readTransition).first
    }

    private static func readTrackedState(_ row: LedgerRow) -> TrackedState {
        TrackedState(
            kind: TrackedKind(rawValue: row.text(0) ?? "") ?? .claim, key: row.text(1) ?? "", state: row.text(2) ?? "",
            occurredAt: row.double(3), updatedAt: row.double(4), lookup: row.text(5) ?? "")
    }

    private static func readTransition(_ row: LedgerRow) -> StateTransition {
        StateTransition(
            id: row.int64(0), kind: TrackedKind(rawValue: row.text(1) ?? "") ?? .claim, key: row.text(2) ?? "",
            source: row.text(3) ?? "", from: row.text(4), to: row.text(5) ?? "", occurredAt: row.double(6),
            recordedAt: row.double(7), outcome: StateTransition.Outcome(rawValue: row.text(8) ?? "") ?? .illegal,
            reason: row.text(9))
    }
}
