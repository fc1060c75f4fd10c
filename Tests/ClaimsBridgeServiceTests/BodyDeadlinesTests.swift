import Synchronization
import Testing

@testable import ClaimsBridgeService

@Suite struct BodyDeadlinesTests {
    @Test func expiresOnlyWhatIsDueAndNotForgotten() {
        let deadlines = BodyDeadlines()
        let expired = Mutex<[String]>([])
        _ = deadlines.watch(seconds: 1) { expired.withLock { $0.append("due") } }
        let forgotten = deadlines.watch(seconds: 1) { expired.withLock { $0.append("forgotten") } }
        _ = deadlines.watch(seconds: 3600) { expired.withLock { $0.append("later") } }
        deadlines.forget(forgotten)
        deadlines.expire(now: .now)
        #expect(expired.withLock { $0 }.isEmpty)
        deadlines.expire(now: .now + .seconds(2))
        #expect(expired.withLock { $0 } == ["due"])
        deadlines.expire(now: .now + .seconds(2))
        #expect(expired.withLock { $0 } == ["due"], "each is expired once")
    }
}
