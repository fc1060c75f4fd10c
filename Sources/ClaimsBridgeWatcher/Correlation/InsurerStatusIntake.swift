public import ClaimsBridge
public import Foundation

/// Applies an insurer's claim status callbacks to the claims the ledger tracks. The body is one JSON update, or
/// `{"updates": [...]}`; each update names the claim by the numbers sent with it and says what became of it:
///
/// ```json
/// {"id": "evt-1", "carrierId": "000125", "officeSequenceNumber": "000101", "providerNumber": "123456789",
///  "status": "PAID", "occurredAt": "2026-12-05T08:00:00Z"}
/// ```
///
/// `status` is translated through the insurer's status mapping (insurer code → claim state; without a mapping the
/// claim states' own names are expected). Each update is applied with the ledger's rules (checked, idempotent on
/// `id`, ordered by `occurredAt`); an update for a claim the ledger does not know is refused, kept in the ledger's
/// history with the reason, and reported. An update that cannot be read is reported by its position and field and
/// does not stop the others.
public struct InsurerStatusIntake {
    /// What one delivery brought.
    public struct Result: Sendable {
        /// What became of each update read (applied, duplicate, stale or illegal), in order.
        public var transitions: [StateTransition] = []
        /// Updates naming a claim the ledger does not know, by position (from 1) and the claim's numbers.
        public var unknownClaims: [(update: Int, subject: [String: String])] = []
        /// Updates that could not be read, by position (from 1), with the field and why.
        public var rejects: [(update: Int, field: String, reason: String)] = []
    }

    let insurer: String
    let statuses: [String: String]

    /// - Parameters:
    ///   - insurer: the insurer's name, part of each update's source (`insurer:NAME:ID`).
    ///   - statuses: the insurer's status codes → claim states; empty to take the claim states' names as they are.
    public init(insurer: String, statuses: [String: String] = [:]) {
        self.insurer = insurer
        self.statuses = statuses
    }

    /// Reads `body` and applies its updates to `ledger`.
    /// - Parameter deliveryID: the webhook's id; an update without its own `id` is known by this id and its position.
    /// - Throws: ``BridgeError`` (`invalidJSON`) when the body is not a JSON object; a ledger failure.
    public func apply(_ body: [UInt8], deliveryID: String, ledger: Ledger, now: Date = Date()) throws -> Result {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw BridgeError(.invalidJSON, "the callback's body is not a JSON object")
        }
        let items: [Any] = object["updates"].map { ($0 as? [Any]) ?? [$0] } ?? [object]
        var result = Result()
        var updates: [StateUpdate] = []
        var unknownPositions: Set<Int> = []
        for (index, item) in items.enumerated() {
            let position = index + 1
            guard let update = item as? [String: Any] else {
                result.rejects.append((position, "updates", "each update must be a JSON object"))
                continue
            }
            func text(_ key: String) -> String? {
                (update[key] as? String).flatMap { $0.isEmpty ? nil : $0 }
            }
            var missing: String?
            for key in ["carrierId", "officeSequenceNumber", "providerNumber", "status"] where text(key) == nil {
                missing = missing ?? key
            }
            if let missing {
                result.rejects.append((position, missing, "is required and missing"))
                continue
            }
            let code = text("status")!
            let state = statuses.isEmpty ? code : statuses[code]
            guard let state, ClaimState(rawValue: state).isKnown else {
                result.rejects.append(
                    (position, "status", "\(DiagnosticText.quoted(code)) is not in \(insurer)'s status mapping"))
                continue
            }
            var occurredAt = now.timeIntervalSince1970
            if let stamp = text("occurredAt") {
                guard let date = try? Date(stamp, strategy: .iso8601) else {
                    result.rejects.append((position, "occurredAt", "must be a UTC timestamp written YYYY-MM-DDTHH:MM:SSZ"))
                    continue
                }
                occurredAt = date.timeIntervalSince1970
            }
            let subject = [
                "carrierId": text("carrierId")!, "officeSequenceNumber": text("officeSequenceNumber")!,
                "providerNumber": text("providerNumber")!,
            ]
            let claim = try ledger.latestClaim(
                carrierId: subject["carrierId"]!, officeSequenceNumber: subject["officeSequenceNumber"]!,
                provider: subject["providerNumber"]!)
            if claim == nil {
                result.unknownClaims.append((position, subject))
                unknownPositions.insert(updates.count)
            }
            let key = claim.map(Ledger.claimKey(requestMessageID:))
                ?? "unknown:\(subject["carrierId"]!)/\(subject["officeSequenceNumber"]!)/\(subject["providerNumber"]!)"
            updates.append(
                StateUpdate(
                    kind: .claim, key: key, to: state, source: "insurer:\(insurer):\(text("id") ?? "\(deliveryID)#\(position)")",
                    occurredAt: occurredAt, subject: subject, requiresExistingState: claim == nil))
        }
        result.transitions = try ledger.applyStateUpdates(updates)
        return result
    }
}
