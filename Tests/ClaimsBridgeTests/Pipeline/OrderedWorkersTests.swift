import Foundation
import Testing

@testable import ClaimsBridge

/// Jobs run on background threads come back in the order they were given, whatever each one takes.
@Suite struct OrderedWorkersTests {
    /// A job that takes a time of its own (later jobs often finish first) and says which thread ran it.
    static func slowly(_ thread: Int, _ job: Int) -> [Int] {
        usleep(UInt32((job * 7919) % 5) * 300)
        return [job, thread]
    }

    @Test(arguments: [0, 1, 2, 3])
    func resultsComeBackInTheOrderGiven(threads: Int) {
        let workers = OrderedWorkers<Int, [Int]>(threads: threads, work: Self.slowly)
        defer { workers.close() }
        var taken: [Int] = []
        var threadsSeen: Set<Int> = []
        for job in 0..<200 {
            workers.submit(job)
            if job % 7 == 6, let result = workers.takeNext() {
                taken.append(result[0])
                threadsSeen.insert(result[1])
            }
        }
        #expect(workers.inFlight == 200 - taken.count)
        while let result = workers.takeNext() {
            taken.append(result[0])
            threadsSeen.insert(result[1])
        }
        #expect(taken == Array(0..<200))
        #expect(threadsSeen == Set(0..<max(threads, 1)))
        #expect(workers.takeNext() == nil)
    }

    @Test func passKeepsAFewGroupsInFlightAndRunsALastGroupHere() throws {
        let caller = pthread_self()
        let workers = OrderedWorkers<Int, (Int, Bool)>(threads: 2) { _, job in
            (job, pthread_equal(pthread_self(), caller) != 0)
        }
        defer { workers.close() }
        var taken: [Int] = []
        func take(_ result: (Int, Bool)) -> Bool {
            taken.append(result.0)
            return true
        }
        // A small input: one group, given with `all`, runs on the caller's thread and starts no thread.
        var ranHere = false
        #expect(workers.pass(1, all: true) { ranHere = $0.1; return take($0) })
        #expect(ranHere)
        for job in 2...20 { #expect(workers.pass(job, all: false, to: take)) }
        #expect(workers.inFlight <= 4)
        #expect(workers.pass(nil, all: true, to: take))
        #expect(workers.inFlight == 0)
        #expect(taken == Array(1...20))
        // `take` saying stop ends the taking at once.
        for job in 21...30 { workers.submit(job) }
        var stoppedAt: Int?
        #expect(!workers.pass(nil, all: true) { stoppedAt = $0.0; return $0.0 < 23 })
        #expect(stoppedAt == 23)
    }

    @Test func closingWithJobsInFlightWaitsForTheThreadsAndDropsTheResults() {
        let counter = Counter()
        let workers = OrderedWorkers<Int, Int>(threads: 2) { _, job in
            usleep(2000)
            counter.add()
            return job
        }
        for job in 0..<10 { workers.submit(job) }
        workers.close()
        #expect(counter.value == 10)
        // Closing twice, or workers that never started a thread, is fine.
        workers.close()
        OrderedWorkers<Int, Int>(threads: 2) { _, job in job }.close()
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func add() { lock.withLock { count += 1 } }
        var value: Int { lock.withLock { count } }
    }
}
