import ClaimsBridge
import Foundation

/// The `<name>.error.json` written next to a failed original: what went wrong, in plain words, with the message
/// number, byte offset and field of each problem. It never holds personal data or the original bytes.
struct ErrorReport {
    var fileName: String
    var route: String
    var ledgerID: Int64
    var reason: String
    var summary: TranslationSummary
    var rejects: [RejectedMessage]

    /// At most this many problems are listed one by one; the count says how many there were.
    static let listedProblems = 100

    var json: [UInt8] {
        var out: [UInt8] = Array("{\n  \"file\": ".utf8)
        JSONWriter.appendString(Array(fileName.utf8)[...], to: &out)
        out += Array(",\n  \"route\": ".utf8)
        JSONWriter.appendString(Array(route.utf8)[...], to: &out)
        out += Array(",\n  \"ledgerId\": \(ledgerID),\n  \"reason\": ".utf8)
        JSONWriter.appendString(Array(reason.utf8)[...], to: &out)
        out += Array(
            ",\n  \"messages\": \(summary.messages),\n  \"translated\": \(summary.translated),\n  \"rejected\": \(rejects.count),\n  \"problems\": ["
                .utf8)
        for (index, rejected) in rejects.prefix(Self.listedProblems).enumerated() {
            out += Array((index == 0 ? "\n    " : ",\n    ").utf8)
            out += Self.problem(rejected, fileName: fileName)
        }
        out += Array((rejects.isEmpty ? "]\n}\n" : "\n  ]\n}\n").utf8)
        return out
    }

    /// One problem as a JSON object: where, which field, why, and the sentence a clerk reads.
    static func problem(_ rejected: RejectedMessage, fileName: String) -> [UInt8] {
        var out: [UInt8] = Array("{\"messageNumber\": \(rejected.messageNumber), \"byteOffset\": ".utf8)
        out += Array("\(rejected.error.location.byteOffset ?? rejected.messageOffset)".utf8)
        if let field = rejected.error.location.fieldID {
            out += Array(", \"fieldId\": ".utf8)
            JSONWriter.appendString(Array(field.utf8)[...], to: &out)
        }
        out += Array(", \"code\": ".utf8)
        JSONWriter.appendString(Array(rejected.error.code.name.utf8)[...], to: &out)
        out += Array(", \"explanation\": ".utf8)
        JSONWriter.appendString(Array(rejected.diagnostic(inputName: fileName).utf8)[...], to: &out)
        out += Array("}".utf8)
        return out
    }
}
