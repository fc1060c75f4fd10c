import Synchronization

/// Request counts and latency histograms per endpoint, and the requests in flight, served at `/metrics` in the
/// Prometheus text format.
public final class ServiceMetrics: Sendable {
    private struct Endpoint {
        var countsByStatus: [Int: Int] = [:]
        var buckets = [Int](repeating: 0, count: ServiceMetrics.latencyBounds.count)
        var count = 0
        var sum = 0.0
    }

    private struct State {
        var endpoints: [String: Endpoint] = [:]
        var inFlight = 0
    }

    /// Upper bounds (seconds) of the latency histogram.
    static let latencyBounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private let state = Mutex(State())

    public init() {}

    func started() { state.withLock { $0.inFlight += 1 } }

    func finished(endpoint: String, status: Int, seconds: Double) {
        state.withLock { state in
            state.inFlight -= 1
            var entry = state.endpoints[endpoint] ?? Endpoint()
            entry.countsByStatus[status, default: 0] += 1
            for (index, bound) in Self.latencyBounds.enumerated() where seconds <= bound { entry.buckets[index] += 1 }
            entry.count += 1
            entry.sum += seconds
            state.endpoints[endpoint] = entry
        }
    }

    /// The metrics in the Prometheus text exposition format.
    public func prometheusText() -> String {
        let snapshot = state.withLock { $0 }
        var lines = [
            "# HELP claimsbridge_http_requests_total Requests answered, by endpoint and status.",
            "# TYPE claimsbridge_http_requests_total counter",
        ]
        let endpoints = snapshot.endpoints.sorted { $0.key < $1.key }
        for (name, entry) in endpoints {
            for (status, count) in entry.countsByStatus.sorted(by: { $0.key < $1.key }) {
                lines.append("claimsbridge_http_requests_total{endpoint=\"\(name)\",status=\"\(status)\"} \(count)")
            }
        }
        lines.append("# HELP claimsbridge_http_request_duration_seconds Time to answer a request, by endpoint.")
        lines.append("# TYPE claimsbridge_http_request_duration_seconds histogram")
        for (name, entry) in endpoints {
            let series = "claimsbridge_http_request_duration_seconds"
            for (index, bound) in Self.latencyBounds.enumerated() {
                lines.append("\(series)_bucket{endpoint=\"\(name)\",le=\"\(bound)\"} \(entry.buckets[index])")
            }
            lines.append("\(series)_bucket{endpoint=\"\(name)\",le=\"+Inf\"} \(entry.count)")
            lines.append("\(series)_sum{endpoint=\"\(name)\"} \(entry.sum)")
            lines.append("\(series)_count{endpoint=\"\(name)\"} \(entry.count)")
        }
        lines.append("# HELP claimsbridge_http_requests_in_flight Requests being handled now.")
        lines.append("# TYPE claimsbridge_http_requests_in_flight gauge")
        lines.append("claimsbridge_http_requests_in_flight \(snapshot.inFlight)")
        return lines.joined(separator: "\n") + "\n"
    }
}
