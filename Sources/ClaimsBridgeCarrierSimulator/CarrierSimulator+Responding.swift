import ClaimsBridge
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The connection is closed on purpose, in the middle of a reply.
struct SimulatedDrop: Error {}

extension CarrierSimulator {
    func respond(to request: Request) async throws -> Response {
        let contentType = request.headers[.contentType] ?? "application/octet-stream"
        let isJSON = contentType.lowercased().hasPrefix("application/json")
        let body = Array((try await request.body.collect(upTo: bodyLimit)).readableBytesView)
        let message: [UInt8]
        if isJSON {
            guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
                let text = object[messageField] as? String, let data = Data(base64Encoded: text)
            else {
                logger.info("refused a request: not the base64-JSON envelope", metadata: ["bytes": "\(body.count)"])
                return Response(
                    status: .badRequest, headers: [.contentType: "text/plain"],
                    body: .init(byteBuffer: ByteBuffer(string: "expected {\"\(messageField)\": \"<base64>\"}\n")))
            }
            message = Array(data)
        } else {
            message = body
        }
        let read = try? codec.read(message)
        let plan = read.flatMap { responder.plan(for: $0.message) }
        let named = request.headers[HTTPField.Name(Self.behaviourHeader)!].flatMap {
            SimulatedBehaviour(rawValue: $0.lowercased())
        }
        let behaviour = named ?? plan?.behaviour ?? responder.table.behaviour ?? .normal
        var metadata: Logger.Metadata = [
            "request": "\(read == nil ? "unreadable" : String(decoding: message[20..<22], as: UTF8.self))",
            "behaviour": "\(behaviour.rawValue)",
        ]
        if behaviour == .fail {
            logger.info("answered HTTP 503", metadata: metadata)
            return Response(status: .serviceUnavailable)
        }
        if behaviour == .slow {
            let delay = request.headers[HTTPField.Name(Self.delayHeader)!].flatMap(Double.init)
                ?? plan?.delaySeconds ?? responder.table.delaySeconds ?? 5
            try await Task.sleep(nanoseconds: UInt64(max(0, delay) * 1e9))
        }
        let answer = read.map { responder.answer($0.message, problems: $0.problems) }
            ?? responder.answerUnreadable(message)
        var reply: [UInt8]
        do {
            reply = try codec.write(answer)
        } catch {
            // A reply the writer refuses is a defect of the simulator: say where, never what.
            logger.error("cannot write the reply", metadata: ["error": "\(error)"])
            return Response(
                status: .internalServerError, headers: [.contentType: "text/plain"],
                body: .init(byteBuffer: ByteBuffer(string: "cannot write the reply: \(error)\n")))
        }
        if behaviour == .garbage { reply = Array("GARBAGE \u{7}\u{0} this is not a CDAnet reply".utf8) }
        let payload: [UInt8]
        if isJSON {
            payload = Array(try JSONSerialization.data(withJSONObject: [messageField: Data(reply).base64EncodedString()]))
        } else {
            payload = reply
        }
        metadata["reply"] = "\(String(decoding: reply[20..<22], as: UTF8.self))"
        if behaviour == .drop {
            logger.info("dropped the connection mid-reply", metadata: metadata)
            return Response(
                status: .ok, headers: [.contentType: contentType],
                body: ResponseBody(contentLength: payload.count) { writer in
                    try await writer.write(ByteBuffer(bytes: payload.prefix(payload.count / 2)))
                    throw SimulatedDrop()
                })
        }
        logger.info("answered", metadata: metadata)
        return Response(
            status: .ok, headers: [.contentType: isJSON ? "application/json" : contentType],
            body: .init(byteBuffer: ByteBuffer(bytes: payload)))
    }
}
