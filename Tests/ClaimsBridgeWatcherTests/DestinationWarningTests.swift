import ClaimsBridge
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
import Foundation
import Logging
import Synchronization
import Testing

@testable import ClaimsBridgeWatcher

/// Keeps every log line, for tests that check what is logged.
final class RecordingLogHandler: LogHandler, Sendable {
    let lines = Mutex<[(level: Logger.Level, message: String, metadata: Logger.Metadata)]>([])
    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }
    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    func log(event: LogEvent) {
        lines.withLock { $0.append((event.level, "\(event.message)", event.metadata ?? [:])) }
    }
}

@Suite("Destinations checked at start")
struct DestinationWarningTests {
    @Test("A watcher whose folder destination is missing warns at start, naming the destination")
    func warnsAboutMissingFolder() async throws {
        let harness = try WatchHarness()
        let recorder = RecordingLogHandler()
        let watcher = Watcher(
            configuration: harness.configuration, resources: TranslationResources(),
            transports: ["out": try FolderTransport(directory: harness.root + "/missing")],
            retryPolicy: RetryPolicy(), metrics: WatchMetrics(),
            logger: Logger(label: "test", factory: { _ in recorder }),
            afterStep: nil)
        watcher.warnAboutUnreadyDestinations()
        let warnings = recorder.lines.withLock { $0 }.filter { $0.level == .warning }
        #expect(warnings.count == 1)
        #expect(warnings.first?.metadata["destination"] == "out")
        #expect(warnings.first?.metadata["problem"] == "the folder \(harness.root)/missing does not exist")
    }
}
