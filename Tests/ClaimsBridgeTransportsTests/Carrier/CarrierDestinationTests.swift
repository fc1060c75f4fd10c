import ClaimsBridge
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
import Foundation
import Testing

@Suite("Carrier destination and reply checks")
struct CarrierDestinationTests {
    let folder: String

    init() throws { folder = try makeScratchFolder("carrier-config") }

    func load(_ text: String) throws -> DeliveryConfiguration {
        let path = folder + "/delivery.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try DeliveryConfiguration.load(path: path)
    }

    func error(_ text: String) -> String {
        do {
            _ = try load(text).makeTransports()
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test("A carrier destination loads with its TLS files, envelope, headers and reply timeout")
    func loads() throws {
        let configuration = try load(
            """
            destinations:
              carrier:
                type: carrier
                url: https://carrier.example/cdanet
                caBundle: certs/ca.pem
                clientCertificate: certs/office.pem
                clientKey: certs/office.key
                pinnedPublicKey: "sha256//AAAA"
                envelope: base64-json
                messageField: cdanet
                headers: {X-Office: "0001"}
                authorization: env:CARRIER_TOKEN
                replyTimeoutSeconds: 12
              local: {type: carrier, url: "http://127.0.0.1:9000/cdanet", contentType: text/plain}
            """)
        let transports = try configuration.makeTransports()
        let carrier = try #require(transports["carrier"] as? CarrierTransport)
        #expect(carrier.envelope == .base64JSON(field: "cdanet"))
        #expect(carrier.replyTimeoutSeconds == 12)
        #expect(carrier.tls.clientCertificate == folder + "/certs/office.pem")
        #expect(carrier.tls.clientKey == folder + "/certs/office.key")
        #expect(carrier.tls.pinnedPublicKey == "sha256//AAAA")
        #expect(carrier.headers == ["X-Office: 0001"])
        #expect(configuration.destination("carrier")?.longestAttemptSeconds == 12)
        #expect(configuration.destination("carrier")?.privateFiles.map(\.path) == [folder + "/certs/office.key"])
        let local = try #require(transports["local"] as? CarrierTransport)
        #expect(local.envelope == .raw(contentType: "text/plain"))
        #expect(local.replyTimeoutSeconds == 30)
    }

    @Test(
        "A carrier destination with a mistake is refused with its line",
        arguments: [
            ("url: http://carrier.example/cdanet", "plain http:// is allowed only to 127.0.0.1"),
            ("url: https://carrier.example/x\n    replyTimeoutSeconds: 900", "at most 300 seconds"),
            ("url: https://carrier.example/x\n    replyTimeoutSeconds: 0", "more than 0"),
            ("url: https://carrier.example/x\n    envelope: soap", "unknown envelope `soap`"),
            ("url: https://carrier.example/x\n    messageField: m", "messageField goes with envelope: base64-json"),
            ("url: https://carrier.example/x\n    timeoutSeconds: 5", "timeoutSeconds"),
            ("url: https://user:pw@carrier.example/x", "must not contain a user name or password"),
            ("url: https://carrier.example/x\n    authorization: Bearer abc", "env:VARIABLE or file:PATH"),
        ])
    func refused(line: String, expected: String) {
        let message = error("destinations:\n  c:\n    type: carrier\n    \(line)\n")
        #expect(message.contains(expected), "\(message)")
        #expect(message.contains("delivery.yaml:"), "\(message)")
    }

    @Test("A raw envelope carries the bytes as they are; base64-json wraps and unwraps them")
    func envelopes() throws {
        let message = Array("ITRANS000001000101".utf8) + [0xE9, 0x00]
        #expect(CarrierEnvelope.rawDefault.wrap(message) == message)
        #expect(try CarrierEnvelope.rawDefault.unwrap(message) == message)
        let json = CarrierEnvelope.base64JSON(field: "message")
        let wrapped = json.wrap(message)
        #expect(String(decoding: wrapped, as: UTF8.self).hasPrefix("{\"message\":\""))
        #expect(try json.unwrap(wrapped) == message)
        #expect(json.contentType == "application/json")
        #expect(throws: TransportError(.invalidReply, retryable: false, "")) { try json.unwrap(message) }
        #expect(throws: TransportError(.invalidReply, retryable: false, "")) {
            try json.unwrap(Array(#"{"other": "AAAA"}"#.utf8))
        }
        #expect(throws: TransportError(.invalidReply, retryable: false, "")) {
            try json.unwrap(Array(#"{"message": "%%%"}"#.utf8))
        }
    }

    @Test("A reply is checked: CDAnet version, a response code, A07 equal to the bytes received")
    func replyChecks() throws {
        let fixture = try Fixtures.bytes("cdanet/v04/11-claim-acknowledgement.txt")
        let reply = try CarrierReply(checking: fixture, statusCode: 200, elapsedSeconds: 0)
        #expect(reply.transactionCode == "11" && reply.version == "04")
        func reason(_ bytes: [UInt8]) -> String {
            do {
                _ = try CarrierReply(checking: bytes, statusCode: 200, elapsedSeconds: 0)
                return "accepted"
            } catch {
                return error.code == .invalidReply ? error.reason : "\(error)"
            }
        }
        #expect(reason(Array(fixture.dropLast(3))).contains("states a length of \(fixture.count) bytes"))
        #expect(reason(Array("GARBAGE this is not a CDAnet reply".utf8)).contains("offset 18"))
        #expect(reason(Array("short".utf8)).contains("too short"))
        let claim = try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")
        #expect(reason(claim).contains("transaction code 01 (A04), which is not a version 04 response"))
        // The reason never quotes the reply's content.
        #expect(!reason(Array(fixture.dropLast(3))).contains("ITRANS"))
    }
}
