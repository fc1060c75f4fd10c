import Foundation

/// The orders a practice has sent, by order id, with their current status: what lab status updates are
/// checked against.
///
/// Loaded from a JSON Lines file of `labOrder` objects (`--orders FILE`), one per line, each with its current
/// `status` (absent: `draft`) and optionally its `statusHistory`. Applying an update moves the order on, so a
/// file of updates is checked as a sequence: `accepted` then `inProduction` then `shipped`.
public final class LabOrderBook {
    /// The file the orders came from, for messages.
    public let source: String
    private var orders: [String: LabOrder]

    /// Orders from model values.
    /// - Throws: ``BridgeError`` (`invalidConfiguration`) when two orders have the same id.
    public init(orders: [LabOrder], source: String = "orders") throws(BridgeError) {
        self.source = source
        self.orders = [:]
        for order in orders {
            guard self.orders.updateValue(order, forKey: order.orderId) == nil else {
                throw BridgeError(
                    .invalidConfiguration, "order \(order.orderId) is listed twice", at: .init(file: source))
            }
        }
    }

    /// Reads the orders of a JSON Lines file; blank lines are skipped.
    /// - Throws: ``BridgeError`` (`invalidConfiguration`) with `file:line` and the model path of the first
    ///   order that cannot be read or breaks a model rule.
    public convenience init(path: String) throws(BridgeError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BridgeError(.invalidConfiguration, "cannot read the orders file \(path)")
        }
        var orders: [LabOrder] = []
        for (index, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let bytes = Array(line).filter { $0 != 0x0D }
            guard bytes.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { continue }
            do {
                orders.append(try LabOrder(json: bytes))
            } catch {
                var located = error
                located.location.file = path
                located.location.line = index + 1
                throw BridgeError(.invalidConfiguration, error.reason, at: located.location)
            }
        }
        do { try self.init(orders: orders, source: path) } catch {
            throw error.located(.init(file: path))
        }
    }

    /// The order with this id, as it stands now.
    public func order(_ orderId: String) -> LabOrder? { orders[orderId] }

    /// Moves an order to `state`, recording the step.
    /// - Throws: ``BridgeError``: `unknownOrder` when the id is not in the book; `illegalTransition` naming
    ///   both states and the allowed next states; `invalidDate` when the timestamp is earlier than the
    ///   order's last status change.
    public func apply(
        orderId: String, to state: LabOrderState, at timestamp: UTCTimestamp, note: String? = nil
    ) throws(BridgeError) -> LabOrderStatusChange {
        guard var order = orders[orderId] else {
            throw BridgeError(
                .unknownOrder, "order \(DiagnosticText.quoted(orderId)) is not among the known orders (\(source))",
                at: .init(modelPath: "orderId"))
        }
        if let last = order.statusHistory.last?.timestamp, timestamp < last {
            throw BridgeError(
                .invalidDate, "is earlier than the order's last status change (\(last))",
                at: .init(modelPath: "timestamp"))
        }
        let change: LabOrderStatusChange
        do { change = try order.apply(state, at: timestamp, note: note) } catch {
            throw error.located(.init(modelPath: "to"))
        }
        orders[orderId] = order
        return change
    }
}

/// A book is used by one translation at a time; it is not shared between tasks.
@available(*, unavailable)
extension LabOrderBook: Sendable {}
