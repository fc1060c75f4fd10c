extension LabOrderBook {
    /// Turns a status update read by a lab's status mapping (`orderId`, `to`, `timestamp`, `note`) into the
    /// `labOrderStatus` transition of the known order, filling in `from`, and moves the order on.
    /// - Throws: ``BridgeError`` with the model path: a missing value, an unknown order, an illegal
    ///   transition.
    package func applyUpdate(_ update: TreeValue) throws(BridgeError) -> TreeValue {
        func text(_ key: String) throws(BridgeError) -> String {
            guard let value = update[key]?.scalarText, !value.isEmpty else {
                throw BridgeError(.missingValue, "is required and missing", at: .init(modelPath: key))
            }
            return value
        }
        let orderId = try text("orderId")
        let state = LabOrderState(rawValue: try text("to"))
        guard let timestamp = UTCTimestamp(try text("timestamp")) else {
            throw BridgeError(
                .invalidValue, "must be a UTC timestamp written YYYY-MM-DDTHH:MM:SSZ", at: .init(modelPath: "timestamp")
            )
        }
        let note = update["note"]?.scalarText
        let change = try apply(orderId: orderId, to: state, at: timestamp, note: note)
        return change.treeValue
    }
}

extension LabOrderStatusChange {
    /// The JSON form, keys in the documented order.
    package var treeValue: TreeValue {
        var members: [TreeValue.Member] = [
            .init("schemaVersion", .number("1")), .init("type", .string(Self.typeName)),
            .init("orderId", .string(orderId)), .init("from", .string(from.rawValue)),
            .init("to", .string(to.rawValue)), .init("timestamp", .string(timestamp.description)),
        ]
        if let note { members.append(.init("note", .string(note))) }
        return .object(members)
    }
}
