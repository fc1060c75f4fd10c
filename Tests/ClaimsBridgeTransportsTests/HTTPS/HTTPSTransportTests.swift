import ClaimsBridge
import ClaimsBridgeStorage
import ClaimsBridgeTransports
import Foundation
import Testing

@Suite("HTTPS transport", .enabled(if: Tool.serversAvailable, "needs openssl and python3"))
struct HTTPSTransportTests {
    let pki: TestPKI

    init() throws { pki = try TestPKI.shared.get() }

    func deliver(to receiver: HTTPSReceiver, tls: TLSOptions) async throws(TransportError) -> DeliveryReceipt {
        let transport = try HTTPSTransport(url: receiver.url(), tls: tls)
        return try await transport.deliver(OutgoingDelivery(idempotencyKey: "tls-1", payload: Array("{}".utf8)))
    }

    @Test("A server certificate from the partner's CA is accepted; status and body are in the receipt")
    func trusted() async throws {
        let receiver = try HTTPSReceiver(pki: pki, script: [201])
        let receipt = try await deliver(to: receiver, tls: TLSOptions(caBundle: pki.caCertificate))
        #expect(receipt.statusCode == 201)
        #expect(String(decoding: receipt.responseBody, as: UTF8.self).contains("\"status\": 201"))
        #expect(try receiver.requests().first?.headers["idempotency-key"] == "tls-1")
    }

