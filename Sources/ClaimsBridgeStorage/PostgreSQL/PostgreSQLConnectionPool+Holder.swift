import Foundation
import Synchronization

extension PostgreSQLConnectionPool {
    /// Who holds a lent connection: a Swift task (on whatever thread it runs now), or a thread outside any task.
    struct Holder: Hashable, Sendable {
        let id: Int
        /// Whether the borrower runs in a Swift task, whose waiting would block a thread of the cooperative pool.
        let isTask: Bool

        /// The task running now, or else the current thread.
        static var current: Holder {
            if let task = withUnsafeCurrentTask(body: { $0?.hashValue }) { return Holder(id: task, isTask: true) }
            return Holder(id: Int(bitPattern: UInt(pthread_self())), isTask: false)
        }
    }
}

/// The borrowers running in Swift tasks that wait for a pooled connection now, across every pool of the process:
/// at most one fewer than the cooperative pool has threads (one per processor), so that one thread is always left
/// to resume the tasks that hold connections.
enum CooperativeWaiters {
    private static let count = Mutex(0)
    /// How many may wait at once.
    static let limit = max(0, ProcessInfo.processInfo.activeProcessorCount - 1)

    /// Counts one more waiter, or returns false when `limit` already wait.
    static func enter() -> Bool {
        count.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    static func leave() { count.withLock { $0 -= 1 } }
}
