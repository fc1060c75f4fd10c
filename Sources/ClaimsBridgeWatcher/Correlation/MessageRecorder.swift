import ClaimsBridge
import Foundation

/// Reads the model JSON Lines a file was translated from or to: the identity of each message, for correlation.
enum MessageRecorder {
    /// - Parameters:
    ///   - jsonLines: the model side of the translation.
    ///   - skippedLines: line numbers that were rejected (when the JSON side is the input).
    /// - Returns: each message's line number and identity.
    ///   - rules: which types are requests and what responses answer.
    static func identities(
        jsonLines data: [UInt8], skippedLines: Set<Int>, rules: TransactionRules
    ) -> [(number: Int, identity: MessageIdentity)] {
        var tape = JSONTape()
        var messages: [(number: Int, identity: MessageIdentity)] = []
        var lineNumber = 0
        data.withUnsafeBytes { raw in
            var start = 0
            while start < raw.count {
                var end = start
                while end < raw.count && raw[end] != 0x0A { end += 1 }
                lineNumber += 1
                if end > start && !skippedLines.contains(lineNumber),
                    let identity = MessageIdentity.read(
                        UnsafeRawBufferPointer(rebasing: raw[start..<end]), tape: &tape, rules: rules)
                {
                    messages.append((lineNumber, identity))
                }
                start = end + 1
            }
        }
        return messages
    }
}
