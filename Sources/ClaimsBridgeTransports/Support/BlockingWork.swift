import ClaimsBridge
import Foundation

/// Runs blocking work (a libcurl transfer, fsync) on its own thread, so that it does not hold one of the few
/// threads of Swift's cooperative pool while it waits on the network or the disk.
enum BlockingWork {
    static func run<Value: Sendable>(
        _ work: @escaping @Sendable () throws(TransportError) -> Value
    ) async throws(TransportError) -> Value {
        let result: Result<Value, TransportError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                do throws(TransportError) {
                    continuation.resume(returning: .success(try work()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        return try result.get()
    }
}
