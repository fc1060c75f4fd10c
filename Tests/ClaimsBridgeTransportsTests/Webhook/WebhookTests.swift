import ClaimsBridge
import ClaimsBridgeStorage
import ClaimsBridgeTransports
import Foundation
import Testing

@Suite("Webhooks")
struct WebhookTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let rotated = "whsec_" + Data((100..<132).map { UInt8($0) }).base64EncodedString()

    func headers(id: String, timestamp: Int, body: [UInt8], secret: String = secret) throws -> [String: String] {
        let signature = try WebhookSecret(secret).signature(id: id, timestamp: timestamp, body: body)
        return ["Webhook-Id": id, "Webhook-Timestamp": "\(timestamp)", "Webhook-Signature": signature]
    }

    @Test("The signature matches the Standard Webhooks reference vector")
    func referenceVector() throws {
        // From the Standard Webhooks specification's reference libraries' tests.
        let body = Array(#"{"test": 2432232314}"#.utf8)
        let signature = try WebhookSecret(Self.secret).signature(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1614265330, body: body)
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test("A signed request verifies, with any active secret, and returns its id")
    func verifies() throws {
        let body = Array("{\"a\":1}".utf8)
        let now = Date()
        let verifier = try WebhookVerifier(secrets: [Self.rotated, Self.secret])
        let signed = try headers(id: "claim-7", timestamp: Int(now.timeIntervalSince1970), body: body)
        #expect(try verifier.verify(payload: body, headers: signed, now: now) == "claim-7")
    }

    @Test("Tampered bodies, wrong secrets, old timestamps and missing headers are refused")
    func refuses() throws {
        let body = Array("{\"a\":1}".utf8)
        let now = Date()
        let time = Int(now.timeIntervalSince1970)
        let verifier = try WebhookVerifier(secrets: [Self.secret], toleranceSeconds: 300)
        let signed = try headers(id: "claim-7", timestamp: time, body: body)
        #expect(throws: WebhookVerificationError.self) {
            try verifier.verify(payload: Array("{\"a\":2}".utf8), headers: signed, now: now)
        }
        let otherSecret = try headers(id: "claim-7", timestamp: time, body: body, secret: Self.rotated)
        let mismatch = #expect(throws: WebhookVerificationError.self) {
            try verifier.verify(payload: body, headers: otherSecret, now: now)
        }
        #expect(mismatch?.code == .signatureMismatch)
        let old = try headers(id: "claim-7", timestamp: time - 301, body: body)
        let stale = #expect(throws: WebhookVerificationError.self) {
            try verifier.verify(payload: body, headers: old, now: now)
        }
        #expect(stale?.code == .timestampOutOfTolerance)
        var missing = signed
        missing["Webhook-Id"] = nil
        let absent = #expect(throws: WebhookVerificationError.self) {
            try verifier.verify(payload: body, headers: missing, now: now)
        }
        #expect(absent?.code == .missingHeader)
    }

    @Test("A secret that is not whsec_ Base64 is refused without being echoed")
    func badSecret() {
        let error = #expect(throws: TransportError.self) { try WebhookSecret("whsec_not*base64*at*all") }
        #expect(error?.description.contains("not*base64") == false)
    }

    @Test(
        "Webhooks sent over HTTPS carry a signature both an independent receiver and WebhookVerifier accept",
        .enabled(if: Tool.serversAvailable))
    func endToEnd() async throws {
        let pki = try TestPKI.shared.get()
        let receiver = try HTTPSReceiver(pki: pki, webhookSecret: Self.secret)
        let secretFile = try makeScratchFolder("secret") + "/webhook"
        try (Self.secret + "\n").write(toFile: secretFile, atomically: true, encoding: .utf8)
        let transport = try WebhookTransport(
            url: receiver.url("/hooks"), secret: .file(secretFile), tls: TLSOptions(caBundle: pki.caCertificate))
        let body = Array("{\"claim\":\"0001\"}".utf8)
        _ = try await transport.deliver(OutgoingDelivery(idempotencyKey: "claim-0001", payload: body))
        let request = try #require(try receiver.requests().first)
        #expect(request.signatureValid == true)
        #expect(request.headers["content-type"] == "application/json")
        let verifier = try WebhookVerifier(secrets: [Self.secret])
        #expect(try verifier.verify(payload: request.bytes, headers: request.headers) == "claim-0001")
    }
}
