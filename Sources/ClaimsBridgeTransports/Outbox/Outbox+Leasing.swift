import ClaimsBridge
import ClaimsBridgeStorage
import Foundation
import Logging

extension Outbox {
    /// A delivery claimed by this process, with the lease token that proves it still holds the delivery.
    struct Claim: Sendable {
        var id: DeliveryID
        var destination: String
        /// Unique to this claim: a later claim of the same row (after the lease expired) has another token.
        var token: String
        /// When it was claimed; a retry is scheduled from this time.
        var claimedAt: Date
        var delivery: OutgoingDelivery
    }

    /// Claims up to `limit` deliveries to `destinations` that are due at `now` (other than those in `excluding`):
    /// each gets a token of its own, a lease until `claimedAt + leaseSeconds`, and its attempt counted, in one
    /// transaction.
    /// - Parameter claimedAt: when the claim is made (default `now`); leases and retries count from it.
    func claimDue(
        destinations: [String], now: Date, limit: Int, excluding: Set<DeliveryID> = [], claimedAt: Date? = nil,
        only: DeliveryID? = nil
    ) throws(OutboxError) -> [Claim] {
        let claimedAt = claimedAt ?? now
        let query = DueQuery(
            destinations: destinations, due: now.timeIntervalSince1970, limit: limit, excluding: excluding, only: only,
            claimedAt: claimedAt.timeIntervalSince1970, leaseSeconds: leaseSeconds)
        return try storage {
            try store.claimDue(query) { row in
                // A payload that cannot be read is dead at once, with the reason; the others go on.
                do throws(OutboxError) {
                    if row.purged {
                        throw OutboxError(.payloadPurged, "its payload was purged (retention); it cannot be sent")
                    }
                    let payload = try open(row.stored, destination: row.destination, idempotencyKey: row.idempotencyKey)
                    return .success(
                        Claim(
                            id: row.id, destination: row.destination, token: UUID().uuidString, claimedAt: claimedAt,
                            delivery: OutgoingDelivery(
                                idempotencyKey: row.idempotencyKey, payload: payload,
                                metadata: OutboxCoding.decodeMetadata(row.metadata), attempt: row.attempts + 1)))
                } catch {
                    logger.error(
                        "delivery is dead: its payload cannot be read",
                        metadata: ["delivery.id": "\(row.id)", "error.reason": "\(error.reason)"])
                    return .failure(error)
                }
            }
        }
    }

    /// Extends the leases of `claims` to `now + leaseSeconds`, in one transaction (see ``LeaseKeeper``, which does
    /// this on its own thread while deliveries are sent). A claim whose row no longer carries its token (another
    /// sender took the delivery over) is logged and left alone.
    /// - Returns: the claims that are still held.
    @discardableResult
    func renew(_ claims: [Claim], at now: Date) throws(OutboxError) -> [Claim] {
        let leases = Dictionary(claims.map { ($0.id, $0.token) }, uniquingKeysWith: { $1 })
        let lost = try storage {
            try store.renew(leases, until: now.addingTimeInterval(leaseSeconds).timeIntervalSince1970)
        }
        for claim in claims where lost.contains(claim.id) {
            logger(for: claim).warning("lease lost: another sender has taken this delivery over")
        }
        return claims.filter { !lost.contains($0.id) }
    }

    /// Records the outcome of one claimed delivery, if the row still carries the claim's token; otherwise the
    /// outcome belongs to whoever holds the delivery now, and it is reported as ``DeliveryRunSummary/lostLease``.
    func record(
        _ claim: Claim, _ result: Result<DeliveryReceipt, TransportError>, into summary: inout DeliveryRunSummary
    ) throws(OutboxError) {
        let time = claim.claimedAt.timeIntervalSince1970
        let log = logger(for: claim)
        switch result {
        case .success(let receipt):
            var stored = receipt
            stored.responseBody = sealReply(receipt.responseBody, of: claim)
            let recorded = try storage {
                try store.recordDelivered(claim.id, token: claim.token, receipt: stored, at: time)
            }
            guard recorded else { return lost(claim, log, into: &summary) }
            summary.delivered.append(claim.id)
            log.info("delivered", metadata: ["delivery.already_present": "\(receipt.alreadyPresent)"])
        case .failure(let error):
            let giveUp = !error.isRetryable || claim.delivery.attempt >= retryPolicy.maxAttempts
            // The server's Retry-After is honoured (up to the policy's longest delay), never shortened.
            let asked = min(error.retryAfterSeconds ?? 0, retryPolicy.maxDelaySeconds)
            let next = time + (giveUp ? 0 : max(retryPolicy.delay(afterAttempt: claim.delivery.attempt), asked))
            let recorded = try storage {
                try store.recordFailure(
                    claim.id, token: claim.token, state: giveUp ? .dead : .pending, error: error.description,
                    nextAttemptAt: next, at: time)
            }
            guard recorded else { return lost(claim, log, into: &summary) }
            if giveUp {
                summary.dead.append(claim.id)
                log.error(
                    "delivery is dead: it will not be retried until `claimsbridge outbox retry`",
                    metadata: [
                        "delivery.key": "\(claim.delivery.idempotencyKey)", "error.code": "\(error.code)",
                        "error.retryable": "\(error.isRetryable)", "error.reason": "\(error.reason)",
                    ])
            } else {
                summary.retrying.append(claim.id)
                log.info(
                    "will retry", metadata: ["error.code": "\(error.code)", "retry.in_seconds": "\(next - time)"])
            }
        }
    }

    /// A reply body as stored: encrypted like the payload (it may hold the carrier's answer about the patient).
    private func sealReply(_ body: [UInt8], of claim: Claim) -> [UInt8] {
        body.isEmpty
            ? body
            : seal(body, destination: claim.destination, idempotencyKey: claim.delivery.idempotencyKey, kind: "reply")
    }

    private func lost(_ claim: Claim, _ log: Logger, into summary: inout DeliveryRunSummary) {
        summary.lostLease.append(claim.id)
        log.warning("outcome not recorded: another sender has taken this delivery over (its lease had expired)")
    }

    private func logger(for claim: Claim) -> Logger {
        var log = logger
        log[metadataKey: "delivery.id"] = "\(claim.id)"
        log[metadataKey: "delivery.destination"] = "\(claim.destination)"
        log[metadataKey: "delivery.attempt"] = "\(claim.delivery.attempt)"
        return log
    }
}
