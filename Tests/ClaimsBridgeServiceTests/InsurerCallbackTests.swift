import ClaimsBridge
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
import ClaimsBridgeWatcher
import Foundation
import Testing

@testable import ClaimsBridgeService

/// `POST /v1/webhooks/insurers/{insurer}`: signed claim status callbacks move the claims the ledger tracks.
@Suite("Insurer status callbacks")
struct InsurerCallbackTests {
    static let secret = "current-hmac-secret-0123456789"
    static let previous = "previous-hmac-secret-9876543210"

    /// A service whose insurer `sunlife` signs with hex HMAC-SHA256 in `X-Signature` (`sha256=` prefix) over
    /// `TIMESTAMP.BODY`, with its own status codes; and one claim, 000101, sent to carrier 000125.
    func fixture(_ engine: StorageEngine, extra: String = "") throws -> ServiceFixture {
        let fixture = try ServiceFixture(
            serviceYAML: """
                insurerCallbacks:
                  sunlife:
                    signature: hmac-sha256
                    header: X-Signature
                    encoding: hex
                    prefix: "sha256="
                    timestampHeader: X-Timestamp
                    toleranceSeconds: 300
                    secrets: ["file:secrets/sunlife.secret", "file:secrets/sunlife-old.secret"]
                    statuses: {RECEIVED: acknowledged, SETTLED: adjudicated, PAID: paid, DENIED: rejected}
                  manulife:
                    secrets: ["file:secrets/manulife.secret"]
                \(extra)
                """, engine: engine)
        try Self.secret.write(toFile: fixture.root + "/secrets/sunlife.secret", atomically: true, encoding: .utf8)
        try Self.previous.write(toFile: fixture.root + "/secrets/sunlife-old.secret", atomically: true, encoding: .utf8)
        try Self.standard.write(toFile: fixture.root + "/secrets/manulife.secret", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: fixture.routes.stateDirectory, withIntermediateDirectories: true)
        let ledger = try fixture.ledger()
        let submissions = try LedgerSubmissions(ledger: ledger, catalog: Fixtures.catalog)
        let claim = try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json")
        let (id, json) = try submissions.recordRequest(claim, route: "test", name: "claim.jsonl")
        try submissions.markSent(id, json: json)
        return fixture
    }

    static let standard = WebhookSecret.generate()

    func signed(_ body: [UInt8], secret: String = secret, at time: Int? = nil) throws -> [String: String] {
        let timestamp = time ?? Int(Date().timeIntervalSince1970)
        let verifier = try HMACHeaderVerifier(
            secrets: [secret], signatureHeader: "X-Signature", encoding: .hex, prefix: "sha256=",
            timestampHeader: "X-Timestamp")
        return ["X-Timestamp": "\(timestamp)", "X-Signature": verifier.signature(body: body, secret: secret, timestamp: timestamp)]
    }

    static func update(_ status: String, id: String, at time: String, sequence: String = "000101") -> String {
        #"{"id":"\#(id)","carrierId":"000125","officeSequenceNumber":"\#(sequence)","providerNumber":"123456789","status":"\#(status)","occurredAt":"\#(time)"}"#
    }

    /// A time `seconds` after `start` (now), as the insurer writes it: updates are dated after the claim was sent.
    static func at(_ seconds: Double, from start: Date = Date()) -> String {
        start.addingTimeInterval(seconds).formatted(.iso8601)
    }

    func claimKey(_ fixture: ServiceFixture) throws -> String {
        let ledger = try fixture.ledger()
        let request = try #require(try ledger.chain(officeSequenceNumber: "000101").first { $0.type == "claim" })
        return Ledger.claimKey(requestMessageID: request.messageID)
    }

