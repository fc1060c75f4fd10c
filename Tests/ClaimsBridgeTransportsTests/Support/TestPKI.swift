import Foundation

/// Certificates made with the openssl tool at test time: a CA, server certificates for 127.0.0.1 (valid,
/// expired, for another host name, self-signed) and a client certificate for mutual TLS.
struct TestPKI: Sendable {
    let folder: String
    var caCertificate: String { folder + "/ca.pem" }
    var otherCACertificate: String { folder + "/other-ca.pem" }
    var serverCertificate: String { folder + "/server.pem" }
    var serverKey: String { folder + "/server.key" }
    var expiredCertificate: String { folder + "/expired.pem" }
    var wrongHostCertificate: String { folder + "/wrong-host.pem" }
    var selfSignedCertificate: String { folder + "/self-signed.pem" }
    var clientCertificate: String { folder + "/client.pem" }
    var clientKey: String { folder + "/client.key" }

    /// Made once per test process.
    static let shared: Result<TestPKI, any Error> = Result { try TestPKI.make() }

    static func make() throws -> TestPKI {
        let pki = TestPKI(folder: try makeScratchFolder("claimsbridge-pki"))
        let folder = pki.folder
        func openssl(_ arguments: String) throws {
            try Tool.run("openssl", arguments.split(separator: " ").map(String.init), in: folder)
        }
        let ec = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
        try openssl("req -x509 \(ec) -keyout ca.key -out ca.pem -days 30 -subj /CN=ClaimsBridge-Test-CA")
        try openssl("req -x509 \(ec) -keyout other-ca.key -out other-ca.pem -days 30 -subj /CN=Other-CA")
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(
            toFile: folder + "/loopback.ext", atomically: true, encoding: .utf8)
        try "subjectAltName=DNS:wrong.example\n".write(toFile: folder + "/wrong.ext", atomically: true, encoding: .utf8)
        try openssl("req \(ec) -keyout server.key -out server.csr -subj /CN=127.0.0.1")
        let sign = "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
        try openssl("\(sign) -days 30 -extfile loopback.ext -out server.pem")
        try openssl("\(sign) -days -1 -extfile loopback.ext -out expired.pem")
        try openssl("\(sign) -days 30 -extfile wrong.ext -out wrong-host.pem")
        try openssl("x509 -req -in server.csr -signkey server.key -days 30 -extfile loopback.ext -out self-signed.pem")
        try openssl("req \(ec) -keyout client.key -out client.csr -subj /CN=claimsbridge-client")
        try openssl("x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -out client.pem")
        return pki
    }
}
