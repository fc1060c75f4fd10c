import ClaimsBridgeTestSupport
import Foundation
import Yams

/// Docs/openapi.yaml, read once, and a check of a reply against it: the operation exists, the status is one
/// it lists, the media type is one that status lists, and a JSON body has the required members of its schema
/// (a problem's `status` also equals the reply's).
struct OpenAPIContract: @unchecked Sendable {
    static let shared: OpenAPIContract = {
        let text = try! String(contentsOf: Fixtures.root.appendingPathComponent("Docs/openapi.yaml"), encoding: .utf8)
        return OpenAPIContract(document: try! Yams.load(yaml: text) as! [String: Any])
    }()

    let document: [String: Any]

    private func resolve(_ node: Any?) -> [String: Any]? {
        guard var object = node as? [String: Any] else { return nil }
        while let reference = object["$ref"] as? String {
            var target: Any? = document
            for part in reference.dropFirst(2).split(separator: "/") {
                target = (target as? [String: Any])?[String(part)]
            }
            guard let next = target as? [String: Any] else { return nil }
            object = next
        }
        return object
    }

    /// The path template of the document that `path` (without its query) matches.
    func template(for path: String) -> String? {
        let bare = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        let parts = bare.split(separator: "/", omittingEmptySubsequences: false)
        let paths = (document["paths"] as? [String: Any]) ?? [:]
        return paths.keys.first { template in
            let pattern = template.split(separator: "/", omittingEmptySubsequences: false)
            return pattern.count == parts.count
                && zip(pattern, parts).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
    }

    /// What in `reply` breaks the contract; empty when nothing does.
    func problems(with reply: HTTPReply, method: String, path: String) throws -> [String] {
        guard let template = template(for: path) else {
            return reply.status == 404 && reply.contentType == "application/problem+json" && hasProblemShape(reply)
                ? [] : ["\(path) is not in the document and the reply is not a 404 problem"]
        }
        guard let operation = resolve((resolve((document["paths"] as? [String: Any])?[template]))?[method.lowercased()])
        else {
            return reply.status == 405 || reply.status == 404 ? [] : ["\(method) \(template) is not in the document"]
        }
        let responses = operation["responses"] as? [String: Any] ?? [:]
        guard let response = resolve(responses[String(reply.status)] ?? responses["default"]) else {
            return ["status \(reply.status) is not listed for \(method) \(template)"]
        }
        var problems: [String] = []
        let media = reply.contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let content = response["content"] as? [String: Any] ?? [:]
        if content.isEmpty {
            if !reply.body.isEmpty {
                problems.append("status \(reply.status) has no content in the document, yet a body came")
            }
            return problems
        }
        guard let mediaEntry = resolve(content[media]) else {
            return problems + ["media type \(media) is not listed for \(reply.status) of \(method) \(template)"]
        }
        if media == "application/problem+json" && !hasProblemShape(reply) {
            problems.append("the problem body lacks a member RFC 9457 or the document requires, or its status differs")
        }
        if media.hasSuffix("json"), media != "application/x-ndjson", let schema = resolve(mediaEntry["schema"]),
            schema["type"] as? String == "object"
        {
            guard let body = reply.json else { return problems + ["the body is not a JSON object"] }
            for key in schema["required"] as? [String] ?? [] where body[key] == nil {
                problems.append("the body lacks the required member \(key)")
            }
        }
        return problems
    }

    /// What in `body` breaks the request schema of the webhook `name` (under `webhooks:`): a required member
    /// missing, a member the schema does not name, a value outside its enum, or a string member that is not a string.
    func problems(withWebhook name: String, body: [String: Any]) -> [String] {
        guard let post = resolve((resolve((document["webhooks"] as? [String: Any])?[name]))?["post"]),
            let json = resolve((resolve(post["requestBody"])?["content"] as? [String: Any])?["application/json"]),
            let schema = resolve(json["schema"])
        else { return ["the webhook \(name) has no JSON request body in the document"] }
        var problems: [String] = []
        for key in schema["required"] as? [String] ?? [] where body[key] == nil {
            problems.append("the event lacks the required member \(key)")
        }
        let properties = schema["properties"] as? [String: Any] ?? [:]
        for (key, value) in body {
            guard let property = resolve(properties[key]) else {
                problems.append("the event has \(key), which the schema does not name")
                continue
            }
            if property["type"] as? String == "string", !(value is String) {
                problems.append("\(key) is not a string")
            }
            if let allowed = property["enum"] as? [Any], let text = value as? String,
                !allowed.contains(where: { "\($0)" == text })
            {
                problems.append("\(key) \(text) is not one of the schema's values")
            }
        }
        return problems
    }

    private func hasProblemShape(_ reply: HTTPReply) -> Bool {
        guard let body = reply.json,
            let schema = resolve(
                (document["components"] as? [String: Any]).flatMap {
                    ($0["schemas"] as? [String: Any])?["Problem"]
                })
        else { return false }
        let required = schema["required"] as? [String] ?? []
        return required.allSatisfy { body[$0] != nil } && (body["status"] as? Int) == reply.status
    }
}
