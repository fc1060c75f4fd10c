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

/// One ``Outbox/deliverDue(transports:now:limit:concurrency:)`` call: claims as slots free up, sends, renews the
/// leases of what is in flight, and records each outcome as it arrives. All database work happens on the calling
/// task; only the transports run in child tasks.
private struct DeliveryRun {
    let outbox: Outbox
    let transports: [String: any Transport]
    /// The `now` the caller gave; later times are this plus the real time elapsed since.
    let start: Date
    let limit: Int
    let slots: Int
    private let started = ContinuousClock.now
    private var active: [DeliveryID: Outbox.Claim] = [:]
    private var claimed = 0
    private var summary = DeliveryRunSummary()

    init(outbox: Outbox, transports: [String: any Transport], start: Date, limit: Int, slots: Int) {
        self.outbox = outbox
        self.transports = transports
        self.start = start
        self.limit = limit
        self.slots = slots
    }

    private enum Event: Sendable {
        case finished(Outbox.Claim, Result<DeliveryReceipt, TransportError>)
        case renewLeases
    }

    /// The caller's clock: `start` moved on by the time this run has taken.
    private var clock: Date {
        let elapsed = ContinuousClock.now - started
        return start.addingTimeInterval(
            Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    private var renewalInterval: Double { min(60, max(0.05, outbox.leaseSeconds / 3)) }

    mutating func execute() async throws(OutboxError) -> DeliveryRunSummary {
        var failure: OutboxError?
        await withTaskGroup(of: Event.self) { group in
            do throws(OutboxError) {
                try claimMore(at: start, into: &group)
                guard !active.isEmpty else { return }
                addRenewalTimer(to: &group)
                while !active.isEmpty, let event = await group.next() {
                    switch event {
                    case .finished(let claim, let result):
                        active[claim.id] = nil
                        try outbox.record(claim, result, into: &summary)
                        try claimMore(at: clock, into: &group)
                    case .renewLeases:
                        try outbox.renew(Array(active.values), at: clock)
                        addRenewalTimer(to: &group)
                    }
                }
            } catch {
                failure = error
            }
            group.cancelAll()
        }
        if let failure { throw failure }
        return summary
    }

    /// Claims due deliveries for the free slots and starts sending them.
    private mutating func claimMore(at time: Date, into group: inout TaskGroup<Event>) throws(OutboxError) {
        let room = min(slots - active.count, limit - claimed)
        guard room > 0 else { return }
        for claim in try outbox.claimDue(destinations: Array(transports.keys), now: time, limit: room) {
            claimed += 1
            active[claim.id] = claim
            let transport = transports[claim.destination]!
            group.addTask {
                do throws(TransportError) {
                    return .finished(claim, .success(try await transport.deliver(claim.delivery)))
                } catch {
                    return .finished(claim, .failure(error))
                }
            }
        }
    }

    private func addRenewalTimer(to group: inout TaskGroup<Event>) {
        let interval = renewalInterval
        group.addTask {
            try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
            return .renewLeases
        }
    }
}
