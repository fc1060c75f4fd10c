public import ClaimsBridge
import Foundation
public import Logging

/// Applies a lab's status messages that arrive outside a file (an inbound webhook) to the lab orders the ledger
/// tracks: translated through the lab's status mapping, each change checked against the order's state in the
/// ledger, then applied with the ledger's rules (checked, idempotent, ordered). A message for an order the ledger
/// does not know is refused and kept in the ledger's history with the reason.
public struct LabStatusIntake {
    /// What one delivery brought.
    public struct Result {
        /// The `labOrderStatus` JSON Lines of the changes read.
        public var output: [UInt8] = []
        /// What became of each change (applied, duplicate, stale or illegal).
        public var transitions: [StateTransition] = []
        /// Messages that could not be read or were refused, with where and why.
        public var rejects: [RejectedMessage] = []
    }

    let lab: LabPartner
    let logger: Logger

    public init(lab: LabPartner, logger: Logger = Logger(label: "claimsbridge", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.lab = lab
        self.logger = logger
    }

    /// Reads `body` (the lab's status message or messages) and applies the changes to `ledger`.
    /// - Throws: ``BridgeError`` when the lab's mapping cannot be loaded, or a ledger failure.
    public func apply(_ body: [UInt8], ledger: Ledger) throws -> Result {
        var pipeline = try TreeReadPipeline(
            mapping: try TreeMapping.load(path: lab.statusMappingPath), failFast: false, showPersonalData: false,
            logger: logger)
        let states = StatesSeen(ledger: ledger)
        pipeline.modelCheck = { update throws(BridgeError) in try states.change(update) }
        var input = MemoryInput(body)
        var output = MemoryOutput()
        var result = Result()
        _ = try pipeline.run(input: &input, output: &output) { result.rejects.append($0) }
        result.output = output.bytes
        let now = Date().timeIntervalSince1970
        let updates =
            LabOrderTracking.statusChanges(output.bytes)
            + states.unknown.map {
                StateUpdate(
                    kind: .labOrder, key: $0.order, to: $0.to, source: "lab-status:\($0.order):\($0.to):\($0.timestamp)",
                    occurredAt: now, subject: ["orderId": $0.order], requiresExistingState: true)
            }
        result.transitions = try ledger.applyStateUpdates(updates)
        return result
    }
}

/// The orders' states while one delivery is read: from the ledger, then as the delivery's own changes move them.
private final class StatesSeen {
    let ledger: Ledger
    var states: [String: LabOrderState] = [:]
    var unknown: [(order: String, to: String, timestamp: String)] = []

    init(ledger: Ledger) { self.ledger = ledger }

    func change(_ update: TreeValue) throws(BridgeError) -> TreeValue {
        func text(_ key: String) throws(BridgeError) -> String {
            guard let value = update[key]?.scalarText, !value.isEmpty else {
                throw BridgeError(.missingValue, "is required and missing", at: .init(modelPath: key))
            }
            return value
        }
        let order = try text("orderId")
        let next = LabOrderState(rawValue: try text("to"))
        guard let timestamp = UTCTimestamp(try text("timestamp")) else {
            throw BridgeError(
                .invalidValue, "must be a UTC timestamp written YYYY-MM-DDTHH:MM:SSZ", at: .init(modelPath: "timestamp"))
        }
        var current = states[order]
        if current == nil, let stored = try? ledger.trackedState(kind: .labOrder, key: order) {
            current = LabOrderState(rawValue: stored.state)
        }
        guard let current else {
            unknown.append((order, next.rawValue, timestamp.description))
            throw BridgeError(
                .unknownOrder, "order \(DiagnosticText.quoted(order)) is not a lab order the ledger knows",
                at: .init(modelPath: "orderId"))
        }
        do { try current.checkTransition(to: next) } catch { throw error.located(.init(modelPath: "to")) }
        states[order] = next
        return LabOrderStatusChange(
            orderId: order, from: current, to: next, timestamp: timestamp, note: update["note"]?.scalarText
        ).treeValue
    }
}
