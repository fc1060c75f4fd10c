import Foundation
import Logging

/// Renews the leases of the deliveries a run is sending, every third of the lease, on a thread and database
/// connection of its own: renewal goes on while the sending task waits on the network, on another process's
/// database lock, or for a free cooperative thread.
///
/// Renewing a delivery that has meanwhile been recorded, or taken over by another sender, changes nothing: the
/// update matches only an in-flight row that still carries the claim's token.
final class LeaseKeeper: @unchecked Sendable {
    private let condition = NSCondition()
    private var held: [DeliveryID: String] = [:]
    private var stopped = false
    private let location: OutboxStoreLocation
    private let leaseSeconds: Double
    private let clock: @Sendable () -> Date
    private let logger: Logger

    /// Starts the renewing thread.
    /// - Parameter clock: the time leases are extended from.
    init(location: OutboxStoreLocation, leaseSeconds: Double, clock: @escaping @Sendable () -> Date, logger: Logger) {
        self.location = location
        self.leaseSeconds = leaseSeconds
        self.clock = clock
        self.logger = logger
        let thread = Thread { [self] in run() }
        thread.name = "claimsbridge-leases"
        thread.start()
    }

    /// Keeps renewing the lease of `id` under `token` until ``release(_:)``.
    func hold(_ id: DeliveryID, token: String) { condition.withLock { held[id] = token } }

    /// Stops renewing the lease of `id`.
    func release(_ id: DeliveryID) { condition.withLock { held[id] = nil } }

    /// Ends the thread (after any renewal under way).
    func stop() {
        condition.withLock {
            stopped = true
            condition.signal()
        }
    }

    private var interval: Double { min(60, max(0.05, leaseSeconds / 3)) }

    private func run() {
        var store: (any OutboxStore)?
        while let snapshot = nextRound() {
            guard !snapshot.isEmpty else { continue }
            do {
                let connection = try store ?? location.open(migrating: false)
                store = connection
                let lost = try connection.renew(
                    snapshot, until: clock().addingTimeInterval(leaseSeconds).timeIntervalSince1970)
                for id in lost {
                    logger.warning(
                        "lease lost: another sender has taken this delivery over", metadata: ["delivery.id": "\(id)"])
                }
            } catch {
                logger.warning("leases could not be renewed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Waits one interval; returns the leases to renew, or nil once stopped.
    private func nextRound() -> [DeliveryID: String]? {
        condition.withLock {
            let deadline = Date().addingTimeInterval(interval)
            while !stopped && condition.wait(until: deadline) {}
            return stopped ? nil : held
        }
    }
}
