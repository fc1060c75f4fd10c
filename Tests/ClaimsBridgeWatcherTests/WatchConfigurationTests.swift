import ClaimsBridge
import ClaimsBridgeWatcher
import Foundation
import Testing

@Suite("Routes file")
struct WatchConfigurationTests {
    func load(_ yaml: String) throws -> WatchConfiguration {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("routes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("routes.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return try WatchConfiguration.load(path: path, knownTransports: ["carrier", "archive"])
    }

    @Test("A routes file is read with folders relative to it and sensible defaults")
    func valid() throws {
        let configuration = try load(
            """
            state: /var/lib/claimsbridge
            delivery: delivery.yaml
            rescanSeconds: 10
            routes:
              - name: outgoing-claims
                inbox: drop/claims
                pattern: ["*.jsonl", "*.json"]
                from: json
                to: cdanet
                deliver: [carrier, archive]
              - name: replies
                inbox: /srv/replies
                doneMarker: .ok
                from: cdanet
                to: json
                deliver: archive
            """)
        #expect(configuration.stateDirectory == "/var/lib/claimsbridge")
        #expect(configuration.deliveryConfigurationPath?.hasSuffix("/delivery.yaml") == true)
        #expect(configuration.rescanInterval == .seconds(10))
        let first = configuration.routes[0]
        #expect(first.inbox.hasSuffix("/drop/claims") && first.inbox.hasPrefix("/"))
        #expect(first.patterns == ["*.jsonl", "*.json"])
        #expect(first.translation == .jsonToCDAnet)
        #expect(first.transports == ["carrier", "archive"])
        #expect(first.readiness == .stableFor(.seconds(2)))
        #expect(first.archiveDirectory == first.inbox + "/archive")
        #expect(configuration.routes[1].readiness == .doneMarker(suffix: ".ok"))
        #expect(configuration.routes[1].translation == .cdanetToJSON)
    }

    @Test(
        "Mistakes are reported with the file and line",
        arguments: [
            ("routes:\n  - name: a\n    inbox: in\n    deliver: nowhere\n", 4, "unknown destination `nowhere`"),
            ("routes:\n  - name: a\n    inbox: in\n    deliver: carrier\n    colour: red\n", 5, "unknown key `colour`"),
            ("routes:\n  - name: a\n    inbox: in\n    from: cdanet\n    to: xml\n    deliver: carrier\n", 4, "cannot translate"),
            (
                "routes:\n  - {name: a, inbox: in, deliver: carrier}\n  - {name: b, inbox: in, deliver: carrier}\n", 3,
                "already watched"
            ),
            ("routes:\n  - name: a b\n    inbox: in\n    deliver: carrier\n", 2, "route name"),
            ("routes: []\n", 1, "no route"),
        ])
    func mistakes(yaml: String, line: Int, reason: String) throws {
        let error = #expect(throws: BridgeError.self) { try load("delivery: delivery.yaml\n" + yaml) }
        #expect(error?.location.line == line + 1, "\(String(describing: error))")
        #expect(error?.reason.contains(reason) == true, "\(String(describing: error))")
    }
}
