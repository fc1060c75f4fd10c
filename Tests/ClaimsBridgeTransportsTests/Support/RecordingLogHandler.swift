import Foundation
import Logging

/// A log handler that keeps every entry, for tests that check what was logged and at which level. Copies share
/// one record, as the copies a `Logger` makes when metadata is added must.
struct RecordingLogHandler: LogHandler {
    struct Entry {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    final class Record: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [Entry] = []
        /// Every entry so far, oldest first.
        var entries: [Entry] { lock.withLock { stored } }
        func append(_ entry: Entry) { lock.withLock { stored.append(entry) } }
    }

    let record: Record
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    /// A logger writing into a new record, at the default level (`info`).
    static func logger() -> (Logger, Record) {
        let record = Record()
        return (Logger(label: "test", factory: { _ in RecordingLogHandler(record: record) }), record)
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        record.append(
            Entry(
                level: event.level, message: "\(event.message)",
                metadata: metadata.merging(event.metadata ?? [:]) { $1 }))
    }
}
