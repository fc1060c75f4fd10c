import ClaimsBridgeTestSupport
import Foundation
import Hummingbird
import Testing

@testable import ClaimsBridgeService

@Suite struct SecurityAndLimitsTests {
    @Test func aMissingOrUnknownTokenIs401AndAnEndpointNotGivenIs403() async throws {
        let claim = try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")
        try await ServiceFixture().withServer { client in
            let none = try await client.send("GET", "/readyz", token: nil)
            #expect(none.status == 401)
            #expect(none.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
            let wrong = try await client.send("GET", "/readyz", token: ServiceFixture.fullToken + "x")
            #expect(wrong.status == 401)
            let basic = try await client.send(
                "GET", "/readyz", token: nil, headers: ["Authorization": "Basic dXNlcjpwYXNz"])
            #expect(basic.status == 401)
            let forbidden = try await client.send("GET", "/readyz", token: ServiceFixture.translatorToken)
            #expect(forbidden.status == 403)
            #expect(
                forbidden.json?["detail"] as? String == "client translator is not allowed to use the readyz endpoint")
            let allowed = try await client.send(
                "POST", "/v1/translate?from=cdanet&to=json", token: ServiceFixture.translatorToken,
                contentType: "text/plain", body: claim)
            #expect(allowed.status == 200)
        }
    }

    @Test func tokensCompareWholeWhateverTheirLengths() {
        let token = Array("secret-token".utf8)
        #expect(ClientAuthenticator.constantTimeEqual(token, token))
        #expect(!ClientAuthenticator.constantTimeEqual(token, Array("secret-tokeN".utf8)))
        #expect(!ClientAuthenticator.constantTimeEqual(token, Array("secret".utf8)))
        #expect(!ClientAuthenticator.constantTimeEqual(token, Array("secret-token-longer".utf8)))
        #expect(!ClientAuthenticator.constantTimeEqual([], token))
    }

    @Test func theRequestIDIsEchoedOrMade() async throws {
        try await ServiceFixture().withServer { client in
            let given = try await client.send("GET", "/healthz", token: nil, headers: ["X-Request-Id": "abc-123"])
            #expect(given.headers["x-request-id"] == "abc-123")
            let unsafe = try await client.send("GET", "/healthz", token: nil, headers: ["X-Request-Id": "a b{c}"])
            #expect(unsafe.headers["x-request-id"] != "a b{c}")
            #expect(unsafe.headers["x-request-id"]?.count == 36)
            let problem = try await client.send("GET", "/readyz", token: nil, headers: ["X-Request-Id": "trace-7"])
            #expect(problem.json?["requestId"] as? String == "trace-7")
        }
    }

    @Test func aBodyOverTheLimitIs413() async throws {
        try await ServiceFixture(serviceYAML: "limits: {maxBodyBytes: 1000}").withServer { client in
            let big = [UInt8](repeating: UInt8(ascii: "A"), count: 5000)
            let declared = try await client.send(
                "POST", "/v1/translate?from=cdanet&to=json", contentType: "text/plain", body: big)
            #expect(declared.status == 413)
            // Chunked, so the size is known only while reading.
            let head =
                "POST /v1/translate?from=cdanet&to=json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "Authorization: Bearer \(ServiceFixture.fullToken)\r\nContent-Type: text/plain\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n"
            let chunk = Array(String(big.count, radix: 16).utf8) + [13, 10] + big + [13, 10] + Array("0\r\n\r\n".utf8)
            let chunked = try #require(
                try await LoopbackHTTP.exchange(port: client.port, steps: [.send(Array(head.utf8) + chunk)]))
            #expect(chunked.status == 413)
            #expect(chunked.contentType == "application/problem+json")
        }
    }

    @Test func aBodyThatDoesNotArriveInTimeIs408() async throws {
        try await ServiceFixture(serviceYAML: "limits: {bodyTimeoutSeconds: 1}").withServer { client in
            let head =
                "POST /v1/check?from=json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "Authorization: Bearer \(ServiceFixture.fullToken)\r\nContent-Type: application/json\r\n"
                + "Content-Length: 100\r\n\r\n{\"sch"
            let reply = try #require(
                try await LoopbackHTTP.exchange(
                    port: client.port, steps: [.send(Array(head.utf8)), .pause(seconds: 3)]))
            #expect(reply.status == 408)
            #expect(reply.contentType == "application/problem+json")
        }
    }

    @Test func aConnectionSilentBeforeItsHeadEndsIsClosed() async throws {
        try await ServiceFixture(serviceYAML: "limits: {idleTimeoutSeconds: 1}").withServer { client in
            let started = ContinuousClock.now
            let reply = try await LoopbackHTTP.exchange(
                port: client.port, steps: [.send(Array("GET /healthz HTTP/1.1\r\nHost: x\r\n".utf8))],
                readTimeoutSeconds: 20)
            #expect(reply == nil || reply?.status == 408)
            #expect(ContinuousClock.now - started < .seconds(15))
            // The server still answers others.
            let health = try await client.send("GET", "/healthz", token: nil)
            #expect(health.status == 200)
        }
    }

    @Test func anEndpointAtItsCapAnswers503WithRetryAfter() async throws {
        try await ServiceFixture(
            serviceYAML: "limits: {concurrentRequests: 1, bodyTimeoutSeconds: 120, retryAfterSeconds: 2}"
        )
        .withServer { client in
            // The first request holds the endpoint's one slot until its body's last byte, sent once the second
            // request has been answered.
            let secondAnswered = DispatchSemaphore(value: 0)
            let head =
                "POST /v1/check?from=json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "Authorization: Bearer \(ServiceFixture.fullToken)\r\nContent-Type: application/json\r\n"
                + "Content-Length: 2\r\n\r\n{"
            async let slow = LoopbackHTTP.exchange(
                port: client.port, steps: [.send(Array(head.utf8)), .wait(for: secondAnswered, seconds: 120), .send(Array("}".utf8))])
            // Wait until it holds the endpoint's slot (a loaded machine may take a while to get there).
            let deadline = ContinuousClock.now + .seconds(10)
            while client.context.slotsInUse(ServiceEndpoint.check) == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(client.context.slotsInUse(ServiceEndpoint.check) == 1)
            let busy = try await client.send(
                "POST", "/v1/check?from=json", contentType: "application/json", body: Array("{}".utf8))
            secondAnswered.signal()
            #expect(busy.status == 503)
            #expect(busy.headers["retry-after"] == "2")
            // Other endpoints are not held up.
            let other = try await client.send("GET", "/readyz")
            #expect(other.status == 200)
            let first = try await slow
            #expect(first?.status == 200)
        }
    }

    @Test func plainHTTPIsRefusedOffLoopback() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "listen: 0.0.0.0:8080\nroutes: routes.yaml\n".write(
            toFile: folder + "/service.yaml", atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { try ServiceConfiguration.load(path: folder + "/service.yaml") }
        try "listen: 0.0.0.0:8080\nroutes: routes.yaml\ntls: {certificate: c.pem, key: k.pem}\n".write(
            toFile: folder + "/service.yaml", atomically: true, encoding: .utf8)
        let configuration = try ServiceConfiguration.load(path: folder + "/service.yaml")
        #expect(configuration.tls?.certificate == folder + "/c.pem")
    }

    @Test func aLiteralTokenInTheFileIsRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try """
        routes: routes.yaml
        clients:
          - {name: a, token: "plain-secret", endpoints: [translate]}
        """.write(toFile: folder + "/service.yaml", atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { try ServiceConfiguration.load(path: folder + "/service.yaml") }
    }
}
