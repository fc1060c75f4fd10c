public import ClaimsBridge
import ClaimsBridgeStorage
public import Foundation
import Logging

extension Outbox {
    /// Delivers every due delivery whose destination is in `transports`, at most `limit` of them, up to
    /// `concurrency` at a time, and records each outcome.
    ///
    /// Each delivery is first claimed under a lease of ``leaseSeconds`` and its attempt counted, in one
    /// transaction; only then is it sent. Success records the receipt. A retryable failure schedules the next
    /// attempt by the ``retryPolicy``; a permanent failure, or a retryable one on the last allowed attempt, makes
    /// it dead with the error kept. If this process dies mid-delivery, the lease expires and the delivery is due
    /// again.
    /// - Parameters:
    ///   - transports: a transport for each destination name; deliveries to other destinations are left alone.
    ///   - now: the current time (deliveries due at or before it are sent).
    ///   - limit: the most deliveries to claim in this call.
    ///   - concurrency: how many deliveries may be in flight at once.
    /// - Returns: which deliveries were delivered, will be retried, or are dead.
    /// - Throws: ``OutboxError`` (`storage`); delivery failures are recorded, not thrown.
    public func deliverDue(
        transports: [String: any Transport], now: Date = Date(), limit: Int = 100, concurrency: Int = 4
    ) async throws(OutboxError) -> DeliveryRunSummary {
        let claimed = try claimDue(destinations: Array(transports.keys), now: now, limit: limit)
        var summary = DeliveryRunSummary()
        guard !claimed.isEmpty else { return summary }
        typealias Outcome = (claim: Claim, result: Result<DeliveryReceipt, TransportError>)
        var results: [Outcome] = []
        await withTaskGroup(of: Outcome.self) { group in
            var next = 0
            func start() {
                let claim = claimed[next]
                next += 1
                let transport = transports[claim.destination]!
                group.addTask {
                    do throws(TransportError) {
                        return (claim, .success(try await transport.deliver(claim.delivery)))
                    } catch {
                        return (claim, .failure(error))
                    }
                }
            }
            while next < claimed.count && next < max(1, concurrency) { start() }
            while let outcome = await group.next() {
                results.append(outcome)
                if next < claimed.count { start() }
            }
        }
        // Retries are scheduled from the time of the claim, so that `now` alone decides what is due.
        for (claim, result) in results {
            try record(claim, result, at: now, into: &summary)
        }
        return summary
    }

    /// Delivers due deliveries until the task is cancelled, sleeping until the next is due (at most
    /// `pollIntervalSeconds`, so that deliveries enqueued by other processes are seen).
    /// - Throws: ``OutboxError`` (`storage`); returns normally when cancelled.
    public func run(
        transports: [String: any Transport], pollIntervalSeconds: Double = 1, concurrency: Int = 4
    ) async throws(OutboxError) {
        while !Task.isCancelled {
            let summary = try await deliverDue(transports: transports, concurrency: concurrency)
            if summary.attempted > 0 { continue }
            var wait = pollIntervalSeconds
            if let due = try nextDueDate(destinations: Array(transports.keys)) {
                wait = min(wait, max(0.01, due.timeIntervalSinceNow))
            }
            do {
                try await Task.sleep(nanoseconds: UInt64(wait * 1e9))
            } catch {
                return
            }
        }
    }

    /// A delivery claimed by this process, with the lease token that proves it.
    struct Claim: Sendable {
        var id: DeliveryID
        var destination: String
        var token: String
        var delivery: OutgoingDelivery
    }

    func claimDue(destinations: [String], now: Date, limit: Int) throws(OutboxError) -> [Claim] {
        let token = UUID().uuidString
        let time = now.timeIntervalSince1970
        return try storage {
            try database.transaction { () throws in
                let due = try database.prepare(
                    """
                    SELECT id, destination, idempotency_key, payload, metadata, attempts FROM delivery
                    WHERE state IN ('pending', 'inFlight') AND next_attempt_at <= ?
                    AND destination IN (SELECT value FROM json_each(?))
                    ORDER BY next_attempt_at, id LIMIT ?
                    """
                ).query([.real(time), .text(OutboxCoding.encodeList(destinations)), .integer(Int64(limit))]) { row in
                    Claim(
                        id: DeliveryID(row.int64(0)), destination: row.text(1) ?? "", token: token,
                        delivery: OutgoingDelivery(
                            idempotencyKey: row.text(2) ?? "", payload: row.blob(3),
                            metadata: OutboxCoding.decodeMetadata(row.text(4) ?? "{}"), attempt: row.int(5) + 1))
                }
                let claim = try database.prepare(
                    """
                    UPDATE delivery SET state = 'inFlight', attempts = attempts + 1, lease_token = ?,
                        next_attempt_at = ?, updated_at = ? WHERE id = ?
                    """)
                for item in due {
                    try claim.run([.text(token), .real(time + leaseSeconds), .real(time), .integer(item.id.rawValue)])
                }
                return due
            }
        }
    }

    func record(
        _ claim: Claim, _ result: Result<DeliveryReceipt, TransportError>, at now: Date,
        into summary: inout DeliveryRunSummary
    ) throws(OutboxError) {
        let time = now.timeIntervalSince1970
        var log = logger
        log[metadataKey: "delivery.id"] = "\(claim.id)"
        log[metadataKey: "delivery.destination"] = "\(claim.destination)"
        log[metadataKey: "delivery.attempt"] = "\(claim.delivery.attempt)"
        try storage {
            switch result {
            case .success(let receipt):
                try database.prepare(
                    """
                    UPDATE delivery SET state = 'delivered', lease_token = NULL, last_error = NULL,
                        receipt_location = ?, receipt_status = ?, receipt_body = ?, receipt_already_present = ?,
                        updated_at = ? WHERE id = ? AND lease_token = ?
                    """
                ).run([
                    .text(receipt.location), receipt.statusCode.map { .integer(Int64($0)) } ?? .null,
                    .blob(receipt.responseBody), .integer(receipt.alreadyPresent ? 1 : 0), .real(time),
                    .integer(claim.id.rawValue), .text(claim.token),
                ])
                summary.delivered.append(claim.id)
                log.info("delivered", metadata: ["delivery.already_present": "\(receipt.alreadyPresent)"])
            case .failure(let error):
                let giveUp = !error.isRetryable || claim.delivery.attempt >= retryPolicy.maxAttempts
                let next = time + (giveUp ? 0 : retryPolicy.delay(afterAttempt: claim.delivery.attempt))
                try database.prepare(
                    """
                    UPDATE delivery SET state = ?, lease_token = NULL, last_error = ?, next_attempt_at = ?,
                        updated_at = ? WHERE id = ? AND lease_token = ?
                    """
                ).run([
                    .text(giveUp ? "dead" : "pending"), .text(error.description), .real(next), .real(time),
                    .integer(claim.id.rawValue), .text(claim.token),
                ])
                if giveUp {
                    summary.dead.append(claim.id)
                    log.info("dead-lettered", metadata: ["error.code": "\(error.code)"])
                } else {
                    summary.retrying.append(claim.id)
                    log.info(
                        "will retry", metadata: ["error.code": "\(error.code)", "retry.in_seconds": "\(next - time)"])
                }
            }
        }
    }
}
