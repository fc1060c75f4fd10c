import ClaimsBridge
import Foundation

/// The lab-order state updates a lab route's file brings: orders sent to a lab are `submitted`; a lab's status
/// messages move their orders (see ``Ledger/applyStateUpdate(_:)``).
public enum LabOrderTracking {
    /// Orders (model JSON Lines of `labOrder`) sent to a lab, leaving out the lines that were rejected. Each is
    /// dated by its `dates.sent` (the start of that day, UTC), or `now` when it has none, so that the lab's
    /// own timestamps order the updates that follow.
    public static func submitted(orders jsonLines: [UInt8], skippedLines: Set<Int> = [], at now: Double) -> [StateUpdate] {
        let formatter = ISO8601DateFormatter()
        return objects(in: jsonLines, skipping: skippedLines).compactMap { tape in
            guard tape.stringMember(tape.root, "type") == "labOrder",
                let order = tape.stringMember(tape.root, "orderId"), !order.isEmpty
            else { return nil }
            let sent = tape.member(tape.root, "dates").flatMap { tape.stringMember($0, "sent") }
                .flatMap { CalendarDate($0) }.flatMap { formatter.date(from: "\($0)T00:00:00Z") }
            return StateUpdate(
                kind: .labOrder, key: order, to: LabOrderState.submitted.rawValue, source: "lab-order:\(order):sent",
                occurredAt: sent?.timeIntervalSince1970 ?? now, subject: ["orderId": order])
        }
    }

    /// A lab's status changes (model JSON Lines of `labOrderStatus`), each dated by the lab's timestamp.
    static func statusChanges(_ jsonLines: [UInt8]) -> [StateUpdate] {
        let formatter = ISO8601DateFormatter()
        return objects(in: jsonLines, skipping: []).compactMap { tape in
            guard tape.stringMember(tape.root, "type") == LabOrderStatusChange.typeName,
                let order = tape.stringMember(tape.root, "orderId"), let to = tape.stringMember(tape.root, "to"),
                let stamp = tape.stringMember(tape.root, "timestamp"), let timestamp = UTCTimestamp(stamp),
                let date = formatter.date(from: timestamp.description)
            else { return nil }
            return StateUpdate(
                kind: .labOrder, key: order, to: to, source: "lab-status:\(order):\(to):\(timestamp)",
                occurredAt: date.timeIntervalSince1970, subject: ["orderId": order])
        }
    }

    private static func objects(in data: [UInt8], skipping skipped: Set<Int>) -> [JSONTape] {
        var found: [JSONTape] = []
        var lineNumber = 0
        data.withUnsafeBytes { raw in
            var start = 0
            while start < raw.count {
                var end = start
                while end < raw.count && raw[end] != 0x0A { end += 1 }
                lineNumber += 1
                if end > start && !skipped.contains(lineNumber) {
                    var tape = JSONTape()
                    if (try? tape.parse(UnsafeRawBufferPointer(rebasing: raw[start..<end]))) != nil,
                        tape.kind(tape.root) == .object
                    {
                        found.append(tape)
                    }
                }
                start = end + 1
            }
        }
        return found
    }
}
