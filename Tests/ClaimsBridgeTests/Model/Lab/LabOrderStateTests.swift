import Testing

@testable import ClaimsBridge

/// The lab-order lifecycle: the allowed-transition table and the errors for everything else.
@Suite struct LabOrderStateTests {
    /// The table of Docs/lab-orders.md, written out independently of the code.
    static let table: [String: [String]] = [
        "draft": ["submitted", "cancelled"],
        "submitted": ["accepted", "onHold", "cancelled"],
        "accepted": ["inProduction", "onHold", "cancelled"],
        "inProduction": ["shipped", "onHold", "cancelled"],
        "shipped": ["delivered"],
        "delivered": ["remakeRequested"],
        "onHold": ["accepted", "inProduction", "cancelled"],
        "remakeRequested": ["accepted", "inProduction", "cancelled"],
        "cancelled": [],
    ]

    @Test(arguments: LabOrderState.knownValues)
    func everyPairFollowsTheTable(_ from: LabOrderState) throws {
        let allowed = try #require(Self.table[from.rawValue])
        #expect(from.allowedNext.map(\.rawValue) == allowed)
        for to in LabOrderState.knownValues {
            if allowed.contains(to.rawValue) {
                #expect(throws: Never.self) { try from.checkTransition(to: to) }
            } else {
                let error = try #require(throws: BridgeError.self) { try from.checkTransition(to: to) }
                #expect(error == BridgeError(.illegalTransition, ""))
                #expect(error.reason.contains("from \(from) to \(to)"))
                for next in allowed { #expect(error.reason.contains(next)) }
            }
        }
    }

    @Test func illegalTransitionMessageNamesBothStatesAndTheAllowedOnes() throws {
        let error = try #require(throws: BridgeError.self) { try LabOrderState.accepted.checkTransition(to: .shipped) }
        #expect(
            error.reason
                == "an order cannot go from accepted to shipped; from accepted it may go to inProduction, onHold, cancelled"
        )
        let final = try #require(throws: BridgeError.self) {
            try LabOrderState.cancelled.checkTransition(to: .accepted)
        }
        #expect(final.reason.hasSuffix("no other state (cancelled is final)"))
    }

    @Test func anUnknownStateIsNotATransition() throws {
        let error = try #require(throws: BridgeError.self) {
            try LabOrderState.submitted.checkTransition(to: LabOrderState(rawValue: "lost"))
        }
        #expect(error == BridgeError(.unknownCode, ""))
    }

    @Test func applyingRecordsTheStep() throws {
        var order = LabOrder(
            orderId: "LO-1", patient: LabPatient(chartReference: "C-1"),
            items: [LabOrderItem(kind: .crown, material: .zirconia, teeth: [ToothUnit(tooth: ToothNumber(36)!)])])
        let at = try #require(UTCTimestamp("2026-03-02T10:00:00Z"))
        let change = try order.apply(.submitted, at: at, note: "sent")
        #expect(
            change == LabOrderStatusChange(orderId: "LO-1", from: .draft, to: .submitted, timestamp: at, note: "sent"))
        #expect(order.status == .submitted)
        #expect(order.statusHistory.count == 1)
        #expect(throws: BridgeError.self) { try order.apply(.delivered, at: at) }
        #expect(order.status == .submitted)
        #expect(order.statusHistory.count == 1)
    }
}
