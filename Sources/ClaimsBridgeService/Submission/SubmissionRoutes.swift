import ClaimsBridge
import ClaimsBridgeTransports
import ClaimsBridgeWatcher
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// Real-time exchanges with a carrier:
///
/// - `POST /v1/claims`: a claim, COB claim, predetermination or reversal (one model JSON object);
/// - `POST /v1/eligibility`: an eligibility request;
/// - `GET /v1/submissions/{id}`: what became of one of them.
///
/// Each request gets its missing header numbers (A02, A09) from the ledger, is checked against the carrier's rules
/// and written as CDAnet (a refusal is a 422 problem with every problem and its CDAnet code), recorded in the ledger
/// and queued in the outbox before anything is sent, then sent to the carrier's destination (`carriers:` in the
/// service file) under the outbox's lease. When the carrier answers within `submission.waitSeconds`, the answer is
/// translated, recorded against its request (the claim's state moves) and returned: 200. Otherwise 202 with the
/// submission's id: the outbox keeps trying, and `GET /v1/submissions/{id}` returns the answer once it has come.
enum SubmissionRoutes {
    static let claimTypes: Set<String> = ["claim", "cobClaim", "predetermination", "claimReversal"]
    static let eligibilityTypes: Set<String> = ["eligibilityRequest"]
    static let requestRoute = "serve:submissions"
    static let answerRoute = "serve:answers"

    static func add(to router: Router<ServiceRequestContext>, service: ServiceContext) {
        service.routes(on: router, endpoint: ServiceEndpoint.submit, expensive: true)
            .post("/v1/claims") { request, _ in try await submit(request, allowed: claimTypes, service: service) }
        service.routes(on: router, endpoint: ServiceEndpoint.eligibility, expensive: true)
            .post("/v1/eligibility") { request, _ in
                try await submit(request, allowed: eligibilityTypes, service: service)
            }
        service.routes(on: router, endpoint: ServiceEndpoint.submit)
            .get("/v1/submissions/:id") { _, context in try outcome(context: context, service: service) }
    }

    static func submit(_ request: Request, allowed: Set<String>, service: ServiceContext) async throws -> Response {
        let body = try await ServiceBody.read(
            request, accepting: MediaTypes.json, limits: service.limits, deadlines: service.bodyDeadlines)
        let object = try SubmittedMessage(body, allowed: allowed)
        let ledger = try Ledger(location: service.ledgerLocation)
        let submissions = try LedgerSubmissions(ledger: ledger, catalog: service.catalog)
        let (id, json) = try submissions.recordRequest(
            object.line, route: requestRoute, name: "submission-\(UUID().uuidString).jsonl")
        let message: [UInt8]
        do {
            message = try CDAnetWriting.write(json, catalog: service.catalog)
        } catch let refusal as RejectedRefusal {
            try submissions.markRefused(id, reason: refusal.rejected.error.reason)
            throw Problem(rejectedMessage: refusal.rejected)
        }
        let carrier = SubmittedMessage.carrierID(in: json) ?? ""
        guard let destination = service.configuration.carriers[carrier] ?? service.configuration.carriers["default"],
            let transport = service.transports[destination]
        else {
            try submissions.markRefused(id, reason: "no carrier destination is configured for carrier \(carrier)")
            throw Problem(
                BridgeError(
                    .invalidConfiguration,
                    "no destination is configured for carrier \(DiagnosticText.quoted(carrier)) (`carriers:` in the service file)",
                    at: .init(modelPath: "routing.carrierId")))
        }
        let key = "submission-\(id)"
        let delivery = try service.withOutbox { outbox in
            try outbox.enqueue(
                destination: destination, payload: message,
                metadata: [OutgoingDelivery.fileNameKey: "\(key).txt"], idempotencyKey: key)
        }
        try submissions.markQueued(id, json: json, destination: destination, idempotencyKey: key, outboxID: delivery.rawValue)
        let store = service.delivery.outboxStore
        let cipher = try service.delivery.payloadCipher()
        let retry = service.delivery.retryPolicy
        let lease = service.delivery.leaseSeconds
        // Sent in a task of its own, so that an answer that comes after the wait is still recorded by the outbox.
        let sending = Task {
            let outbox = try Outbox(store: store, retryPolicy: retry, leaseSeconds: lease, cipher: cipher)
            _ = try await outbox.deliverNow(delivery, to: destination, through: transport)
        }
        let deadline = ContinuousClock.now + .milliseconds(Int(service.configuration.submissionWaitSeconds * 1000))
        await firstOf(sending, orDeadline: deadline)
        if let answered = try answer(submission: id, delivery: delivery, service: service, ledger: ledger) {
            return answered
        }
        return pending(submission: id, delivery: delivery, service: service)
    }

