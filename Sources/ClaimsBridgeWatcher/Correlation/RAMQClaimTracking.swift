import ClaimsBridge
import Foundation

/// The claim state updates RAMQ routes bring: each claim of a batch a `json → ramq` route writes is `submitted`;
/// each claim of a return (`ramq-response → json`, RAMQ's answer to a batch) moves to what RAMQ decided. A RAMQ
/// claim is keyed by its transmitter (`TRNSM`) and attestation number (`ATTES`), `ramq-18001-4005101`, and looked
/// up by its attestation number.
public enum RAMQClaimTracking {
    /// The ledger key of a RAMQ claim.
    public static func key(transmitter: String, attestation: String) -> String {
        "ramq-\(transmitter)-\(attestation)"
    }

    /// The claims of a batch as written (`DP` elements with their `TRNSM` and `ATTES`), dated `now`.
    public static func submitted(batch xml: [UInt8], at now: Double) -> [StateUpdate] {
        claimElements(in: xml).compactMap { attributes in
            guard let transmitter = attributes["TRNSM"], let attestation = attributes["ATTES"] else { return nil }
            return StateUpdate(
                kind: .claim, key: key(transmitter: transmitter, attestation: attestation), to: ClaimState.submitted.rawValue,
                source: "ramq:\(transmitter)/\(attestation):sent", occurredAt: now,
                subject: ["transmitter": transmitter, "attestation": attestation])
        }
    }

    /// What a return (model JSON Lines of `ramqBatchResponse`) says of each claim, dated by the end of the day RAMQ
    /// processed it: `paid` is adjudicated and paid at once (two transitions), `refused` rejected, `pending` pended.
    public static func returned(_ jsonLines: [UInt8]) -> [StateUpdate] {
        var updates: [StateUpdate] = []
        for line in jsonLines.split(separator: 0x0A) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                object["type"] as? String == "ramqBatchResponse", let batch = object["batch"] as? [String: Any],
                let transmitter = batch["transmitter"] as? String,
                let processed = (batch["processedDate"] as? String).flatMap(endOfDay)
            else { continue }
            for claim in object["claims"] as? [[String: Any]] ?? [] {
                guard let attestation = claim["attestation"] as? String, let status = claim["status"] as? String else {
                    continue
                }
                let states: [ClaimState] =
                    switch status {
                    case "paid": [.adjudicated, .paid]
                    case "refused": [.rejected]
                    case "pending": [.pended]
                    default: []
                    }
                for (index, state) in states.enumerated() {
                    updates.append(
                        StateUpdate(
                            kind: .claim, key: key(transmitter: transmitter, attestation: attestation), to: state.rawValue,
                            source: "ramq-return:\(transmitter)/\(attestation):\(state.rawValue):\(batch["processedDate"] ?? "")",
                            occurredAt: processed + Double(index) / 1000,
                            subject: ["transmitter": transmitter, "attestation": attestation]))
                }
            }
        }
        return updates
    }

    /// The last second of `day` (`2026-04-02`), UTC.
    private static func endOfDay(_ day: String) -> Double? {
        guard CalendarDate(day) != nil, let start = ISO8601DateFormatter().date(from: "\(day)T00:00:00Z") else {
            return nil
        }
        return start.timeIntervalSince1970 + 86_399
    }

    /// The attributes of each `<DP …>` start tag of a batch written by the RAMQ mapping (values are digits and
    /// letters, written between double quotes).
    static func claimElements(in xml: [UInt8]) -> [[String: String]] {
        let text = String(decoding: xml, as: UTF8.self)
        var found: [[String: String]] = []
        var rest = text[...]
        while let start = rest.range(of: "<DP ") {
            guard let end = rest[start.upperBound...].firstIndex(of: ">") else { break }
            var attributes: [String: String] = [:]
            var tag = rest[start.upperBound..<end]
            while let equals = tag.range(of: "=\"") {
                let name = tag[..<equals.lowerBound].split(separator: " ").last.map(String.init) ?? ""
                guard let close = tag[equals.upperBound...].firstIndex(of: "\"") else { break }
                attributes[name] = String(tag[equals.upperBound..<close])
                tag = tag[tag.index(after: close)...]
            }
            found.append(attributes)
            rest = rest[end...]
        }
        return found
    }
}
