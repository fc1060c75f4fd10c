internal import CCurl
import ClaimsBridge

/// Turns a libcurl result code into a ``TransportError`` that says whether to try again.
enum CurlFailure {
    static func error(_ code: CURLcode, _ message: String, endpoint: String) -> TransportError {
        let reason = "\(endpoint): \(message) (libcurl \(code.rawValue))"
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return TransportError(.connectionFailed, retryable: true, reason)
        case CURLE_OPERATION_TIMEDOUT:
            return TransportError(.timedOut, retryable: true, reason)
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            return TransportError(.peerVerificationFailed, retryable: false, reason)
        case CURLE_LOGIN_DENIED:
            return TransportError(.authenticationFailed, retryable: false, reason)
        case CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE, CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL,
            CURLE_SSL_CIPHER, CURLE_SSL_ENGINE_NOTFOUND, CURLE_FILE_COULDNT_READ_FILE:
            return TransportError(.invalidConfiguration, retryable: false, reason)
        case CURLE_REMOTE_ACCESS_DENIED, CURLE_REMOTE_FILE_NOT_FOUND, CURLE_UPLOAD_FAILED, CURLE_QUOTE_ERROR,
            CURLE_REMOTE_DISK_FULL:
            return TransportError(.io, retryable: true, reason)
        default:
            return TransportError(.network, retryable: true, reason)
        }
    }
}
