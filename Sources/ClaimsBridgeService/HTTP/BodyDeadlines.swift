import ServiceLifecycle
import Synchronization

/// The deadlines of the request bodies being read, checked four times a second by one loop: a body still
/// unread at its deadline has its read cancelled. One loop for all requests, because a timer per request (a
/// sleeping task, a dispatch timer) stays allocated until its deadline even when the body arrived long before,
/// which under load holds hundreds of megabytes.
final class BodyDeadlines: Service, Sendable {
    private struct Watched {
        let deadline: ContinuousClock.Instant
        let expire: @Sendable () -> Void
    }

    private struct State {
        var next: UInt64 = 0
        var watched: [UInt64: Watched] = [:]
    }

    private let state = Mutex(State())

    /// Calls `expire` once `seconds` have passed, unless ``forget(_:)`` is called first.
    func watch(seconds: Double, expire: @escaping @Sendable () -> Void) -> UInt64 {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        return state.withLock { state in
            state.next += 1
            state.watched[state.next] = Watched(deadline: deadline, expire: expire)
            return state.next
        }
    }

    func forget(_ id: UInt64) {
        _ = state.withLock { $0.watched.removeValue(forKey: id) }
    }

    /// Expires what is due at `now`.
    func expire(now: ContinuousClock.Instant) {
        let due = state.withLock { state in
            let due = state.watched.filter { $0.value.deadline <= now }
            for id in due.keys { state.watched.removeValue(forKey: id) }
            return Array(due.values)
        }
        for watched in due { watched.expire() }
    }

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(250))
                self.expire(now: .now)
            }
        }
    }
}
