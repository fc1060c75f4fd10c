import ClaimsBridgeStorage
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
    private let path: String
    private let leaseSeconds: Double
    private let clock: @Sendable () -> Date
    private let logger: Logger

    /// Starts the renewing thread.
    /// - Parameter clock: the time leases are extended from.
    init(path: String, leaseSeconds: Double, clock: @escaping @Sendable () -> Date, logger: Logger) {
        self.path = path
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
        var database: SQLiteDatabase?
        while let snapshot = nextRound() {
            guard !snapshot.isEmpty else { continue }
            do {
                let connection = try database ?? SQLiteDatabase(path: path)
                database = connection
                let lost = try Self.renew(snapshot, until: clock().addingTimeInterval(leaseSeconds), in: connection)
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

    /// Extends each in-flight lease that still carries its token to `until`, in one transaction.
    /// - Returns: the deliveries whose token no longer matches (another sender holds them, or they are settled).
    static func renew(_ leases: [DeliveryID: String], until: Date, in database: SQLiteDatabase) throws -> [DeliveryID] {
        try database.transaction { () throws in
            let extend = try database.prepare(
                "UPDATE delivery SET next_attempt_at = ? WHERE id = ? AND lease_token = ? AND state = 'inFlight'")
            var lost: [DeliveryID] = []
            for (id, token) in leases.sorted(by: { $0.key < $1.key }) {
                try extend.run([.real(until.timeIntervalSince1970), .integer(id.rawValue), .text(token)])
                if database.changes == 0 { lost.append(id) }
            }
            return lost
        }
    }
}
