internal import CCurl
import Synchronization

/// Open connections, TLS sessions and DNS answers kept for one destination and shared by all its requests (libcurl's
/// share interface, locked for use from several threads), so that a run of deliveries reuses one connection instead
/// of a TCP and TLS handshake each.
final class CurlConnectionCache: @unchecked Sendable {
    fileprivate let cache: UnsafeMutablePointer<cb_curl_share>

    /// nil when libcurl cannot share connections (requests then open their own).
    init?() {
        guard let cache = cb_curl_share_new() else { return nil }
        self.cache = cache
    }

    private let opened = Atomic<Int>(0)

    deinit { cb_curl_share_free(cache) }

    /// How many connections requests through this cache have opened in all.
    var connectionsOpened: Int { opened.load(ordering: .relaxed) }

    func countOpened(_ count: Int) { opened.add(count, ordering: .relaxed) }

    /// Makes `handle` take and return its connections here.
    func attach(_ handle: UnsafeMutableRawPointer) -> CURLcode { cb_curl_setopt_share(handle, cache) }
}
