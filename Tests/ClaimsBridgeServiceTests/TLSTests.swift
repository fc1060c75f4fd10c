import ClaimsBridgeTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The service over TLS, with curl as the client; the certificate is read again on SIGHUP.
@Suite(.serialized) struct TLSTests {
    /// A self-signed certificate for 127.0.0.1 with the common name `name`, as name.pem and name.key.
    private static func makeCertificate(_ name: String, in folder: String) async throws {
        let made = try await Tool.run(
            "openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                "-keyout", "\(name).key", "-out", "\(name).pem", "-subj", "/CN=\(name)",
                "-addext", "subjectAltName=IP:127.0.0.1",
            ], in: folder)
        #expect(made.status == 0, "\(made.stderr)")
    }

    private static func subject(port: Int, folder: String) async throws -> (status: String, subject: String) {
        let result = try await Tool.run(
            "curl",
            [
                "-sS", "-v", "--cacert", folder + "/trusted.pem", "-o", "/dev/stdout", "-w", "\n%{http_code}",
                "https://127.0.0.1:\(port)/healthz",
            ])
        let subject = result.stderr.split(separator: "\n").first { $0.contains("subject:") }.map(String.init) ?? ""
        return (String(result.stdout.split(separator: "\n").last ?? ""), subject)
    }

    @Test func servesOverTLSAndReloadsTheCertificateOnSIGHUP() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serve-tls-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try await Self.makeCertificate("first", in: folder)
        try await Self.makeCertificate("second", in: folder)
        let first = try String(contentsOfFile: folder + "/first.pem", encoding: .utf8)
        let second = try String(contentsOfFile: folder + "/second.pem", encoding: .utf8)
        try (first + second).write(toFile: folder + "/trusted.pem", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: folder + "/first.pem", toPath: folder + "/server.pem")
        try FileManager.default.copyItem(atPath: folder + "/first.key", toPath: folder + "/server.key")

        let fixture = try ServiceFixture(
            serviceYAML: "tls: {certificate: \(folder)/server.pem, key: \(folder)/server.key}")
        try await fixture.withServer { client in
            let before = try await Self.subject(port: client.port, folder: folder)
            #expect(before.status == "200")
            #expect(before.subject.contains("CN=first") || before.subject.contains("CN = first"))
            // Plain HTTP on the TLS port gets no answer.
            let plain = try? await LoopbackHTTP.request(port: client.port, method: "GET", path: "/healthz")
            #expect(plain?.status != 200)

            for name in ["pem", "key"] {
                try FileManager.default.removeItem(atPath: folder + "/server.\(name)")
                try FileManager.default.copyItem(atPath: folder + "/second.\(name)", toPath: folder + "/server.\(name)")
            }
            try await Task.sleep(for: .milliseconds(300))
            kill(getpid(), SIGHUP)
            var after = try await Self.subject(port: client.port, folder: folder)
            for _ in 0..<50 where !after.subject.contains("second") {
                try await Task.sleep(for: .milliseconds(200))
                after = try await Self.subject(port: client.port, folder: folder)
            }
            #expect(after.status == "200")
            #expect(after.subject.contains("second"))
        }
    }
}
