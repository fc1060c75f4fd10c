import ClaimsBridge
import Synchronization

/// What the simulated carrier remembers between requests, in memory: each member's use of their plan, the claims
/// it paid (for reversals), the answers waiting in each office's mailbox, and its reference counter.
final class CarrierBook: Sendable {
    struct PaidClaim: Sendable {
        var member: String
        var officeSequenceNumber: String
        var usage: MemberUsage
        var serviceAmount: Money
        var reversed = false
    }

    private struct State {
        var usage: [String: MemberUsage] = [:]
        var paid: [String: PaidClaim] = [:]
        var mailboxes: [String: [ModelMessage]] = [:]
        var counter = 0
    }

    private let state = Mutex(State())

    /// A new carrier reference [G01]: `SIM` and a running number, 14 characters.
    func nextReference() -> String {
        state.withLock { state in
            state.counter += 1
            let digits = String(state.counter)
            return "SIM" + String(repeating: "0", count: max(0, 11 - digits.count)) + digits
        }
    }

    func usage(of member: String) -> MemberUsage {
        state.withLock { $0.usage[member] ?? MemberUsage() }
    }

    /// Records a paid claim under its reference and adds it to the member's usage.
    func recordPaid(reference: String, claim: PaidClaim) {
        state.withLock { state in
            state.paid[reference] = claim
            var usage = state.usage[claim.member] ?? MemberUsage()
            usage.deductibleUsed = usage.deductibleUsed + claim.usage.deductibleUsed
            usage.benefitsPaid = usage.benefitsPaid + claim.usage.benefitsPaid
            state.usage[claim.member] = usage
        }
    }

    /// Reverses the claim paid under `reference`, giving its deductible and benefits back to the member.
    /// - Returns: the claim, or nil when no claim has that reference, it was already reversed, or its office
    ///   sequence number is not `officeSequenceNumber` (a reversal repeats the claim's A02).
    func reverse(reference: String, officeSequenceNumber: String) -> PaidClaim? {
        state.withLock { state in
            guard var claim = state.paid[reference], !claim.reversed,
                claim.officeSequenceNumber == officeSequenceNumber
            else { return nil }
            claim.reversed = true
            state.paid[reference] = claim
            var usage = state.usage[claim.member] ?? MemberUsage()
            usage.deductibleUsed = max(.zero, usage.deductibleUsed - claim.usage.deductibleUsed)
            usage.benefitsPaid = max(.zero, usage.benefitsPaid - claim.usage.benefitsPaid)
            state.usage[claim.member] = usage
            return claim
        }
    }

    /// Keeps an answer for the office's mailbox.
    func pend(_ message: ModelMessage, for office: String) {
        state.withLock { $0.mailboxes[office, default: []].append(message) }
    }

    /// Takes the oldest answer waiting for the office, and says whether more are waiting.
    func takeFromMailbox(of office: String) -> (message: ModelMessage?, moreWaiting: Bool) {
        state.withLock { state in
            guard var box = state.mailboxes[office], !box.isEmpty else { return (nil, false) }
            let first = box.removeFirst()
            state.mailboxes[office] = box
            return (first, !box.isEmpty)
        }
    }

    /// Whether answers are waiting for the office.
    func hasMail(for office: String) -> Bool {
        state.withLock { !($0.mailboxes[office] ?? []).isEmpty }
    }
}
