import ClaimsBridge
import ClaimsBridgeCarrierSimulator
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
import Foundation
import Testing

/// The simulator on loopback, answered through the carrier transport (libcurl), for each transaction.
@Suite("Carrier simulator through the carrier transport")
struct SimulatorExchangeTests {
    static let plans = """
        carrierId: "000125"
        plans:
          - policy: GRP4471
            members: [TR8830021]
            deductible: "25.00"
            annualMaximum: "60.00"
            coverage: {"0": 100, "1": 90, "2": 80}
          - policy: GRP5520ADM
            deductible: "0.00"
            annualMaximum: "2500.00"
            coverage: {"0": 100, "2": 80, "27": 60, "6": 60}
            reply: pend
          - policy: OTT20011
            deductible: "0.00"
            annualMaximum: "1000.00"
            coverage: {"0": 100, "1": 80, "8": 50}
        """

    func simulator() throws -> CarrierSimulator {
        CarrierSimulator(table: try PlanTable.parse(yaml: Self.plans), catalog: Fixtures.catalog)
    }

    func carrier(_ port: Int, envelope: CarrierEnvelope = .rawDefault, timeout: Double = 20) throws -> CarrierTransport {
        try CarrierTransport(url: "http://127.0.0.1:\(port)/cdanet", envelope: envelope, replyTimeoutSeconds: timeout)
    }

    func model(_ reply: CarrierReply) throws -> ModelMessage {
        try ModelCodec(catalog: Fixtures.catalog).read(reply.message).message
    }

    @Test("A claim gets an EOB computed from the plan: deductible, percentage, annual maximum; A02 echoed")
    func claimEOB() async throws {
        try await simulator().withRunning { port in
            let carrier = try carrier(port)
            let claim = try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")
            let first = try await carrier.exchange(claim)
            #expect(first.transactionCode == "21")
            guard case .explanationOfBenefits(let eob) = try model(first) else { Issue.record("not an EOB"); return }
            #expect(eob.routing.officeSequenceNumber == "000101" && eob.routing.carrierId == "000125")
            #expect(eob.procedures.first?.deductible == Money("25.00"))
            #expect(eob.procedures.first?.percentage == 100)
            #expect(eob.totals.benefitAmount == Money("23.50"))  // 48.50 - 25.00 deductible
            // The second claim: no deductible left, 48.50 at 100 %, capped by the 60.00 maximum (36.50 left).
            let second = try model(try await carrier.exchange(claim))
            guard case .explanationOfBenefits(let again) = second else { Issue.record("not an EOB"); return }
            #expect(again.totals.benefitAmount == Money("36.50"))
        }
    }

    @Test("The base64-JSON envelope carries the same exchange")
    func jsonEnvelope() async throws {
        try await simulator().withRunning { port in
            let reply = try await carrier(port, envelope: .base64JSONDefault).exchange(
                try Fixtures.bytes("cdanet/v04/08-eligibility.txt"))
            #expect(reply.transactionCode == "18")
            guard case .eligibilityResponse(let answer) = try model(reply) else { Issue.record("not 18"); return }
            #expect(answer.status == .eligible && answer.routing.officeSequenceNumber == "000140")
        }
    }

