import Synchronization

/// Counters the watcher keeps while it runs, served at `/metrics` in the Prometheus text format.
public final class WatchMetrics: Sendable {
    private struct Counts {
        var filesByState: [String: Int] = [:]
        var messages = 0
        var rejectedMessages = 0
        var deliveriesByState: [String: Int] = [:]
        var processingErrors = 0
        var pickupBuckets = [Int](repeating: 0, count: WatchMetrics.pickupBounds.count)
        var pickupCount = 0
        var pickupSum = 0.0
    }

    /// Upper bounds (seconds) of the pickup-latency histogram.
    static let pickupBounds: [Double] = [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 300]

    private let counts = Mutex(Counts())
    private let started = ContinuousClock.now

    public init() {}

    func recordFile(_ file: LedgerFile, pickedUpAfter seconds: Double) {
        counts.withLock { counts in
            counts.filesByState[file.state.rawValue, default: 0] += 1
            counts.messages += file.messages
            counts.rejectedMessages += file.rejected
            for (index, bound) in Self.pickupBounds.enumerated() where seconds <= bound {
                counts.pickupBuckets[index] += 1
            }
            counts.pickupCount += 1
            counts.pickupSum += max(0, seconds)
        }
    }

    func recordDelivery(state: String) {
        counts.withLock { $0.deliveriesByState[state, default: 0] += 1 }
    }

    func recordError() {
        counts.withLock { $0.processingErrors += 1 }
    }

    /// The metrics in the Prometheus text exposition format.
    public func prometheusText() -> String {
        let snapshot = counts.withLock { $0 }
        var lines: [String] = []
        func family(_ name: String, _ type: String, _ help: String) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
        }
        family("claimsbridge_files_total", "counter", "Files taken from the inboxes, by the state they reached.")
        for (state, count) in snapshot.filesByState.sorted(by: { $0.key < $1.key }) {
            lines.append("claimsbridge_files_total{state=\"\(state)\"} \(count)")
        }
        family("claimsbridge_messages_total", "counter", "Messages read from the files taken.")
        lines.append("claimsbridge_messages_total \(snapshot.messages)")
        family("claimsbridge_rejected_messages_total", "counter", "Messages rejected inside files taken.")
        lines.append("claimsbridge_rejected_messages_total \(snapshot.rejectedMessages)")
        family("claimsbridge_deliveries_total", "counter", "Deliveries settled, by outcome.")
        for (state, count) in snapshot.deliveriesByState.sorted(by: { $0.key < $1.key }) {
            lines.append("claimsbridge_deliveries_total{state=\"\(state)\"} \(count)")
        }
        family("claimsbridge_processing_errors_total", "counter", "Files left in processing/ by a file-system or storage error.")
        lines.append("claimsbridge_processing_errors_total \(snapshot.processingErrors)")
        family("claimsbridge_pickup_seconds", "histogram", "Time from a file's last change to its processing.")
        for (index, bound) in Self.pickupBounds.enumerated() {
            lines.append("claimsbridge_pickup_seconds_bucket{le=\"\(bound)\"} \(snapshot.pickupBuckets[index])")
        }
        lines.append("claimsbridge_pickup_seconds_bucket{le=\"+Inf\"} \(snapshot.pickupCount)")
        lines.append("claimsbridge_pickup_seconds_sum \(snapshot.pickupSum)")
        lines.append("claimsbridge_pickup_seconds_count \(snapshot.pickupCount)")
        family("claimsbridge_uptime_seconds", "gauge", "Seconds since the watcher started.")
        let uptime = ContinuousClock.now - started
        lines.append("claimsbridge_uptime_seconds \(uptime.components.seconds)")
        return lines.joined(separator: "\n") + "\n"
    }
}
