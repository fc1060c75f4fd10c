import Dispatch
import Foundation

/// A batch of independent work (each record's mapping and rules) done on other threads, spread over the
/// processor's cores, while the caller goes on reading or checking the next batch. The results come back in the
/// items' order, so the caller keeps everything that must happen in order (counts, output, rejects) and applies
/// them as if the work had been done in place.
///
/// At most one batch is meant to be in flight per pipeline, so memory stays at two batches whatever the input.
final class BackgroundBatch<Result: Sendable>: @unchecked Sendable {
    // Written once by the worker before `finished` is signalled; read by the caller only after waiting on it.
    private var results: [Result] = []
    private let finished = DispatchSemaphore(value: 0)

    /// Starts the work for the items `0..<count`: `work` is called once per part of that range (one part per
    /// core), and returns one result per index of its part, in order.
    init(count: Int, _ work: @escaping @Sendable (Range<Int>) -> [Result]) {
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            results = Self.compute(count: count, work)
            finished.signal()
        }
    }

    /// Does the work on the calling thread and on as many others as there are cores, and returns the results in
    /// order.
    static func compute(count: Int, _ work: @Sendable (Range<Int>) -> [Result]) -> [Result] {
        let parts = max(1, min(count, ProcessInfo.processInfo.activeProcessorCount))
        guard parts > 1 else { return count == 0 ? [] : work(0..<count) }
        let ranges = (0..<parts).map { part in (count * part / parts)..<(count * (part + 1) / parts) }
        let partResults = PartResults<Result>(parts: parts)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            partResults.store(work(ranges[part]), at: part)
        }
        return partResults.joined()
    }

    /// Waits for the work to finish and returns its results, in the items' order.
    func wait() -> [Result] {
        finished.wait()
        return results
    }
}

/// One slot per part of a batch, each written by exactly one thread of `concurrentPerform` and read after all
/// of them have returned (raw memory, so that no exclusivity check sees the threads' writes as overlapping).
private final class PartResults<Result>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<[Result]>

    init(parts: Int) {
        slots = .allocate(capacity: parts)
        slots.initialize(repeating: [])
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    func store(_ results: [Result], at part: Int) { slots[part] = results }

    func joined() -> [Result] { slots.flatMap { $0 } }
}
