internal import CCurl
import ClaimsBridge
import Foundation

/// One request–reply exchange with a carrier through libcurl: the request in its envelope, the reply out of it.
struct CarrierExchange: Sendable {
    var url: String
    var tls: TLSOptions
    var envelope: CarrierEnvelope
    var connectTimeoutSeconds: Double
    var replyTimeoutSeconds: Double
    var replyLimit: Int

    /// The URL schemes allowed: `https`, or `http` to a loopback address only (never leaves the machine).
    static func check(url: String) throws(TransportError) {
        let lower = url.lowercased()
        if lower.hasPrefix("http://") {
            let authority = lower.dropFirst(7).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            let host = authority.hasPrefix("[") ? String(authority.prefix { $0 != "]" }) + "]"
                : String(authority.prefix { $0 != ":" })
            guard ["127.0.0.1", "localhost", "[::1]"].contains(host) else {
                throw TransportError(
                    .invalidConfiguration, retryable: false,
                    "a carrier URL must start with https://; plain http:// is allowed only to 127.0.0.1, localhost "
                        + "or [::1]")
            }
            return
        }
        try HTTPPost.check(url: url)
    }

    /// Sends `message` and waits for the reply.
    /// - Throws: ``TransportError``: `connectionFailed` (refused), `timedOut`, `connectionDropped`, `serverError`
    ///   (5xx), `rejected` (other non-2xx), `invalidReply` (not the envelope, not a CDAnet response, too long).
    func exchange(_ message: [UInt8], headers: [String]) throws(TransportError) -> CarrierReply {
        let request = try CurlRequest(responseLimit: replyLimit + 1)
        try request.set(CURLOPT_URL, url)
        try request.set(CURLOPT_PROTOCOLS_STR, url.lowercased().hasPrefix("https://") ? "https" : "http")
        try request.applyTLS(tls)
        try request.set(CURLOPT_CONNECTTIMEOUT_MS, Int(min(connectTimeoutSeconds, replyTimeoutSeconds) * 1000))
        try request.set(CURLOPT_TIMEOUT_MS, Int(replyTimeoutSeconds * 1000))
        try request.set(
            CURLOPT_HTTPHEADER,
            list: headers + ["Content-Type: \(envelope.contentType)", "Expect:", "User-Agent: claimsbridge"])
        try request.setUpload(envelope.wrap(message), asPost: true)
        let started = DispatchTime.now().uptimeNanoseconds
        let (code, detail) = request.perform()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        guard code == CURLE_OK else {
            throw CarrierFailure.error(code, detail, endpoint: url, replyTimeout: replyTimeoutSeconds)
        }
        let status = request.responseCode
        switch status {
        case 200..<300:
            break
        case 408, 429, 500..<600:
            var error = TransportError(
                .serverError, retryable: true, "\(url): the carrier answered HTTP \(status) instead of a reply",
                statusCode: status)
            error.retryAfterSeconds = request.retryAfterSeconds
            throw error
        default:
            throw TransportError(
                .rejected, retryable: false, "\(url): the carrier refused the request with HTTP \(status)",
                statusCode: status)
        }
        guard request.responseBody.count <= replyLimit, !request.responseOverflowed else {
            throw TransportError(
                .invalidReply, retryable: false,
                "\(url): the carrier's reply is longer than \(replyLimit) bytes, far more than any CDAnet response")
        }
        let body = try envelope.unwrap(request.responseBody)
        guard !body.isEmpty else {
            throw TransportError(.invalidReply, retryable: false, "\(url): the carrier answered with an empty body")
        }
        do throws(TransportError) {
            return try CarrierReply(checking: body, statusCode: status, elapsedSeconds: elapsed)
        } catch {
            throw TransportError(error.code, retryable: false, "\(url): \(error.reason)", statusCode: status)
        }
    }
}
