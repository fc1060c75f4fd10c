import Foundation

/// Runs `body(index)` on `count` threads at once and returns each result, rethrowing the first failure.
public func onThreads<Value: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Value) throws
    -> [Value]
{
    let results = ThreadResults<Value>(count: count)
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        Thread {
            results.set(index, Result { try body(index) })
            group.leave()
        }.start()
    }
    group.wait()
    return try results.values()
}

/// Runs `body` on a thread of its own and waits for it without holding a thread of the cooperative pool: for blocking
/// work (a command, a watcher's synchronous exchange) whose other end runs on that pool in the same process.
public func offPool<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

private final class ThreadResults<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<Value, any Error>?]
    init(count: Int) { results = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ result: Result<Value, any Error>) { lock.withLock { results[index] = result } }
    func values() throws -> [Value] { try lock.withLock { try results.map { try $0!.get() } } }
}