    @Test("Unknown policy and uncovered patient are rejected with CDAnet error codes")
    func rejections() async throws {
        var table = try PlanTable.parse(yaml: Self.plans)
        table.plans[0].members = ["SOMEONEELSE"]
        let simulator = CarrierSimulator(table: table, catalog: Fixtures.catalog)
        try await simulator.withRunning { port in
            let carrier = try carrier(port)
            let notCovered = try model(try await carrier.exchange(try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")))
            guard case .claimAcknowledgement(let ack) = notCovered else { Issue.record("not 11"); return }
            #expect(ack.status == .rejected && ack.errors.map(\.code) == ["149"])
            let eligibility = try model(try await carrier.exchange(try Fixtures.bytes("cdanet/v04/08-eligibility.txt")))
            guard case .eligibilityResponse(let answer) = eligibility else { Issue.record("not 18"); return }
            #expect(answer.status == .rejected && answer.errors.map(\.code) == ["149"])
        }
        var unknown = try PlanTable.parse(yaml: Self.plans)
        unknown.plans.removeFirst()
        try await CarrierSimulator(table: unknown, catalog: Fixtures.catalog).withRunning { port in
            let reply = try model(try await carrier(port).exchange(try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")))
            guard case .claimAcknowledgement(let ack) = reply else { Issue.record("not 11"); return }
            #expect(ack.errors.map(\.code) == ["009"])
        }
    }

    @Test("Predetermination 03 gets 23; COB claim 07 gets 21; unreadable bytes get 11 with 997")
    func predeterminationAndCOB() async throws {
        try await simulator().withRunning { port in
            let carrier = try carrier(port)
            let predetermination = try await carrier.exchange(try Fixtures.bytes("cdanet/v04/03-predetermination.txt"))
            #expect(predetermination.transactionCode == "23")
            let cob = try await carrier.exchange(try Fixtures.bytes("cdanet/v04/07-cob-claim.txt"))
            #expect(cob.transactionCode == "21")
            let unreadable = try await carrier.exchange(Array(repeating: UInt8(ascii: "x"), count: 80))
            guard case .claimAcknowledgement(let ack) = try model(unreadable) else { Issue.record("not 11"); return }
            #expect(ack.errors.map(\.code) == ["997"])
        }
    }

    @Test("A claim then its reversal (02 → 12); a second reversal is refused with 046")
    func reversal() async throws {
        try await simulator().withRunning { port in
            let carrier = try carrier(port)
            let paid = try model(try await carrier.exchange(try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")))
            guard case .explanationOfBenefits(let eob) = paid else { Issue.record("not 21"); return }
            var reversal = try ModelCodec(catalog: Fixtures.catalog).read(
                try Fixtures.bytes("cdanet/v04/02-claim-reversal.txt")
            ).message
            guard case .claimReversal(var request) = reversal else { Issue.record("not 02"); return }
            request.originalTransactionReference = eob.transactionReference
            reversal = .claimReversal(request)
            let bytes = try ModelCodec(catalog: Fixtures.catalog).write(reversal)
            let first = try await carrier.exchange(bytes)
            #expect(first.transactionCode == "12")
            guard case .claimReversalResponse(let accepted) = try model(first) else { Issue.record("not 12"); return }
            #expect(accepted.status == .accepted)
            guard case .claimReversalResponse(let refused) = try model(try await carrier.exchange(bytes)) else {
                Issue.record("not 12")
                return
            }
            #expect(refused.status == .rejected && refused.errors.map(\.code) == ["046"])
        }
    }

    @Test("A pended claim: 11 'reply later' with the mailbox flag, then 04 gives the EOB, then 14")
    func mailbox() async throws {
        try await simulator().withRunning { port in
            let carrier = try carrier(port)
            let held = try model(try await carrier.exchange(try Fixtures.bytes("cdanet/v04/01-claim-maximal.txt")))
            guard case .claimAcknowledgement(let ack) = held else { Issue.record("not 11"); return }
            #expect(ack.status == .heldReplyLater && ack.routing.mailbox == .itemsWaiting)
            let rot = try Fixtures.bytes("cdanet/v04/04-outstanding-transactions.txt")
            let pended = try await carrier.exchange(rot)
            #expect(pended.transactionCode == "21")
            guard case .explanationOfBenefits(let eob) = try model(pended) else { Issue.record("not 21"); return }
            #expect(eob.routing.officeSequenceNumber == "000102" && eob.routing.mailbox == .empty)
            let empty = try model(try await carrier.exchange(rot))
            guard case .outstandingTransactionsAcknowledgement(let none) = empty else { Issue.record("not 14"); return }
            #expect(none.status == .noMoreResponses)
        }
    }

    @Test("Slow, fail, drop and garbage modes, chosen per request header, give precise transport errors")
    func behaviours() async throws {
        try await simulator().withRunning { port in
            let claim = try Fixtures.bytes("cdanet/v04/08-eligibility.txt")
            func failure(_ header: [String], timeout: Double = 20) async -> TransportError? {
                do {
                    _ = try await carrier(port, timeout: timeout).exchange(claim, extraHeaders: header)
                    return nil
                } catch let error as TransportError {
                    return error
                } catch {
                    return nil
                }
            }
            let slow = ["X-Simulator-Behaviour: slow", "X-Simulator-Delay-Seconds: 3"]
            let timedOut = await failure(slow, timeout: 0.5)
            #expect(timedOut?.code == .timedOut)
            #expect(timedOut?.reason.contains("did not answer within 0.5 s") == true)
            let started = Date()
            #expect(await failure(["X-Simulator-Behaviour: slow", "X-Simulator-Delay-Seconds: 0.3"]) == nil)
            #expect(Date().timeIntervalSince(started) >= 0.3)
            let failed = await failure(["X-Simulator-Behaviour: fail"])
            #expect(failed?.code == .serverError && failed?.statusCode == 503)
            #expect(await failure(["X-Simulator-Behaviour: drop"])?.code == .connectionDropped)
            let garbage = await failure(["X-Simulator-Behaviour: garbage"])
            #expect(garbage?.code == .invalidReply)
            #expect(garbage?.isRetryable == false)
        }
    }

    @Test("A refused connection says so")
    func refused() async throws {
        let port = try await simulator().withRunning { $0 }  // stopped: nothing listens there now
        let carrier = try carrier(port)
        let eligibility = try Fixtures.bytes("cdanet/v04/08-eligibility.txt")
        do {
            _ = try await carrier.exchange(eligibility)
            Issue.record("no error")
        } catch {
            #expect(error.code == .connectionFailed)
            #expect(error.reason.contains("refused the connection"))
        }
    }
}

extension SimulatorExchangeTests {
    @Test("A reply longer than the limit is refused, not truncated")
    func tooLong() async throws {
        try await simulator().withRunning { port in
            let carrier = try CarrierTransport(url: "http://127.0.0.1:\(port)/cdanet", replyLimit: 50)
            let eligibility = try Fixtures.bytes("cdanet/v04/08-eligibility.txt")
            do {
                _ = try await carrier.exchange(eligibility)
                Issue.record("a 143-byte reply passed a 50-byte limit")
            } catch {
                let failure = error as? TransportError
                #expect(failure?.code == .invalidReply && failure?.reason.contains("longer than 50 bytes") == true)
            }
        }
    }
}
