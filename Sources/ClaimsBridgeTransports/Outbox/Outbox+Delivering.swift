public import ClaimsBridge
public import Foundation

extension Outbox {
    /// Delivers due deliveries whose destination is in `transports`, at most `limit` of them, up to
    /// `concurrency` at a time, recording each outcome as soon as it is known.
    ///
    /// A delivery is claimed only when a slot is free to send it: the claim takes a lease of ``leaseSeconds``
    /// under a token of its own and counts the attempt, in one transaction. While deliveries are being sent their
    /// leases are renewed (every third of ``leaseSeconds``), so another sender sharing the outbox never takes a
    /// delivery this one is still working on. Each outcome is recorded the moment its transport returns, and only
    /// if the row still carries this claim's token: success records the receipt; a retryable failure schedules the
    /// next attempt by the ``retryPolicy``; a permanent failure, or a retryable one on the last allowed attempt,
    /// makes it dead with the error kept. If this process dies mid-delivery, only the deliveries then in flight
    /// are due again once their leases expire.
    /// - Parameters:
    ///   - transports: a transport for each destination name; deliveries to other destinations are left alone.
    ///   - now: the current time (deliveries due at or before it are sent).
    ///   - limit: the most deliveries to claim in this call.
    ///   - concurrency: how many deliveries may be in flight at once.
    /// - Returns: which deliveries were delivered, will be retried, are dead, or were taken over by another sender.
    /// - Throws: ``OutboxError`` (`storage`); delivery failures are recorded, not thrown.
    public func deliverDue(
        transports: [String: any Transport], now: Date = Date(), limit: Int = 100, concurrency: Int = 4
    ) async throws(OutboxError) -> DeliveryRunSummary {
        var run = DeliveryRun(
            outbox: self, transports: transports, start: now, limit: max(0, limit), slots: max(1, concurrency))
        return try await run.execute()
    }

    /// Sends one delivery now, in the caller's task, under the same rules as ``deliverDue(transports:now:limit:concurrency:)``:
    /// it is claimed with a lease first (so no other sender sends it meanwhile), and its outcome is recorded
    /// (delivered with the receipt, retried later, or dead). Nothing is sent when the delivery is not due or another
    /// sender holds it.
    /// - Returns: the outcome's summary; `attempted` is 0 when nothing was sent.
    /// - Throws: ``OutboxError`` (`storage`); a delivery failure is recorded, not thrown.
    public func deliverNow(
        _ id: DeliveryID, to destination: String, through transport: any Transport, now: Date = Date()
    ) async throws(OutboxError) -> DeliveryRunSummary {
        var summary = DeliveryRunSummary()
        guard let claim = try claimDue(destinations: [destination], now: now, limit: 1, only: id).first else {
            return summary
        }
        let result: Result<DeliveryReceipt, TransportError>
        do throws(TransportError) {
            result = .success(try await transport.deliver(claim.delivery))
        } catch {
            result = .failure(error)
        }
        try record(claim, result, into: &summary)
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
}

/// One ``Outbox/deliverDue(transports:now:limit:concurrency:)`` call: claims what is due at its start as slots free
/// up, sends, keeps the leases of what is in flight renewed (``LeaseKeeper``), and records each outcome as it
/// arrives. The database work happens on the calling task; the transports run in child tasks.
private struct DeliveryRun {
    let outbox: Outbox
    let transports: [String: any Transport]
    /// The `now` the caller gave: what is due at this time is sent. Claims made later count their leases and
    /// retries from this plus the real time elapsed since.
    let start: Date
    let limit: Int
    let slots: Int
    private let started = ContinuousClock.now
    private var active: Set<DeliveryID> = []
    private var attempted: Set<DeliveryID> = []
    private var summary = DeliveryRunSummary()
    private var keeper: LeaseKeeper?

    init(outbox: Outbox, transports: [String: any Transport], start: Date, limit: Int, slots: Int) {
        self.outbox = outbox
        self.transports = transports
        self.start = start
        self.limit = limit
        self.slots = slots
    }

    private typealias Outcome = (claim: Outbox.Claim, result: Result<DeliveryReceipt, TransportError>)

    /// The caller's clock: `start` moved on by the time this run has taken.
    private static func clock(from start: Date, since started: ContinuousClock.Instant) -> Date {
        let elapsed = ContinuousClock.now - started
        return start.addingTimeInterval(
            Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    mutating func execute() async throws(OutboxError) -> DeliveryRunSummary {
        var failure: OutboxError?
        await withTaskGroup(of: Outcome.self) { group in
            do throws(OutboxError) {
                try claimMore(into: &group)
                while !active.isEmpty, let (claim, result) = await group.next() {
                    active.remove(claim.id)
                    keeper?.release(claim.id)
                    try outbox.record(claim, result, into: &summary)
                    try claimMore(into: &group)
                }
            } catch {
                failure = error
            }
        }
        keeper?.stop()
        if let failure { throw failure }
        return summary
    }

    /// Claims due deliveries for the free slots and starts sending them; each is sent at most once per run.
    private mutating func claimMore(into group: inout TaskGroup<Outcome>) throws(OutboxError) {
        let room = min(slots - active.count, limit - attempted.count)
        guard room > 0 else { return }
        let claimedAt = attempted.isEmpty ? start : Self.clock(from: start, since: started)
        let claims = try outbox.claimDue(
            destinations: Array(transports.keys), now: start, limit: room, excluding: attempted, claimedAt: claimedAt)
        for claim in claims {
            attempted.insert(claim.id)
            active.insert(claim.id)
            leaseKeeper().hold(claim.id, token: claim.token)
            let transport = transports[claim.destination]!
            group.addTask {
                do throws(TransportError) {
                    return (claim, .success(try await transport.deliver(claim.delivery)))
                } catch {
                    return (claim, .failure(error))
                }
            }
        }
    }

    /// The run's lease keeper, started with the first claim.
    private mutating func leaseKeeper() -> LeaseKeeper {
        if let keeper { return keeper }
        let (start, started) = (self.start, self.started)
        let keeper = LeaseKeeper(
            location: outbox.location, leaseSeconds: outbox.leaseSeconds,
            clock: { DeliveryRun.clock(from: start, since: started) }, logger: outbox.logger)
        self.keeper = keeper
        return keeper
    }
}
