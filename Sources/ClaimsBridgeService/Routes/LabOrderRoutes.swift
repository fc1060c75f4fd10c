import ClaimsBridge
import ClaimsBridgeTransports
import ClaimsBridgeWatcher
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `POST /v1/lab-orders?lab=NAME`: one lab order (model JSON, `type: labOrder`) translated to the lab's
/// format and queued in the outbox for the lab's destination (the service file's `labs:`), keyed by its
/// `orderId`, so that sending it again queues nothing new. 202 with where to follow it.
///
/// `GET /v1/lab-orders/{orderId}/status`: the order's delivery history as the outbox keeps it (queued, then
/// delivered, retrying or given up, with the attempts), and `labStatus`: the order's state and history in the
/// ledger (submitted here, then what the lab reported through `lab:NAME-status` routes or its webhook).
enum LabOrderRoutes {
    static func add(to router: Router<ServiceRequestContext>, service: ServiceContext) {
        let group = service.routes(on: router, endpoint: ServiceEndpoint.labOrders, expensive: true)
        group.post("/v1/lab-orders") { request, _ in try await submit(request, service: service) }
        group.get("/v1/lab-orders/:id/status") { _, context in try status(context: context, service: service) }
    }

    static func submit(_ request: Request, service: ServiceContext) async throws -> Response {
        let lab = try chosenLab(request, service: service)
        let body = try await ServiceBody.read(
            request, accepting: MediaTypes.json, limits: service.limits, deadlines: service.bodyDeadlines)
        let orderID = try Self.orderID(in: body)
        guard let translation = TranslationRegistry.find(from: "lab-order", to: "lab:\(lab)") else {
            throw Problem.badRequest("there is no lab named \(lab)")
        }
        var rejected: RejectedMessage?
        var output = MemoryOutput()
        let fileExtension = try service.translations.withTranslation(translation) { prepared in
            var input = MemoryInput(body)
            _ = try prepared.run(input: &input, output: &output) { if rejected == nil { rejected = $0 } }
            return prepared.outputExtension
        }
        if let rejected { throw Problem(rejectedMessage: rejected) }
        _ = try Ledger(location: service.ledgerLocation).applyStateUpdates(
            LabOrderTracking.submitted(orders: body, at: Date().timeIntervalSince1970))
        let destination = service.configuration.labs[lab]!
        let key = "lab-order-" + orderID
        let (id, state) = try service.withOutbox { outbox in
            do {
                let id = try outbox.enqueue(
                    destination: destination, payload: output.bytes,
                    metadata: [OutgoingDelivery.fileNameKey: "\(orderID).\(fileExtension)"], idempotencyKey: key)
                return (id, try outbox.delivery(id)?.state ?? .pending)
            } catch let error as OutboxError where error.code == .keyConflict {
                throw Problem(
                    .conflict, code: "keyConflict",
                    "order \(orderID) was already sent to lab \(lab) with other content; give the changed order a new orderId"
                )
            }
        }
        var out = Array("{\"orderId\":".utf8)
        appendString(orderID, to: &out)
        out += Array(",\"lab\":".utf8)
        appendString(lab, to: &out)
        out += Array(",\"destination\":".utf8)
        appendString(destination, to: &out)
        out += Array(",\"deliveryId\":\(id.rawValue),\"state\":\"\(state.name)\",\"status\":".utf8)
        let statusPath = "/v1/lab-orders/\(orderID)/status"
        appendString(statusPath, to: &out)
        out += Array("}\n".utf8)
        return Response(
            status: .accepted, headers: [.contentType: "application/json", .location: statusPath],
            body: .init(byteBuffer: ByteBuffer(bytes: out)))
    }

