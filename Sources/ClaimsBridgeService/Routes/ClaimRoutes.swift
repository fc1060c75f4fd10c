import ClaimsBridge
import ClaimsBridgeWatcher
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /v1/claims/{officeSequenceNumber}?provider=…`: the chain of messages with that office sequence number
/// (request, acknowledgement or EOB, reversal), from the ledger, as `claimsbridge status --claim` shows it; each
/// claim request carries its `claimStatus` (state and history, see `Docs/status.md`).
enum ClaimRoutes {
    static func add(to router: Router<ServiceRequestContext>, service: ServiceContext) {
        service.routes(on: router, endpoint: ServiceEndpoint.claims)
            .get("/v1/claims/:id") { request, context in try chain(request, context: context, service: service) }
    }

    static func chain(_ request: Request, context: ServiceRequestContext, service: ServiceContext) throws -> Response {
        let id = try context.parameters.require("id")
        guard !id.isEmpty, id.count <= 12, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw Problem.badRequest(
                "a claim is named by its office sequence number (A02): up to 12 letters and digits")
        }
        let provider = request.uri.queryParameters.get("provider")
        guard service.ledgerLocation.exists else {
            throw Problem.notFound("no message is recorded yet: the ledger has not been created")
        }
        let ledger = try Ledger(location: service.ledgerLocation)
        let chain = try ledger.chain(officeSequenceNumber: id, provider: provider)
        guard !chain.isEmpty else {
            throw Problem.notFound("no message with office sequence number \(id) is recorded")
        }
        var out = Array("{\"officeSequenceNumber\":".utf8)
        appendString(id, to: &out)
        out += Array(",\"messages\":[".utf8)
        for (index, entry) in chain.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            let role = entry.isRequest ? "request" : entry.requestID == nil ? "unmatched" : "answer"
            out += Array("{\"messageId\":\(entry.messageID),\"type\":".utf8)
            appendString(entry.type, to: &out)
            out += Array(",\"role\":\"\(role)\"".utf8)
            if let request = entry.requestID { out += Array(",\"answers\":\(request)".utf8) }
            out += Array(",\"recordedAt\":".utf8)
            appendString(Date(timeIntervalSince1970: entry.recordedAt).formatted(.iso8601), to: &out)
            out += Array(",\"fileId\":\(entry.fileID),\"fileName\":".utf8)
            appendString(entry.fileName, to: &out)
            out += Array(",\"messageNumber\":\(entry.messageNumber)".utf8)
            let key = Ledger.claimKey(requestMessageID: entry.messageID)
            if entry.isRequest, let state = try ledger.trackedState(kind: .claim, key: key) {
                out += Array(",\"claimStatus\":".utf8)
                TrackedStateJSON.append(state, history: try ledger.stateHistory(kind: .claim, key: key), to: &out)
            }
            out += Array("}".utf8)
        }
        out += Array("]}\n".utf8)
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: out)))
    }
}

/// Appends `text` as a JSON string.
func appendString(_ text: String, to out: inout [UInt8]) {
    JSONWriter.appendString(Array(text.utf8)[...], to: &out)
}
