import ClaimsBridgeTestSupport
import Foundation
import Testing

/// `watch`, `status`, `rekey` and `purge` with `encryption:` and `retention:` in the delivery configuration.
@Suite("Encryption and retention from the command line")
struct PersonalDataCommandTests {
    let folder: String
    static let keyOne = Data(repeating: 0x31, count: 32).base64EncodedString()
    static let keyTwo = String(repeating: "7e", count: 32)

    init() throws {
        folder = try makeScratchFolder("personal-data")
        for name in ["inbox", "out"] {
            try FileManager.default.createDirectory(atPath: folder + "/" + name, withIntermediateDirectories: true)
        }
        try """
            state: state
            delivery: delivery.yaml
            routes:
              - name: claims
                inbox: inbox
                stableSeconds: 0
                from: cdanet
                to: json
                deliver: [out]
            """.write(toFile: folder + "/routes.yaml", atomically: true, encoding: .utf8)
    }

    private func writeDelivery(_ encryption: String) throws {
        try """
            destinations:
              out: {type: folder, directory: out, namePattern: "{key}-{name}"}
            retention: {payloads: 90d, archives: 365d}
            \(encryption)
            """.write(toFile: folder + "/delivery.yaml", atomically: true, encoding: .utf8)
    }

    private func run(_ arguments: [String]) throws -> CLIRun {
        let mappings = arguments[0] == "status" ? [] : ["--mappings", Fixtures.mappings.path]
        return try CLIRun.run(
            arguments + ["--config", folder + "/routes.yaml"] + mappings,
            environment: ["CB_TEST_KEY_ONE": Self.keyOne, "CB_TEST_KEY_TWO": Self.keyTwo])
    }

    @Test("watch stores everything encrypted, rekey moves it to a new key, purge and status answer")
    func encryptRotatePurge() throws {
        try writeDelivery("encryption: {keyId: k1, key: env:CB_TEST_KEY_ONE}")
        let claim = try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")
        try Data(claim).write(to: URL(fileURLWithPath: folder + "/inbox/claim.txt"))
        let watch = try run(["watch", "--drain"])
        #expect(watch.status == 0, "\(watch.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder + "/out")
        let name = try #require(names.first { $0.hasSuffix("-claim.jsonl") }, "\(names)")
        let delivered = try Array(Data(contentsOf: URL(fileURLWithPath: folder + "/out/" + name)))
        #expect(delivered == (try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json")))
        let personal = try PersonalData.values(inExpected: "cdanet/v04/01-claim-basic.expected.json")
        let stored = [folder + "/state", folder + "/inbox/archive"]
        #expect(PersonalData.occurrences(of: personal, in: stored) == [])

        try writeDelivery(
            """
            encryption:
              keyId: k2
              key: env:CB_TEST_KEY_TWO
              previousKeys: [{keyId: k1, key: env:CB_TEST_KEY_ONE}]
            """)
        let check = try run(["watch", "--check"])
        #expect(check.stdout.contains("encrypted (AES-256-GCM) with key k2; older keys still read: k1"), "\(check.stdout)")
        let rekey = try run(["rekey"])
        #expect(rekey.status == 0, "\(rekey.stderr)")
        #expect(rekey.stdout.contains("outbox: 1 re-encrypted") && rekey.stdout.contains("files: 1 re-encrypted"))
        #expect(PersonalData.occurrences(of: personal, in: stored) == [])

        let purge = try run(["purge", "--dry-run"])
        #expect(purge.status == 0 && purge.stdout.contains("would purge 0 payloads, 0 originals"), "\(purge.stdout)")
        let status = try run(["status"])
        #expect(status.status == 0 && status.stdout.contains("delivered   1"), "\(status.stdout)")
        let chain = try run(["status", "--claim", "000101"])
        #expect(chain.status == 0 && chain.stdout.contains("claim"), "\(chain.stdout)")
        // Listing the outbox needs no key.
        let list = try CLIRun.run(["outbox", "list", "--config", folder + "/delivery.yaml"])
        #expect(list.status == 0 && list.stdout.contains("delivered: 1"), "\(list.stdout)\(list.stderr)")
    }

    @Test("A key that is not 32 bytes, or not set, is refused at its file:line without showing it")
    func badKeys() throws {
        try writeDelivery("encryption: {keyId: k1, key: file:\(folder)/short.key}")
        try "c2hvcnQta2V5LXZhbHVl\n".write(toFile: folder + "/short.key", atomically: true, encoding: .utf8)
        let short = try run(["watch", "--check"])
        #expect(short.status == 1)
        #expect(short.stderr.contains("delivery.yaml:4") && short.stderr.contains("not 32 bytes"), "\(short.stderr)")
        #expect(!short.stderr.contains("c2hvcnQta2V5LXZhbHVl"))
        try writeDelivery("encryption: {keyId: k1, key: env:CB_TEST_KEY_UNSET}")
        let unset = try run(["watch", "--check"])
        #expect(unset.status == 1 && unset.stderr.contains("CB_TEST_KEY_UNSET is not set"), "\(unset.stderr)")
        try writeDelivery("encryption: {keyId: k1, key: c2hvcnQta2V5LXZhbHVl}")
        let literal = try run(["watch", "--check"])
        #expect(literal.status == 1 && literal.stderr.contains("env:VARIABLE or file:PATH"), "\(literal.stderr)")
    }
}
