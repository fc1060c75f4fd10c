public import ClaimsBridge
import Foundation

/// Messages exchanged outside the drop folders (a claim submitted over HTTP and the carrier's answer), recorded in
/// the ledger the way the watcher records a file of one message: header numbers allocated from the ledger, the
/// message's identity for correlation, its delivery, and the claim's state.
public struct LedgerSubmissions {
    let ledger: Ledger
    let rules: TransactionRules

    public init(ledger: Ledger, catalog: CDAnetCatalog) throws {
        self.ledger = ledger
        rules = try TransactionRules(catalog: catalog)
    }

    /// Records a request (one model JSON object) under `route` and fills in the header numbers it lacks (A02, A09,
    /// as its layout's `sequence:` says).
    /// - Returns: its ledger number and the JSON with the numbers.
    public func recordRequest(_ json: [UInt8], route: String, name: String) throws -> (id: Int64, json: [UInt8]) {
        let id = try ledger.recordClaim(
            route: route, name: name, path: "\(route):\(UUID().uuidString)", sha256: FileDigest.sha256(json),
            size: Int64(json.count))
        let filled = try SequenceNumbering(ledger: ledger, fileID: id, rules: rules).fill(json)
        return (id, filled.output)
    }

    /// Records that the request was written and queued as outbox delivery `outboxID`; the claim becomes
    /// `submitted`.
    public func markQueued(_ id: Int64, json: [UInt8], destination: String, idempotencyKey: String, outboxID: Int64)
        throws
    {
        try ledger.markTranslated(
            id, messages: 1, translated: 1, rejected: 0,
            deliveries: [
                LedgerDelivery(
                    fileID: id, transport: destination, idempotencyKey: idempotencyKey, outboxID: outboxID,
                    state: "queued")
            ],
            identities: MessageRecorder.identities(jsonLines: json, skippedLines: [], rules: rules))
    }

    /// Records that the request was sent directly (not through the outbox), so that its answer is matched to it.
    public func markSent(_ id: Int64, json: [UInt8]) throws {
        try ledger.markTranslated(
            id, messages: 1, translated: 1, rejected: 0, deliveries: [],
            identities: MessageRecorder.identities(jsonLines: json, skippedLines: [], rules: rules))
    }

    /// Records that the request was refused before it was sent, in plain words (no personal data).
    public func markRefused(_ id: Int64, reason: String) throws {
        try ledger.markFailed(id, reason: reason, messages: 1, rejected: 1)
    }

    /// Records the carrier's answer (one model JSON object), matched to its request; the claim's state moves.
    /// An answer already recorded under the same `name` is not recorded twice.
    /// - Returns: whether it matched a request sent (true for an answer recorded before).
    @discardableResult
    public func recordAnswer(_ json: [UInt8], route: String, name: String) throws -> Bool {
        let path = "\(route):\(name)"
        if try ledger.file(atPath: path) != nil { return true }
        let id = try ledger.recordClaim(
            route: route, name: name, path: path, sha256: FileDigest.sha256(json), size: Int64(json.count))
        let unmatched = try ledger.markTranslated(
            id, messages: 1, translated: 1, rejected: 0, deliveries: [],
            identities: MessageRecorder.identities(jsonLines: json, skippedLines: [], rules: rules))
        return unmatched.isEmpty
    }
}