    @Test(
        "Signed updates move the claim through the insurer's codes; duplicates, stale and unknown claims are kept and reported",
        arguments: StorageEngine.allCases)
    func updatesApply(_ engine: StorageEngine) async throws {
        let fixture = try fixture(engine)
        let key = try claimKey(fixture)
        // One start for every update, so that their order does not depend on how long the requests take.
        let start = Date()
        let first = Array(
            ("{\"updates\":[" + Self.update("RECEIVED", id: "u1", at: Self.at(60, from: start)) + ","
                + Self.update("SETTLED", id: "u2", at: Self.at(120, from: start)) + ","
                + Self.update("PAID", id: "u9", at: Self.at(180, from: start), sequence: "000999") + ","
                + Self.update("LOST", id: "u4", at: Self.at(180, from: start)) + "]}").utf8)
        try await fixture.withServer { client in
            let reply = try await client.send(
                "POST", "/v1/webhooks/insurers/sunlife", token: nil, contentType: "application/json",
                headers: try signed(first), body: first)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.json?["applied"] as? Int == 2)
            let unknown = try #require(reply.json?["unknownClaims"] as? [[String: Any]])
            #expect(unknown.count == 1 && unknown.first?["officeSequenceNumber"] as? String == "000999")
            let rejects = try #require(reply.json?["rejects"] as? [[String: Any]])
            #expect(rejects.count == 1 && rejects.first?["field"] as? String == "status" && rejects.first?["update"] as? Int == 4)
            // Again, signed with the previous secret (a rotation): duplicates; then an older update: stale; then paid.
            let second = Array(
                ("{\"updates\":[" + Self.update("RECEIVED", id: "u1", at: Self.at(60, from: start)) + ","
                    + Self.update("DENIED", id: "u5", at: Self.at(30, from: start)) + ","
                    + Self.update("PAID", id: "u6", at: Self.at(240, from: start)) + "]}").utf8)
            let again = try await client.send(
                "POST", "/v1/webhooks/insurers/sunlife", token: nil, contentType: "application/json",
                headers: try signed(second, secret: Self.previous), body: second)
            #expect(again.status == 200, "\(again.text)")
            let outcomes = (again.json?["transitions"] as? [[String: Any]])?.compactMap { $0["outcome"] as? String }
            #expect(outcomes == ["duplicate", "stale", "applied"])
            // The same insurer style through Standard Webhooks (manulife), with the claim states' own names.
            let standard = Array(Self.update("reversed", id: "m1", at: Self.at(300, from: start)).utf8)
            let timestamp = Int(Date().timeIntervalSince1970)
            let headers = [
                "webhook-id": "msg_1", "webhook-timestamp": "\(timestamp)",
                "webhook-signature": try WebhookSecret(Self.standard).signature(id: "msg_1", timestamp: timestamp, body: standard),
            ]
            let viaStandard = try await client.send(
                "POST", "/v1/webhooks/insurers/manulife", token: nil, contentType: "application/json",
                headers: headers, body: standard)
            #expect(viaStandard.json?["applied"] as? Int == 1, "\(viaStandard.text)")
        }
        let ledger = try fixture.ledger()
        #expect(try ledger.trackedState(kind: .claim, key: key)?.state == "reversed")
        #expect(
            try ledger.stateHistory(kind: .claim, key: key).filter { $0.outcome == .applied }.map(\.to)
                == ["submitted", "acknowledged", "adjudicated", "paid", "reversed"])
        let kept = try ledger.stateHistory(kind: .claim, key: "unknown:000125/000999/123456789")
        #expect(kept.map(\.outcome) == [.illegal] && kept.first?.reason?.contains("not a claim the ledger knows") == true)
    }

    @Test(
        "A callback that does not verify is refused with 401 and changes nothing",
        arguments: StorageEngine.allCases,
        ["unsigned", "wrong-secret", "tampered", "stale", "base64-not-hex", "no-timestamp", "not-json"])
    func refused(_ engine: StorageEngine, _ case: String) async throws {
        let fixture = try fixture(engine)
        let key = try claimKey(fixture)
        let body = Array(Self.update("PAID", id: "x1", at: Self.at(60)).utf8)
        var headers = try signed(body)
        var sent = body
        switch `case` {
        case "unsigned": headers = [:]
        case "wrong-secret": headers = try signed(body, secret: "some-other-secret-000000000")
        case "tampered": sent = Array(String(decoding: body, as: UTF8.self).replacingOccurrences(of: "PAID", with: "DENIED").utf8)
        case "stale": headers = try signed(body, at: Int(Date().timeIntervalSince1970) - 3600)
        // Not JSON, and not what was signed: refused for its signature (401), never read (which would be a 400).
        case "not-json": sent = Array("[1, 2".utf8)
        case "base64-not-hex":
            let hex = String(headers["X-Signature"]!.dropFirst(7))
            var bytes: [UInt8] = []
            var index = hex.startIndex
            while index < hex.endIndex {
                let next = hex.index(index, offsetBy: 2)
                bytes.append(UInt8(hex[index..<next], radix: 16)!)
                index = next
            }
            headers["X-Signature"] = "sha256=" + Data(bytes).base64EncodedString()
        default: headers["X-Timestamp"] = nil
        }
        try await fixture.withServer { client in
            let reply = try await client.send(
                "POST", "/v1/webhooks/insurers/sunlife", token: nil, contentType: "application/json",
                headers: headers, body: sent)
            #expect(reply.status == 401, "\(reply.text)")
            #expect(reply.json?["code"] as? String == "badSignature")
        }
        let ledger = try fixture.ledger()
        #expect(try ledger.stateHistory(kind: .claim, key: key).map(\.to) == ["submitted"])
    }

    @Test(
        "Another header style by configuration: Base64 HMAC of the body alone, two signatures while a secret rotates",
        arguments: StorageEngine.allCases)
    func base64BodyOnly(_ engine: StorageEngine) async throws {
        let fixture = try fixture(
            engine,
            extra: """
                  bluecross:
                    signature: hmac-sha256
                    header: X-Hmac-SHA256
                    encoding: base64
                    secrets: ["file:secrets/sunlife-old.secret"]
                """)
        let key = try claimKey(fixture)
        let body = Array(Self.update("acknowledged", id: "b1", at: Self.at(60)).utf8)
        let style = try HMACHeaderVerifier(secrets: [Self.secret], signatureHeader: "X-Hmac-SHA256", encoding: .base64)
        // The sender signs with its new secret and the old one; the receiver still knows only the old one.
        let both = style.signature(body: body, secret: Self.secret) + " " + style.signature(body: body, secret: Self.previous)
        try await fixture.withServer { client in
            let reply = try await client.send(
                "POST", "/v1/webhooks/insurers/bluecross", token: nil, contentType: "application/json",
                headers: ["X-Hmac-SHA256": both], body: body)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.json?["applied"] as? Int == 1)
            // Signed with the new secret alone, which this receiver does not have yet: refused.
            let newOnly = try await client.send(
                "POST", "/v1/webhooks/insurers/bluecross", token: nil, contentType: "application/json",
                headers: ["X-Hmac-SHA256": style.signature(body: body, secret: Self.secret)], body: body)
            #expect(newOnly.status == 401, "\(newOnly.text)")
            // Without a timestamp there is no replay window: the same delivery again is answered, and changes nothing.
            let replayed = try await client.send(
                "POST", "/v1/webhooks/insurers/bluecross", token: nil, contentType: "application/json",
                headers: ["X-Hmac-SHA256": both], body: body)
            #expect((replayed.json?["transitions"] as? [[String: Any]])?.first?["outcome"] as? String == "duplicate")
        }
        let ledger = try fixture.ledger()
        #expect(try ledger.stateHistory(kind: .claim, key: key).map(\.to) == ["submitted", "acknowledged"])
    }

    @Test("An insurer without a callback is not found; a body that is not JSON is a 400")
    func notFoundAndBadJSON() async throws {
        let fixture = try fixture(.sqlite)
        try await fixture.withServer { client in
            let unknown = try await client.send(
                "POST", "/v1/webhooks/insurers/greenshield", token: nil, contentType: "application/json",
                body: Array("{}".utf8))
            #expect(unknown.status == 404)
            let garbage = Array("[1, 2".utf8)
            let bad = try await client.send(
                "POST", "/v1/webhooks/insurers/sunlife", token: nil, contentType: "application/json",
                headers: try signed(garbage), body: garbage)
            #expect(bad.status == 400, "\(bad.text)")
        }
    }

    @Test("The service file refuses an unknown signature style, a missing encoding and a status that is no claim state")
    func configurationErrors() throws {
        for (entry, words) in [
            ("{signature: rsa, secrets: [\"env:X\"]}", "standard-webhooks or hmac-sha256"),
            ("{signature: hmac-sha256, header: X-Sig, secrets: [\"env:X\"]}", "missing `encoding`"),
            ("{secrets: [\"env:X\"], statuses: {PAID: cashed}}", "cashed is not a claim state"),
            ("{secrets: [\"env:X\"], header: X-Sig}", "goes with `signature: hmac-sha256`"),
        ] {
            #expect {
                _ = try ServiceFixture(serviceYAML: "insurerCallbacks: {other: \(entry)}")
            } throws: { error in
                "\(error)".contains(words)
            }
        }
    }
}
