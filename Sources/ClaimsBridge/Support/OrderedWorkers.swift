import Foundation

/// Runs jobs on a few background threads while the caller goes on reading, and hands the results back in the
/// order the jobs were given, so that a pipeline's output and rejects keep their input order.
///
/// Job `i` goes to thread `i % threads`; each thread works through its own jobs in order, so the results can be
/// taken back one by one without sorting. With `threads == 0` each job runs at once on the caller's thread.
/// One caller submits and takes; the threads start with the first job and end in ``close()`` (or when the
/// workers are released).
final class OrderedWorkers<Job: Sendable, Output: Sendable>: @unchecked Sendable {
    /// One thread's queue. Guarded by its condition's lock.
    private final class Lane: @unchecked Sendable {
        let condition = NSCondition()
        var jobs: [Job] = []
        var outputs: [Output] = []
        var closing = false
        var finished = false
        /// Whether the thread is running a job.
        var working = false
    }

    private let lanes: [Lane]
    /// Results of jobs run on the caller's thread (no lanes).
    private var inline: [Output] = []
    private let work: @Sendable (Int, Job) -> Output
    private var submitted = 0
    private var taken = 0
    private var closed = false

    /// - Parameters:
    ///   - threads: background threads to start; 0 runs every job on the caller's thread.
    ///   - work: the job, given the index of the thread running it (0 when inline), so that a thread can use
    ///     state of its own.
    init(threads: Int, work: @escaping @Sendable (_ thread: Int, _ job: Job) -> Output) {
        self.work = work
        lanes = (0..<max(threads, 0)).map { _ in Lane() }
    }

    /// Whether the threads run; they start with the first job queued, so that a small input (one group, run
    /// with ``runHere(_:)``) starts none.
    private var started = false

    private func start() {
        started = true
        for (index, lane) in lanes.enumerated() {
            let thread = Thread { [work] in Self.serve(lane, index, work) }
            thread.stackSize = 8 << 20
            thread.name = "claimsbridge-worker-\(index)"
            thread.start()
        }
    }

    deinit { close() }

    /// Jobs given and not yet taken back.
    var inFlight: Int { submitted - taken }

    /// Whether some thread has nothing to do (no job running or queued): the threads then keep up with the caller
    /// and could take on more of the work. False without threads.
    var hasIdleThread: Bool {
        lanes.contains { lane in
            lane.condition.lock()
            defer { lane.condition.unlock() }
            return !lane.working && lane.jobs.isEmpty
        }
    }

    /// Queues a job (or runs it now, without threads).
    func submit(_ job: Job) {
        precondition(!closed, "a job was submitted after close()")
        if lanes.isEmpty {
            inline.append(work(0, job))
        } else {
            if !started { start() }
            let lane = lanes[submitted % lanes.count]
            lane.condition.lock()
            lane.jobs.append(job)
            lane.condition.signal()
            lane.condition.unlock()
        }
        submitted += 1
    }

    /// Runs a job on the caller's thread, with the first thread's state, when no job is in flight (so that no
    /// thread is using that state): for the last group of an input, which the caller would wait for anyway.
    func runHere(_ job: Job) -> Output {
        precondition(inFlight == 0, "runHere(_:) while jobs are in flight")
        return work(0, job)
    }

    /// Queues `job`, if any, and hands `take` the results in order: all of them (`all`), or all but the newest
    /// `2 × threads`, so that the threads stay busy while the caller reads on. A last job with nothing in flight
    /// runs on the caller's thread, so that a small input starts no thread. Stops, returning false, as soon as
    /// `take` returns false.
    func pass(_ job: Job?, all: Bool, to take: (Output) throws -> Bool) rethrows -> Bool {
        if let job {
            if all && inFlight == 0 { return try take(runHere(job)) }
            submit(job)
        }
        while inFlight > (all ? 0 : 2 * max(lanes.count, 1)), let output = takeNext() {
            guard try take(output) else { return false }
        }
        return true
    }

    /// The result of the oldest job not yet taken, waiting for it if needed; nil when none is in flight.
    func takeNext() -> Output? {
        guard inFlight > 0 else { return nil }
        defer { taken += 1 }
        if lanes.isEmpty { return inline.removeFirst() }
        let lane = lanes[taken % lanes.count]
        lane.condition.lock()
        defer { lane.condition.unlock() }
        while lane.outputs.isEmpty { lane.condition.wait() }
        return lane.outputs.removeFirst()
    }

    /// Lets every thread finish the jobs it has and end, and waits for them; results not taken are dropped.
    func close() {
        guard !closed else { return }
        closed = true
        guard started else { return }
        for lane in lanes {
            lane.condition.lock()
            lane.closing = true
            lane.condition.broadcast()
            while !lane.finished { lane.condition.wait() }
            lane.outputs.removeAll()
            lane.condition.unlock()
        }
    }

    private static func serve(_ lane: Lane, _ index: Int, _ work: @Sendable (Int, Job) -> Output) {
        lane.condition.lock()
        while true {
            while lane.jobs.isEmpty && !lane.closing { lane.condition.wait() }
            if lane.jobs.isEmpty {
                lane.finished = true
                lane.condition.broadcast()
                lane.condition.unlock()
                return
            }
            let job = lane.jobs.removeFirst()
            lane.working = true
            lane.condition.unlock()
            let output = work(index, job)
            lane.condition.lock()
            lane.working = false
            lane.outputs.append(output)
            lane.condition.broadcast()
        }
    }
}

/// What a worker made of one record of a group: its output (a range of the group's bytes), with the warning of a
/// rule broken under `--lenient`, or why it was refused.
enum RecordOutcome: Sendable {
    case written(Range<Int>, warning: BridgeError? = nil)
    case rejected(BridgeError)
}

/// How many worker threads a pipeline starts when not told.
enum PipelineThreads {
    /// None on one core; on more, one fewer than the cores (the reading or writing goes on on the caller's
    /// thread), at least two and at most four (each holds two groups in flight, so memory stays small).
    static var defaultCount: Int {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        return cores >= 2 ? min(max(cores - 1, 2), 4) : 0
    }
}

/// A value handed to a worker thread that the caller promises not to use while the worker has it (a
/// validator, a writer): each thread gets its own.
struct ThreadOwned<Value>: @unchecked Sendable {
    let value: Value
}
