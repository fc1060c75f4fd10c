internal import CCurl
import ClaimsBridge

/// One HTTPS POST through libcurl, shared by the HTTPS and webhook transports.
struct HTTPPost: Sendable {
    var url: String
    var tls: TLSOptions
    var connectTimeoutSeconds: Double
    var timeoutSeconds: Double
    /// Connections kept open for this destination, shared by its requests (nil: a new connection each time).
    var connections: CurlConnectionCache? = CurlConnectionCache()

    /// Refuses anything but `https://`, and URLs with credentials in them (they would end up in receipts and
    /// errors); the URL is not repeated in the error, in case it holds a password.
    static func check(url: String) throws(TransportError) {
        guard url.lowercased().hasPrefix("https://") else {
            throw TransportError(.invalidConfiguration, retryable: false, "the URL must start with https://")
        }
        let authority = url.dropFirst(8).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.contains("@") else {
            throw TransportError(
                .invalidConfiguration, retryable: false,
                "the URL must not contain a user name or password; use `authorization` with a secret reference")
        }
    }

    /// Posts `body` with `headers` (`Name: value` lines) and classifies the answer.
    func send(body: [UInt8], headers: [String]) throws(TransportError) -> DeliveryReceipt {
        let request = try CurlRequest()
        try request.set(CURLOPT_URL, url)
        try request.set(CURLOPT_PROTOCOLS_STR, "https")
        try request.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        if let connections {
            try request.share(connections)
            // The shared cache keeps as many connections as the handle allows; deliveries run side by side.
            try request.set(CURLOPT_MAXCONNECTS, 64)
        }
        try request.applyTLS(tls)
        try request.set(CURLOPT_CONNECTTIMEOUT_MS, Int(connectTimeoutSeconds * 1000))
        try request.set(CURLOPT_TIMEOUT_MS, Int(timeoutSeconds * 1000))
        try request.set(CURLOPT_HTTPHEADER, list: headers + ["Expect:", "User-Agent: claimsbridge"])
        try request.setUpload(body, asPost: true)
        let (code, message) = request.perform()
        guard code == CURLE_OK else { throw CurlFailure.error(code, message, endpoint: url) }
        let status = request.responseCode
        connections?.countOpened(request.newConnections)
        let receipt = DeliveryReceipt(location: url, statusCode: status, responseBody: request.responseBody)
        switch status {
        case 200..<300:
            return receipt
        case 429:
            var error = TransportError(
                .rateLimited, retryable: true, "\(url) answered 429 Too Many Requests", statusCode: 429)
            error.retryAfterSeconds = request.retryAfterSeconds
            throw error
        case 408, 500..<600:
            var error = TransportError(.serverError, retryable: true, "\(url) answered \(status)", statusCode: status)
            error.retryAfterSeconds = request.retryAfterSeconds
            throw error
        default:
            throw TransportError(.rejected, retryable: false, "\(url) answered \(status)", statusCode: status)
        }
    }
}
