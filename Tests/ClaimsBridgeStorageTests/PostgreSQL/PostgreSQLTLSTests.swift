import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import Foundation
import Testing

/// A real TLS handshake with a private PostgreSQL server listening on 127.0.0.1 with `ssl=on`, its certificate
/// signed by a throwaway authority made here with `openssl`.
@Suite("PostgreSQL over TLS")
struct PostgreSQLTLSTests {
    /// Runs `openssl` with `arguments` in `folder`.
    func openssl(_ arguments: [String], in folder: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "openssl \(arguments.joined(separator: " "))")
    }

    /// A certificate authority `name`-ca.pem and, when `server` is set, a server certificate it signs for
    /// `localhost` (not for 127.0.0.1).
    func makeAuthority(_ name: String, in folder: String, server: Bool) throws {
        try openssl(
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=\(name) test CA",
             "-keyout", "\(name)-ca.key", "-out", "\(name)-ca.pem"], in: folder)
        guard server else { return }
        try openssl(
            ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key", "-out",
             "server.csr"], in: folder)
        try "subjectAltName=DNS:localhost\n".write(toFile: folder + "/san.ext", atomically: true, encoding: .utf8)
        try openssl(
            ["x509", "-req", "-in", "server.csr", "-CA", "\(name)-ca.pem", "-CAkey", "\(name)-ca.key",
             "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out", "server.crt"], in: folder)
    }

    @Test("verify-full with the right authority: the session is encrypted; another authority or another name is refused")
    func handshake() throws {
        let folder = NSTemporaryDirectory() + "pg-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try makeAuthority("good", in: folder, server: true)
        try makeAuthority("other", in: folder, server: false)
        let server = try PostgreSQLTestServer(tls: (folder + "/server.crt", folder + "/server.key"))
        defer { server.destroy() }
        let database = try server.newDatabase().database

        func configuration(host: String, mode: String, authority: String) throws -> PostgreSQLConfiguration {
            try PostgreSQLConfiguration(
                host: host, port: server.port, user: server.user, database: database,
                password: .file(server.passwordFile), sslMode: mode,
                sslRootCertificateFile: folder + "/\(authority)-ca.pem", connectTimeoutSeconds: 5)
        }

        let secured = try PostgreSQLDatabase(configuration: configuration(host: "localhost", mode: "verify-full", authority: "good"))
        let session = try secured.execute(
            "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
        ).rows.first?.values
        #expect(session?.first == "t", "\(String(describing: session))")
        #expect(session?.last??.hasPrefix("TLSv1.") == true, "\(String(describing: session))")
        #expect(secured.effectiveOptions["sslmode"] == "verify-full")

        #expect(throws: PostgreSQLError.self, "an authority that did not sign the server's certificate") {
            try PostgreSQLDatabase(configuration: configuration(host: "localhost", mode: "verify-full", authority: "other"))
        }
        #expect(throws: PostgreSQLError.self, "the certificate names localhost, not 127.0.0.1") {
            try PostgreSQLDatabase(configuration: configuration(host: "127.0.0.1", mode: "verify-full", authority: "good"))
        }
        // verify-ca checks the authority only, so the address is accepted.
        _ = try PostgreSQLDatabase(configuration: configuration(host: "127.0.0.1", mode: "verify-ca", authority: "good"))
    }
}
