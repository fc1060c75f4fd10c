import ClaimsBridge
import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
import Foundation
import Testing

/// The contract every transport keeps, checked against a real receiver for each adapter: exact bytes, one copy
/// per idempotency key from the receiver's view, delivery through the outbox, and a retryable failure when the
/// receiver is unreachable.
@Suite("Transport conformance", .enabled(if: Tool.serversAvailable, "needs openssl, python3, ssh-keygen and sshd"))
struct TransportConformanceTests {
    static let adapters = AdapterKind.allCases

    @Test("Delivers the exact bytes, once", arguments: adapters)
    func exactBytes(kind: AdapterKind) async throws {
        let harness = try AdapterHarness(kind)
        let payload = (0..<40).flatMap { _ in (0...255).map(UInt8.init) }
        let receipt = try await harness.transport.deliver(
            OutgoingDelivery(idempotencyKey: "claim-0001", payload: payload))
        #expect(!receipt.alreadyPresent)
        #expect(try harness.copies("claim-0001") == [payload])
    }

    @Test("A repeated delivery of a key reaches the receiver as the same delivery", arguments: adapters)
    func repeatedKey(kind: AdapterKind) async throws {
        let harness = try AdapterHarness(kind)
        let delivery = OutgoingDelivery(idempotencyKey: "claim-0002", payload: Array("{\"n\":2}".utf8))
        _ = try await harness.transport.deliver(delivery)
        var again = delivery
        again.attempt = 2
        _ = try await harness.transport.deliver(again)
        #expect(try harness.copies("claim-0002") == [delivery.payload])
    }

    @Test("Through the outbox, every key is delivered exactly once", arguments: adapters)
    func throughOutbox(kind: AdapterKind) async throws {
        let harness = try AdapterHarness(kind)
        let outbox = try Outbox(path: try makeScratchFolder("outbox") + "/outbox.sqlite")
        let keys = (1...5).map { "batch-\($0)" }
        for key in keys {
            try outbox.enqueue(destination: "partner", payload: Array("{\"key\":\"\(key)\"}".utf8), idempotencyKey: key)
        }
        let summary = try await outbox.deliverDue(transports: ["partner": harness.transport])
        #expect(summary.delivered.count == 5)
        #expect(try outbox.deliveries(in: .delivered).count == 5)
        for key in keys { #expect(try harness.copies(key) == [Array("{\"key\":\"\(key)\"}".utf8)]) }
    }

    @Test("An unreachable receiver is a retryable failure", arguments: adapters)
    func unreachable(kind: AdapterKind) async throws {
        let transport = try AdapterHarness.unreachableTransport(kind)
        let error = await #expect(throws: TransportError.self) {
            _ = try await transport.deliver(OutgoingDelivery(idempotencyKey: "k", payload: [1]))
        }
        #expect(error?.isRetryable == true)
    }
}

enum AdapterKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case memory, folder, https, webhook, sftp
    var testDescription: String { rawValue }
}

/// A transport of one kind with a real receiver behind it, and a way to see what the receiver accepted.
final class AdapterHarness: @unchecked Sendable {
    let transport: any Transport
    private let copiesOf: (String) throws -> [[UInt8]]
    private let servers: [AnyObject]

    static let webhookSecret = "whsec_" + Data((0..<32).map { UInt8($0) }).base64EncodedString()

    init(_ kind: AdapterKind) throws {
        switch kind {
        case .memory:
            let memory = InMemoryTransport()
            transport = memory
            servers = []
            copiesOf = { key in memory.received[key].map { [$0] } ?? [] }
        case .folder:
            let folder = try makeScratchFolder("folder-transport")
            transport = try FolderTransport(directory: folder, namePattern: "{key}.dat", doneMarkerSuffix: ".done")
            servers = []
            copiesOf = { key in
                try Self.files(in: folder, matching: key).filter { !$0.hasSuffix(".done") }.map {
                    Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + $0)))
                }
            }
        case .https, .webhook:
            let pki = try TestPKI.shared.get()
            let secret = kind == .webhook ? Self.webhookSecret : nil
            let receiver = try HTTPSReceiver(pki: pki, webhookSecret: secret)
            if kind == .webhook {
                let secretFile = try makeScratchFolder("secret") + "/webhook"
                try Self.webhookSecret.write(toFile: secretFile, atomically: true, encoding: .utf8)
                transport = try WebhookTransport(
                    url: receiver.url(), secret: .file(secretFile), tls: TLSOptions(caBundle: pki.caCertificate))
            } else {
                transport = try HTTPSTransport(url: receiver.url(), tls: TLSOptions(caBundle: pki.caCertificate))
            }
            servers = [receiver]
            copiesOf = { key in
                try receiver.requests().filter { $0.key == key && !$0.duplicate && $0.status == 200 }.map {
                    if secret != nil && $0.signatureValid != true { throw ToolError("bad webhook signature") }
                    return $0.bytes
                }
            }
        case .sftp:
            let server = try SSHServer()
            transport = try SFTPTransport(
                connection: SFTPConnection(
                    host: "127.0.0.1", port: server.port, user: server.user, privateKey: server.clientKey,
                    hostKey: .knownHosts(path: server.knownHosts)),
                directory: server.dropFolder, namePattern: "{key}.dat")
            servers = [server]
            copiesOf = { key in
                let names = server.droppedFiles()
                if names.contains(where: { $0.hasSuffix(".part") }) { throw ToolError("a .part file was left") }
                return try Self.files(in: server.dropFolder, matching: key).map {
                    Array(try Data(contentsOf: URL(fileURLWithPath: server.dropFolder + "/" + $0)))
                }
            }
        }
    }

    /// What the receiver holds for `key`: one element per copy it accepted.
    func copies(_ key: String) throws -> [[UInt8]] { try copiesOf(key) }

    static func files(in folder: String, matching key: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix(key + ".") }.sorted()
    }

    /// A transport of `kind` whose receiver is not there.
    static func unreachableTransport(_ kind: AdapterKind) throws -> any Transport {
        let port = freePort()
        switch kind {
        case .memory:
            let memory = InMemoryTransport()
            memory.failNext([TransportError(.connectionFailed, retryable: true, "down")])
            return memory
        case .folder:
            return try FolderTransport(directory: "/nonexistent-\(UUID().uuidString)")
        case .https:
            return try HTTPSTransport(url: "https://127.0.0.1:\(port)/inbox", connectTimeoutSeconds: 2)
        case .webhook:
            let secretFile = try makeScratchFolder("secret") + "/webhook"
            try webhookSecret.write(toFile: secretFile, atomically: true, encoding: .utf8)
            return try WebhookTransport(
                url: "https://127.0.0.1:\(port)/hook", secret: .file(secretFile), connectTimeoutSeconds: 2)
        case .sftp:
            return try SFTPTransport(
                connection: SFTPConnection(
                    host: "127.0.0.1", port: port, user: "nobody", privateKey: "/nonexistent",
                    hostKey: .sha256Fingerprint("AAAA"), connectTimeoutSeconds: 2),
                directory: "/tmp")
        }
    }
}
