import ClaimsBridgeWatcher
import Foundation

/// The JSON of a claim's or lab order's state and history, as the ledger keeps them.
enum TrackedStateJSON {
    /// `{"state":"…","history":[{"from":…,"to":…,"outcome":…,"occurredAt":…,"source":…,"reason":…}]}`
    static func append(_ state: TrackedState, history: [StateTransition], to out: inout [UInt8]) {
        out += Array("{\"state\":".utf8)
        appendString(state.state, to: &out)
        out += Array(",\"history\":[".utf8)
        for (index, transition) in history.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += Array("{".utf8)
            if let from = transition.from {
                out += Array("\"from\":".utf8)
                appendString(from, to: &out)
                out.append(UInt8(ascii: ","))
            }
            out += Array("\"to\":".utf8)
            appendString(transition.to, to: &out)
            out += Array(",\"outcome\":\"\(transition.outcome.rawValue)\",\"occurredAt\":".utf8)
            appendString(Date(timeIntervalSince1970: transition.occurredAt).formatted(.iso8601), to: &out)
            out += Array(",\"source\":".utf8)
            appendString(transition.source, to: &out)
            if let reason = transition.reason {
                out += Array(",\"reason\":".utf8)
                appendString(reason, to: &out)
            }
            out += Array("}".utf8)
        }
        out += Array("]}".utf8)
    }
}
