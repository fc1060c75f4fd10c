internal import CCurl
import ClaimsBridge

/// Turns a failed exchange with a carrier into a ``TransportError`` a billing clerk can act on.
enum CarrierFailure {
    static func error(_ code: CURLcode, _ message: String, endpoint: String, replyTimeout: Double) -> TransportError {
        switch code {
        case CURLE_COULDNT_CONNECT:
            return TransportError(
                .connectionFailed, retryable: true,
                "\(endpoint): the carrier refused the connection (nothing was sent) (libcurl \(code.rawValue))")
        case CURLE_OPERATION_TIMEDOUT:
            return TransportError(
                .timedOut, retryable: true,
                "\(endpoint): the carrier did not answer within \(Self.seconds(replyTimeout)) s; the message may "
                    + "have been received, so ask the mailbox (04) before sending it again (libcurl \(code.rawValue))")
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE:
            return TransportError(
                .connectionDropped, retryable: true,
                "\(endpoint): the carrier closed the connection without a complete reply; the message may have "
                    + "been received (libcurl \(code.rawValue))")
        case CURLE_WEIRD_SERVER_REPLY:
            return TransportError(
                .invalidReply, retryable: false,
                "\(endpoint): the carrier's answer is not HTTP (libcurl \(code.rawValue))")
        default:
            return CurlFailure.error(code, message, endpoint: endpoint)
        }
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