    @Test(
        "Self-signed, expired, wrong-host and other-CA certificates are refused, permanently",
        arguments: ["self-signed", "expired", "wrong-host", "other-ca"])
    func refused(_ case: String) async throws {
        let certificate: String
        var caBundle = pki.caCertificate
        switch `case` {
        case "self-signed": certificate = pki.selfSignedCertificate
        case "expired": certificate = pki.expiredCertificate
        case "wrong-host": certificate = pki.wrongHostCertificate
        default:
            certificate = pki.serverCertificate
            caBundle = pki.otherCACertificate
        }
        let receiver = try HTTPSReceiver(pki: pki, certificate: certificate)
        let error = await #expect(throws: TransportError.self) {
            _ = try await deliver(to: receiver, tls: TLSOptions(caBundle: caBundle))
        }
        #expect(error?.code == .peerVerificationFailed)
        #expect(error?.isRetryable == false)
        #expect(try receiver.requests().isEmpty)
    }

    @Test("A server that requires a client certificate refuses a request without one and accepts one with it")
    func mutualTLS() async throws {
        let receiver = try HTTPSReceiver(pki: pki, requireClientCertificate: true)
        await #expect(throws: TransportError.self) {
            _ = try await deliver(to: receiver, tls: TLSOptions(caBundle: pki.caCertificate))
        }
        #expect(try receiver.requests().isEmpty)
        let tls = TLSOptions(
            caBundle: pki.caCertificate, clientCertificate: pki.clientCertificate, clientKey: pki.clientKey)
        let receipt = try await deliver(to: receiver, tls: tls)
        #expect(receipt.statusCode == 200)
        #expect(try receiver.acceptedKeys() == ["tls-1"])
    }

    @Test("Status codes: 5xx and 429 are retryable, other 4xx permanent", arguments: [500, 503, 429, 400, 404, 409])
    func statusCodes(status: Int) async throws {
        let receiver = try HTTPSReceiver(pki: pki, script: [status])
        let error = await #expect(throws: TransportError.self) {
            _ = try await deliver(to: receiver, tls: TLSOptions(caBundle: pki.caCertificate))
        }
        #expect(error?.statusCode == status)
        #expect(error?.isRetryable == (status >= 500 || status == 429))
    }

    @Test("Retry-After, in seconds or as an HTTP date, is carried in the error; none is nil")
    func retryAfter() async throws {
        let issued = Date()
        for (value, isDate) in [("30", false), (Self.httpDate(issued.addingTimeInterval(600)), true)] {
            let receiver = try HTTPSReceiver(pki: pki, script: [429], retryAfter: value)
            let error = await #expect(throws: TransportError.self) {
                _ = try await deliver(to: receiver, tls: TLSOptions(caBundle: pki.caCertificate))
            }
            let answered = Date()
            let seconds = try #require(error?.retryAfterSeconds)
            guard isDate else {
                #expect(seconds == 30, "\(value) → \(seconds)")
                continue
            }
            // A date counts from the answer (its `Date` header or its arrival, before `answered`). Both
            // dates are whole seconds and libcurl counts whole seconds, so at most 600 and, however slow the
            // machine, no less than 600 minus the time the answer took, minus the roundings.
            let longest = 601.0
            let shortest = 598 - answered.timeIntervalSince(issued) - 0.5
            #expect(seconds <= longest && seconds >= shortest, "\(value) → \(seconds), expected \(shortest)...\(longest)")
        }
        let plain = try HTTPSReceiver(pki: pki, script: [503])
        let error = await #expect(throws: TransportError.self) {
            _ = try await deliver(to: plain, tls: TLSOptions(caBundle: pki.caCertificate))
        }
        #expect(error?.retryAfterSeconds == nil)
    }

    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }

    @Test("Deliveries to one destination reuse the open connection, one after the other and side by side")
    func connectionsAreReused() async throws {
        let receiver = try HTTPSReceiver(pki: pki, script: [200])
        let transport = try HTTPSTransport(url: receiver.url(), tls: TLSOptions(caBundle: pki.caCertificate))
        for number in 1...5 {
            _ = try await transport.deliver(OutgoingDelivery(idempotencyKey: "k\(number)", payload: Array("{}".utf8)))
        }
        #expect(transport.connectionsOpened == 1)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for number in 6...13 {
                group.addTask {
                    _ = try await transport.deliver(
                        OutgoingDelivery(idempotencyKey: "k\(number)", payload: Array("{}".utf8)))
                }
            }
            try await group.waitForAll()
        }
        // Side by side, a request whose connection is busy opens another; never one per request.
        #expect(transport.connectionsOpened < 1 + 8, "\(transport.connectionsOpened)")
        #expect(try receiver.acceptedKeys().count == 13)
    }

    @Test("A server slower than the timeout is a retryable timeout")
    func timeout() async throws {
        let receiver = try HTTPSReceiver(pki: pki, delaySeconds: 3)
        let transport = try HTTPSTransport(
            url: receiver.url(), tls: TLSOptions(caBundle: pki.caCertificate), timeoutSeconds: 0.5)
        let error = await #expect(throws: TransportError.self) {
            _ = try await transport.deliver(OutgoingDelivery(idempotencyKey: "slow", payload: [1]))
        }
        #expect(error?.code == .timedOut)
        #expect(error?.isRetryable == true)
    }

    @Test("Plain http:// and URLs with credentials are refused, without repeating the URL")
    func refusedURLs() {
        #expect(throws: TransportError.self) { try HTTPSTransport(url: "http://127.0.0.1/inbox") }
        let error = #expect(throws: TransportError.self) {
            try WebhookTransport(url: "https://clinic:hunter2@127.0.0.1/hook", secret: .environment("X"))
        }
        #expect(error?.description.contains("hunter2") == false)
    }

    /// `sha256//<base64 SHA-256 of the server's SubjectPublicKeyInfo>`, computed with the openssl tool.
    func serverPin() throws -> String {
        let folder = try makeScratchFolder("pin")
        try Tool.run(
            "openssl", ["pkey", "-in", pki.serverKey, "-pubout", "-outform", "DER", "-out", folder + "/spki.der"])
        try Tool.run("openssl", ["dgst", "-sha256", "-binary", "-out", folder + "/spki.sha256", folder + "/spki.der"])
        let digest = try #require(FileManager.default.contents(atPath: folder + "/spki.sha256"))
        return "sha256//" + digest.base64EncodedString()
    }

    @Test("The server's public key pin is accepted; a wrong pin is refused, permanently, before anything is sent")
    func pinnedPublicKey() async throws {
        let receiver = try HTTPSReceiver(pki: pki)
        let wrongPin = "sha256//" + Data(repeating: 0x5A, count: 32).base64EncodedString()
        let error = await #expect(throws: TransportError.self) {
            _ = try await deliver(to: receiver, tls: TLSOptions(caBundle: pki.caCertificate, pinnedPublicKey: wrongPin))
        }
        #expect(error?.code == .peerVerificationFailed)
        #expect(error?.isRetryable == false)
        #expect(try receiver.requests().isEmpty)
        let receipt = try await deliver(
            to: receiver, tls: TLSOptions(caBundle: pki.caCertificate, pinnedPublicKey: try serverPin()))
        #expect(receipt.statusCode == 200)
    }

    @Test("A pin libcurl refuses is a permanent configuration error naming the option, not a request without the pin")
    func refusedOption() async throws {
        let receiver = try HTTPSReceiver(pki: pki)
        // libcurl refuses option strings over 8 MB (CURLE_BAD_FUNCTION_ARGUMENT).
        let oversized = "sha256//" + String(repeating: "A", count: 9 << 20)
        let error = await #expect(throws: TransportError.self) {
            _ = try await deliver(
                to: receiver, tls: TLSOptions(caBundle: pki.caCertificate, pinnedPublicKey: oversized))
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.isRetryable == false)
        #expect(error?.reason.contains("CURLOPT_PINNEDPUBLICKEY") == true)
        #expect(try receiver.requests().isEmpty)
    }
}
