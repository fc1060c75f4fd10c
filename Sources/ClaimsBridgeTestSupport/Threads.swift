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

private final class ThreadResults<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<Value, any Error>?]
    init(count: Int) { results = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ result: Result<Value, any Error>) { lock.withLock { results[index] = result } }
    func values() throws -> [Value] { try lock.withLock { try results.map { try $0!.get() } } }
}
