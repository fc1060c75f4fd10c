import ClaimsBridge
import Foundation

/// The one model message of a submission request, checked for its type before anything is recorded.
struct SubmittedMessage {
    /// The message as one JSON line (with a final newline).
    let line: [UInt8]
    let type: String

    init(_ body: [UInt8], allowed: Set<String>) throws {
        let lines = body.split(separator: 0x0A).filter { line in line.contains { $0 > 0x20 } }
        guard lines.count == 1 else {
            throw Problem(BridgeError(.invalidJSON, "send one message per request; this body has \(lines.count)"))
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(lines[0])) as? [String: Any] else {
            throw Problem(BridgeError(.invalidJSON, "the body is not a JSON object (a model message)", at: .init(line: 1)))
        }
        guard let type = object["type"] as? String, allowed.contains(type) else {
            throw Problem(
                BridgeError(
                    .unknownModelType,
                    "this endpoint takes \(allowed.sorted().joined(separator: ", ")) messages",
                    at: .init(line: 1, modelPath: "type")))
        }
        self.type = type
        line = Array(lines[0]) + [0x0A]
    }

    /// `routing.carrierId` (A05) of a model message.
    static func carrierID(in json: [UInt8]) -> String? {
        let object = try? JSONSerialization.jsonObject(with: Data(json.prefix { $0 != 0x0A })) as? [String: Any]
        return (object?["routing"] as? [String: Any])?["carrierId"] as? String
    }
}

/// A message the CDAnet writer refused, with its problems.
struct RejectedRefusal: Error {
    let rejected: RejectedMessage
}

/// Model JSON to CDAnet bytes for one message, with the carrier's rules.
enum CDAnetWriting {
    /// - Throws: ``RejectedRefusal`` when the message is refused.
    static func write(_ json: [UInt8], catalog: CDAnetCatalog) throws -> [UInt8] {
        var input = MemoryInput(json)
        var output = MemoryOutput()
        var rejected: RejectedMessage?
        _ = try ModelWritePipeline(catalog: catalog, failFast: false).run(input: &input, output: &output) {
            if rejected == nil { rejected = $0 }
        }
        if let rejected { throw RejectedRefusal(rejected: rejected) }
        return output.bytes
    }
}
