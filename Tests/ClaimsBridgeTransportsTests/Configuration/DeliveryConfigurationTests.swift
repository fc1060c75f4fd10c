import ClaimsBridge
import ClaimsBridgeStorage
import ClaimsBridgeTransports
import Foundation
import Testing

@Suite("Delivery configuration")
struct DeliveryConfigurationTests {
    let folder: String

    init() throws { folder = try makeScratchFolder("config") }

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

    @Test("Every destination type loads, relative paths resolve against the file, secrets are listed")
    func loadsAll() throws {
        let configuration = try load(
            """
            outbox: {path: data/outbox.sqlite, maxAttempts: 4, initialDelaySeconds: 2, leaseSeconds: 30}
            destinations:
              archive: {type: folder, directory: out, namePattern: "{key}.json", doneMarker: .done}
              insurer:
                type: https
                url: https://claims.example/inbox
                caBundle: certs/ca.pem
                authorization: env:INSURER_TOKEN
                headers: {X-Clinic: "0042"}
              drop:
                type: sftp
                host: sftp.example
                user: clinic
                privateKey: keys/id_ed25519
                passphrase: file:/run/secrets/passphrase
                hostKeySHA256: SHA256:abc
                directory: inbound
              events: {type: webhook, url: "https://hooks.example/x", secret: "env:HOOK"}
            """)
        #expect(configuration.outboxPath == folder + "/data/outbox.sqlite")
        #expect(configuration.retryPolicy.maxAttempts == 4 && configuration.leaseSeconds == 30)
        #expect(configuration.destinations.map(\.name) == ["archive", "insurer", "drop", "events"])
        let transports = try configuration.makeTransports()
        #expect((transports["archive"] as? FolderTransport)?.directory == folder + "/out")
        #expect((transports["insurer"] as? HTTPSTransport)?.headers == ["X-Clinic: 0042"])
        #expect((transports["drop"] as? SFTPTransport)?.client.connection.privateKey == folder + "/keys/id_ed25519")
        #expect(configuration.destination("drop")?.secrets.map(\.reference) == [.file("/run/secrets/passphrase")])
        #expect(configuration.destination("events")?.secrets.map(\.reference) == [.environment("HOOK")])
    }

    @Test(
        "Mistakes are reported with file:line",
        arguments: [
            ("destinations:\n  a: {type: ftp}\n", ":2: error: unknown destination type `ftp`"),
            ("destinations:\n  a:\n    type: https\n    url: http://x\n", ":4: error: url must start with https://"),
            (
                "destinations:\n  a: {type: sftp, host: h, user: u, privateKey: k}\n",
                ":2: error: an sftp destination needs `knownHosts` or `hostKeySHA256`"
            ),
            ("destinations:\n  a: {type: folder, directory: d, namePattern: x}\n", ":2: error: destination a:"),
            ("outbox: {path: x}\nextra: 1\ndestinations: {}\n", ":2: error: unknown key `extra`"),
            (
                "destinations:\n  a: {type: https, url: 'https://x', authorization: Bearer abc}\n",
                "authorization must be env:"
            ),
            (
                "destinations:\n  a:\n    type: https\n    url: https://x\n    headers:\n      Authorization: Bearer abc\n",
                ":6: error: headers.Authorization (it carries a credential) must be env:VARIABLE or file:PATH"
            ),
            (
                "destinations:\n  a:\n    type: https\n    url: https://x\n    headers: {X-API-Key: Bearer abc}\n",
                ":5: error: headers.X-API-Key (it carries a credential) must be env:"
            ),
            (
                "outbox: {leaseSeconds: 0.5}\ndestinations:\n  a: {type: folder, directory: d}\n",
                ":1: error: leaseSeconds"
            ),
        ])
    func mistakes(_ text: String, _ message: String) {
        let description = error(text)
        #expect(description.contains("delivery.yaml"))
        #expect(description.contains(message), "\(description)")
        #expect(!description.contains("Bearer abc"))
    }

    @Test("Secret references: env: and file:, literals refused, values never in descriptions")
    func secrets() throws {
        #expect(SecretReference(parsing: "env:A") == .environment("A"))
        #expect(SecretReference(parsing: "file:/x") == .file("/x"))
        #expect(SecretReference(parsing: "hunter2") == nil)
        let path = folder + "/secret"
        try "s3cret\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try SecretReference.file(path).resolve() == "s3cret")
        let missing = #expect(throws: TransportError.self) {
            try SecretReference.environment("CB_TEST_SURELY_UNSET").resolve()
        }
        #expect(missing?.description.contains("CB_TEST_SURELY_UNSET") == true)
    }

    @Test("Derived idempotency keys depend on name and bytes and are valid file names")
    func derivedKeys() {
        let key = IdempotencyKey.derived(name: "batch 1/é.json", payload: [1, 2, 3])
        #expect(OutgoingDelivery.isValidKey(key))
        #expect(key == IdempotencyKey.derived(name: "batch 1/é.json", payload: [1, 2, 3]))
        #expect(key != IdempotencyKey.derived(name: "batch 1/é.json", payload: [1, 2, 4]))
        // SHA-256("abc") starts with ba7816bf8f01cfea.
        #expect(IdempotencyKey.derived(name: "a", payload: Array("abc".utf8)) == "a-ba7816bf8f01cfea")
    }

    @Test(
        "Headers that carry credentials must be secret references, whatever their spelling",
        arguments: ["Authorization", "proxy-authorization", "Cookie", "X-API-Key", "X-Auth-Token", "X-Client-Secret"])
    func secretBearingHeaders(_ name: String) throws {
        #expect(SecretBearingHeader.matches(name))
        let literal = error(
            "destinations:\n  a:\n    type: https\n    url: https://x\n    headers:\n      \(name): abc123\n")
        #expect(literal.contains("delivery.yaml:6: error: headers.\(name)"), "\(literal)")
        #expect(!literal.contains("abc123"))
        let configuration = try load(
            "destinations:\n  a:\n    type: https\n    url: https://x\n    headers:\n      \(name): env:PARTNER_KEY\n")
        let transport = try #require(try configuration.makeTransports()["a"] as? HTTPSTransport)
        #expect(transport.headers.isEmpty)
        #expect(transport.secretHeaders.map(\.name) == [name])
        #expect(configuration.destination("a")?.secrets.map(\.reference) == [.environment("PARTNER_KEY")])
        #expect(throws: TransportError.self) { try HTTPSTransport(url: "https://x", headers: ["\(name): abc123"]) }
    }

    @Test("The default lease outlasts the longest attempt any destination allows")
    func defaultLease() throws {
        let https = try load("destinations:\n  a: {type: https, url: 'https://x', timeoutSeconds: 100}\n")
        #expect(https.leaseSeconds == 120)
        let sftp = try load(
            "destinations:\n  a: {type: folder, directory: d}\n  b: {type: sftp, host: h, user: u, privateKey: k, hostKeySHA256: x}\n"
        )
        #expect(sftp.leaseSeconds == 140)
        #expect(try load("destinations:\n  a: {type: folder, directory: d}\n").leaseSeconds == 30)
    }
}