    static func status(context: ServiceRequestContext, service: ServiceContext) throws -> Response {
        let orderID = try context.parameters.require("id")
        guard OutgoingDelivery.isValidKey("lab-order-" + orderID) else {
            throw Problem.badRequest("an order ID uses letters, digits, `.`, `_` and `-` only")
        }
        for (lab, destination) in service.configuration.labs.sorted(by: { $0.key < $1.key }) {
            let found = try service.withOutbox {
                try $0.delivery(destination: destination, idempotencyKey: "lab-order-" + orderID)
            }
            guard let record = found else { continue }
            var body = statusJSON(record, orderID: orderID, lab: lab)
            let ledger = try Ledger(location: service.ledgerLocation)
            if let state = try ledger.trackedState(kind: .labOrder, key: orderID) {
                var status = Array(",\"labStatus\":".utf8)
                TrackedStateJSON.append(state, history: try ledger.stateHistory(kind: .labOrder, key: orderID), to: &status)
                body.insert(contentsOf: status, at: body.count - 2)
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        throw Problem.notFound("no lab order \(orderID) was sent through this service")
    }

    private static func statusJSON(_ record: DeliveryRecord, orderID: String, lab: String) -> [UInt8] {
        func time(_ date: Date) -> String { date.formatted(.iso8601) }
        var out = Array("{\"orderId\":".utf8)
        appendString(orderID, to: &out)
        out += Array(",\"lab\":".utf8)
        appendString(lab, to: &out)
        out += Array(",\"destination\":".utf8)
        appendString(record.destination, to: &out)
        out += Array(
            ",\"deliveryId\":\(record.id.rawValue),\"state\":\"\(record.state.name)\",\"attempts\":\(record.attempts)"
                .utf8)
        out += Array(",\"history\":[{\"state\":\"queued\",\"at\":".utf8)
        appendString(time(record.createdAt), to: &out)
        out += Array("}".utf8)
        if record.state != .pending || record.attempts > 0 {
            let shown = record.state == .pending ? "retrying" : record.state.name
            out += Array(",{\"state\":\"\(shown)\",\"at\":".utf8)
            appendString(time(record.updatedAt), to: &out)
            if let error = record.lastError {
                out += Array(",\"error\":".utf8)
                appendString(BridgeError.bounded(error, to: 300), to: &out)
            }
            out += Array("}".utf8)
        }
        out += Array("]}\n".utf8)
        return out
    }

    private static func chosenLab(_ request: Request, service: ServiceContext) throws -> String {
        let labs = service.configuration.labs
        if let lab = request.uri.queryParameters.get("lab") {
            guard labs[String(lab)] != nil else {
                throw Problem.badRequest(
                    "lab \(lab) is not configured; the labs are: \(labs.keys.sorted().joined(separator: ", "))")
            }
            return String(lab)
        }
        guard labs.count == 1, let only = labs.keys.first else {
            throw Problem.badRequest(
                labs.isEmpty
                    ? "no lab is configured: add `labs:` to the service file"
                    : "name the lab with ?lab=…; the labs are: \(labs.keys.sorted().joined(separator: ", "))")
        }
        return only
    }

    /// The order's `orderId`, which keys its delivery; the body must hold exactly one order.
    private static func orderID(in body: [UInt8]) throws -> String {
        let lines = body.split(separator: 0x0A).filter { line in line.contains { $0 > 0x20 } }
        guard lines.count == 1 else {
            throw Problem(
                BridgeError(.invalidJSON, "send one lab order per request; this body has \(lines.count)"))
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(lines[0])) as? [String: Any] else {
            throw Problem(BridgeError(.invalidJSON, "the body is not a JSON object (a labOrder)", at: .init(line: 1)))
        }
        guard let id = object["orderId"] as? String, !id.isEmpty else {
            throw Problem(
                BridgeError(.missingValue, "the order has no orderId", at: .init(line: 1, modelPath: "orderId")))
        }
        guard OutgoingDelivery.isValidKey("lab-order-" + id) else {
            throw Problem(
                BridgeError(
                    .wrongValueType, "the orderId may use letters, digits, `.`, `_` and `-` only (up to 190)",
                    at: .init(line: 1, modelPath: "orderId")))
        }
        return id
    }
}