    /// `GET /v1/submissions/{id}`: the answer once the outbox has it, else where it stands.
    static func outcome(context: ServiceRequestContext, service: ServiceContext) throws -> Response {
        let text = try context.parameters.require("id")
        guard let id = Int64(text), id > 0 else { throw Problem.badRequest("a submission is named by its number") }
        let ledger = try Ledger(location: service.ledgerLocation)
        guard let file = try ledger.file(id), file.route == requestRoute,
            let delivery = try ledger.deliveries(of: id).first
        else { throw Problem.notFound("no submission \(id) was made through this service") }
        let outboxID = DeliveryID(delivery.outboxID)
        if let answered = try answer(submission: id, delivery: outboxID, service: service, ledger: ledger) {
            return answered
        }
        return pending(submission: id, delivery: outboxID, service: service, status: .ok)
    }

    /// The carrier's answer as a response, once the outbox has recorded it (recorded in the ledger on the way);
    /// nil while the delivery is still pending. A delivery that gave up is a 502 problem.
    private static func answer(
        submission id: Int64, delivery: DeliveryID, service: ServiceContext, ledger: Ledger
    ) throws -> Response? {
        guard let record = try service.withOutbox({ try $0.delivery(delivery) }) else { return nil }
        switch record.state {
        case .delivered:
            guard let reply = record.receipt?.responseBody, !reply.isEmpty else {
                throw Problem(.badGateway, code: "noAnswer", "the carrier accepted submission \(id) but sent no answer")
            }
            return try answered(reply, submission: id, delivery: delivery, service: service, ledger: ledger)
        case .dead:
            throw Problem(
                .badGateway, code: "carrierUnavailable",
                "submission \(id) could not be delivered to the carrier: "
                    + BridgeError.bounded(record.lastError ?? "no reason recorded", to: 300))
        default:
            return nil
        }
    }

    private static func answered(
        _ reply: [UInt8], submission id: Int64, delivery: DeliveryID, service: ServiceContext, ledger: Ledger
    ) throws -> Response {
        var output = MemoryOutput()
        var rejected: RejectedMessage?
        var input = MemoryInput(reply)
        _ = try CDAnetReadPipeline(catalog: service.catalog, format: .json, failFast: false).run(
            input: &input, output: &output
        ) { if rejected == nil { rejected = $0 } }
        if let rejected, output.bytes.isEmpty {
            throw Problem(
                .badGateway, code: "unreadableAnswer",
                "the carrier's answer to submission \(id) cannot be read: \(rejected.error.reason)")
        }
        let answerJSON = Array(output.bytes.prefix { $0 != 0x0A })
        try LedgerSubmissions(ledger: ledger, catalog: service.catalog).recordAnswer(
            answerJSON + [0x0A], route: answerRoute, name: "answer-to-submission-\(id)")
        var out = Array("{\"submissionId\":\(id),\"deliveryId\":\(delivery.rawValue),\"state\":\"answered\"".utf8)
        let requestKey = Ledger.claimKey(requestMessageID: try requestMessageID(of: id, ledger: ledger) ?? 0)
        if let state = try ledger.trackedState(kind: .claim, key: requestKey) {
            out += Array(",\"claimStatus\":".utf8)
            TrackedStateJSON.append(state, history: try ledger.stateHistory(kind: .claim, key: requestKey), to: &out)
        }
        out += Array(",\"answer\":".utf8) + answerJSON + Array("}\n".utf8)
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: out)))
    }

    private static func requestMessageID(of submission: Int64, ledger: Ledger) throws -> Int64? {
        try ledger.messageIDs(fileID: submission).first
    }

    private static func pending(
        submission id: Int64, delivery: DeliveryID, service: ServiceContext, status: HTTPResponse.Status = .accepted
    ) -> Response {
        let state = (try? service.withOutbox { try $0.delivery(delivery) })??.state.name ?? "pending"
        let location = "/v1/submissions/\(id)"
        var out = Array("{\"submissionId\":\(id),\"deliveryId\":\(delivery.rawValue),\"state\":\"pending\",\"delivery\":".utf8)
        appendString(state, to: &out)
        out += Array(",\"status\":".utf8)
        appendString(location, to: &out)
        out += Array("}\n".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json", .location: location],
            body: .init(byteBuffer: ByteBuffer(bytes: out)))
    }
}

/// Returns when `task` has finished or `deadline` has come, whichever is first; the task goes on either way.
private func firstOf(_ task: Task<Void, any Error>, orDeadline deadline: ContinuousClock.Instant) async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let once = ResumeOnce(continuation)
        Task {
            _ = await task.result
            once.resume()
        }
        Task {
            try? await Task.sleep(until: deadline, clock: .continuous)
            once.resume()
        }
    }
}

/// Resumes a continuation the first time it is asked to, and ignores the later requests.
private final class ResumeOnce: Sendable {
    private let continuation: CheckedContinuation<Void, Never>
    private let resumed = Atomic<Bool>(false)

    init(_ continuation: CheckedContinuation<Void, Never>) { self.continuation = continuation }

    func resume() {
        if resumed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
            continuation.resume()
        }
    }
}
