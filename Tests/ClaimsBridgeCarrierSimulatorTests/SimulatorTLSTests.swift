import ClaimsBridge
import ClaimsBridgeCarrierSimulator
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
import Foundation
import Testing

/// The simulator over HTTPS with mutual TLS, reached through the carrier transport's TLS rules.
@Suite("Carrier simulator over mutual TLS")
struct SimulatorTLSTests {
    /// A CA, a server certificate for 127.0.0.1 and a client certificate, made with the openssl tool.
    static func makePKI() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sim-pki-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "subjectAltName=IP:127.0.0.1\n".write(toFile: folder + "/ext", atomically: true, encoding: .utf8)
        let ec = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
        for command in [
            "req -x509 \(ec) -keyout ca.key -out ca.pem -days 2 -subj /CN=Sim-CA",
            "req \(ec) -keyout server.key -out server.csr -subj /CN=127.0.0.1",
            "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile ext -out server.pem",
            "req \(ec) -keyout client.key -out client.csr -subj /CN=office",
            "x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out client.pem",
            "req -x509 \(ec) -keyout other.key -out other.pem -days 2 -subj /CN=Other",
        ] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = command.split(separator: " ").map(String.init)
            process.currentDirectoryURL = URL(fileURLWithPath: folder)
            process.standardError = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw BridgeError(.io, "openssl \(command) failed") }
        }
        return folder
    }

    @Test(
        "With the client certificate the exchange succeeds; without it, or trusting another CA, it fails",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
    func mutualTLS() async throws {
        let pki = try Self.makePKI()
        let table = try PlanTable.parse(yaml: SimulatorExchangeTests.plans)
        let simulator = CarrierSimulator(table: table, catalog: Fixtures.catalog)
        let tls = SimulatorTLS(certificate: pki + "/server.pem", key: pki + "/server.key", clientCA: pki + "/ca.pem")
        let eligibility = try Fixtures.bytes("cdanet/v04/08-eligibility.txt")
        try await simulator.withRunning(tls: tls) { port in
            let url = "https://127.0.0.1:\(port)/cdanet"
            // The simulator answers on the test process's cooperative threads, which other tests' blocking waits can
            // hold for seconds on a loaded machine: the reply may take long, the point here is whether TLS lets it in.
            let office = try CarrierTransport(
                url: url,
                tls: TLSOptions(
                    caBundle: pki + "/ca.pem", clientCertificate: pki + "/client.pem", clientKey: pki + "/client.key"),
                replyTimeoutSeconds: 60)
            #expect(try await office.exchange(eligibility).transactionCode == "18")

            let anonymous = try CarrierTransport(url: url, tls: TLSOptions(caBundle: pki + "/ca.pem"))
            await #expect(throws: TransportError.self) { try await anonymous.exchange(eligibility) }

            let distrustful = try CarrierTransport(
                url: url,
                tls: TLSOptions(
                    caBundle: pki + "/other.pem", clientCertificate: pki + "/client.pem", clientKey: pki + "/client.key"))
            do {
                _ = try await distrustful.exchange(eligibility)
                Issue.record("a server signed by another CA was trusted")
            } catch {
                #expect((error as? TransportError)?.code == .peerVerificationFailed, "\(error)")
            }
            let wrongPin = try CarrierTransport(
                url: url,
                tls: TLSOptions(
                    caBundle: pki + "/ca.pem", clientCertificate: pki + "/client.pem", clientKey: pki + "/client.key",
                    pinnedPublicKey: "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="))
            do {
                _ = try await wrongPin.exchange(eligibility)
                Issue.record("a wrong pin was accepted")
            } catch {
                #expect((error as? TransportError)?.code == .peerVerificationFailed, "\(error)")
            }
        }
    }
}
