import ClaimsBridge
import ClaimsBridgeTransports
import Foundation
import Testing

@Suite("Readiness checks without sending")
struct TransportReadinessTests {
    func problems(_ yaml: String, in folder: String) throws -> [String: [String]] {
        let path = folder + "/delivery.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let transports = try DeliveryConfiguration.load(path: path).makeTransports()
        return transports.mapValues { ($0 as? any ReadinessChecking)?.readinessProblems() ?? ["not checkable"] }
    }

    @Test("A missing destination folder, or a file in its place, is reported; an existing writable one is not")
    func folders() throws {
        let folder = try makeScratchFolder("ready")
        try FileManager.default.createDirectory(atPath: folder + "/out", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: folder + "/plain", contents: Data()))
        let found = try problems(
            """
            destinations:
              good: {type: folder, directory: out}
              missing: {type: folder, directory: nowhere}
              notAFolder: {type: folder, directory: plain}
            """, in: folder)
        #expect(found["good"] == [])
        #expect(found["missing"] == ["the folder \(folder)/nowhere does not exist"])
        #expect(found["notAFolder"] == ["\(folder)/plain is not a folder"])
    }

    @Test("HTTPS, webhook and SFTP: unreadable certificate and key files and unset secrets are reported, never values")
    func filesAndSecrets() throws {
        let folder = try makeScratchFolder("ready")
        #expect(FileManager.default.createFile(atPath: folder + "/ca.pem", contents: Data("pem".utf8)))
        #expect(FileManager.default.createFile(atPath: folder + "/id_ed25519", contents: Data("key".utf8)))
        let variable = "CLAIMSBRIDGE_READINESS_UNSET_\(UInt32.random(in: 0...UInt32.max))"
        let found = try problems(
            """
            destinations:
              insurer: {type: https, url: "https://claims.example/in", caBundle: ca.pem, clientCertificate: gone.pem, authorization: "env:\(variable)"}
              hook: {type: webhook, url: "https://hooks.example/x", secret: "file:\(folder)/no-secret"}
              drop: {type: sftp, host: h, user: u, privateKey: id_ed25519, knownHosts: known_hosts, passphrase: "env:\(variable)"}
              fine: {type: https, url: "https://claims.example/in", caBundle: ca.pem}
            """, in: folder)
        #expect(
            found["insurer"] == [
                "the client certificate \(folder)/gone.pem does not exist",
                "authorization: the environment variable \(variable) is not set",
            ])
        #expect(found["hook"] == ["secret: cannot read the secret file \(folder)/no-secret"])
        #expect(
            found["drop"] == [
                "passphrase: the environment variable \(variable) is not set",
                "known_hosts \(folder)/known_hosts does not exist",
            ])
        #expect(found["fine"] == [])
    }
}
