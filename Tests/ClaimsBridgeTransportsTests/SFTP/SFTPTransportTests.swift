import ClaimsBridge
import ClaimsBridgeTransports
import Foundation
import Testing

@Suite("SFTP transport", .enabled(if: Tool.serversAvailable, "needs ssh-keygen and sshd"))
struct SFTPTransportTests {
    func connection(_ server: SSHServer, hostKey: HostKeyPin) -> SFTPConnection {
        SFTPConnection(
            host: "127.0.0.1", port: server.port, user: server.user, privateKey: server.clientKey, hostKey: hostKey,
            connectTimeoutSeconds: 5)
    }

    @Test("A pinned SHA-256 fingerprint is accepted; the file lands under its final name with no .part left")
    func fingerprint() async throws {
        let server = try SSHServer()
        let transport = try SFTPTransport(
            connection: connection(server, hostKey: .sha256Fingerprint(server.hostKeyFingerprint)),
            directory: server.dropFolder + "/claims/in", namePattern: "cb-{key}.json")
        let receipt = try await transport.deliver(OutgoingDelivery(idempotencyKey: "k1", payload: Array("{}".utf8)))
        #expect(receipt.location.hasSuffix("/claims/in/cb-k1.json"))
        let files = try FileManager.default.contentsOfDirectory(atPath: server.dropFolder + "/claims/in")
        #expect(files == ["cb-k1.json"])
    }

    @Test(
        "A different host key, or a host missing from known_hosts, is refused before anything is sent",
        arguments: ["wrong-fingerprint", "wrong-known-hosts", "unknown-host"])
    func refused(_ case: String) async throws {
        let server = try SSHServer()
        let pin: HostKeyPin =
            switch `case` {
            case "wrong-fingerprint": .sha256Fingerprint(server.otherKeyFingerprint)
            case "wrong-known-hosts": .knownHosts(path: server.wrongKnownHosts)
            default: .knownHosts(path: server.emptyKnownHosts)
            }
        let transport = try SFTPTransport(connection: connection(server, hostKey: pin), directory: server.dropFolder)
        let error = await #expect(throws: TransportError.self) {
            _ = try await transport.deliver(OutgoingDelivery(idempotencyKey: "k1", payload: [1]))
        }
        #expect(error?.code == .peerVerificationFailed)
        #expect(error?.isRetryable == false)
        #expect(server.droppedFiles().isEmpty)
    }

    @Test("A key the server does not know is refused")
    func unknownClientKey() async throws {
        let server = try SSHServer()
        let stranger = try makeScratchFolder("stranger") + "/id_ed25519"
        try Tool.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", stranger])
        var settings = connection(server, hostKey: .knownHosts(path: server.knownHosts))
        settings.privateKey = stranger
        let transport = try SFTPTransport(connection: settings, directory: server.dropFolder)
        let error = await #expect(throws: TransportError.self) {
            _ = try await transport.deliver(OutgoingDelivery(idempotencyKey: "k1", payload: [1]))
        }
        #expect(error?.isRetryable == false)
        #expect(server.droppedFiles().isEmpty)
    }

    @Test("A different file under the same name is never replaced")
    func conflict() async throws {
        let server = try SSHServer()
        try Data("theirs".utf8).write(to: URL(fileURLWithPath: server.dropFolder + "/k1"))
        let transport = try SFTPTransport(
            connection: connection(server, hostKey: .knownHosts(path: server.knownHosts)), directory: server.dropFolder)
        let error = await #expect(throws: TransportError.self) {
            _ = try await transport.deliver(OutgoingDelivery(idempotencyKey: "k1", payload: Array("ours".utf8)))
        }
        #expect(error?.code == .conflict)
        #expect(try String(contentsOfFile: server.dropFolder + "/k1", encoding: .utf8) == "theirs")
    }

    @Test("Replies can be listed, downloaded and removed")
    func replies() throws {
        let server = try SSHServer()
        try FileManager.default.createDirectory(atPath: server.dropFolder + "/out", withIntermediateDirectories: true)
        try Data("reply-1".utf8).write(to: URL(fileURLWithPath: server.dropFolder + "/out/r1.json"))
        try Data("reply-2".utf8).write(to: URL(fileURLWithPath: server.dropFolder + "/out/r2.json"))
        let client = SFTPClient(connection: connection(server, hostKey: .knownHosts(path: server.knownHosts)))
        #expect(try client.list(directory: server.dropFolder + "/out").sorted() == ["r1.json", "r2.json"])
        #expect(try client.download(path: server.dropFolder + "/out/r2.json") == Array("reply-2".utf8))
        try client.remove(path: server.dropFolder + "/out/r1.json")
        #expect(try client.list(directory: server.dropFolder + "/out") == ["r2.json"])
    }

    @Test("A host-key pin libcurl refuses is a permanent configuration error, not an unchecked connection")
    func refusedHostKeyOption() async throws {
        let server = try SSHServer()
        let oversized = "SHA256:" + String(repeating: "A", count: 9 << 20)
        let transport = try SFTPTransport(
            connection: connection(server, hostKey: .sha256Fingerprint(oversized)), directory: server.dropFolder)
        let error = await #expect(throws: TransportError.self) {
            _ = try await transport.deliver(OutgoingDelivery(idempotencyKey: "k1", payload: [1]))
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.isRetryable == false)
        #expect(error?.reason.contains("CURLOPT_SSH_HOST_PUBLIC_KEY_SHA256") == true)
        #expect(server.droppedFiles().isEmpty)
    }
}
