import ClaimsBridgeTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `claimsbridge serve --watch`: the built binary serves the API and runs the watcher in one process.
@Suite struct ServeCommandTests {
    /// A port nothing listens on now.
    private static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test func serveWithWatchAnswersForWhatItsWatcherRecords() async throws {
        let fixture = try ServiceFixture()
        let port = try Self.freePort()
        let text = try String(contentsOfFile: fixture.root + "/service.yaml", encoding: .utf8)
        try text.replacingOccurrences(of: "listen: 127.0.0.1:0", with: "listen: 127.0.0.1:\(port)")
            .write(toFile: fixture.root + "/service.yaml", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = CommandRunner.executable
        process.arguments = ["serve", "--config", fixture.root + "/service.yaml", "--watch"]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        var health: HTTPReply?
        for _ in 0..<100 where health?.status != 200 {
            health = try? await LoopbackHTTP.request(port: port, method: "GET", path: "/healthz")
            if health?.status != 200 { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(health?.status == 200)
        try Data(try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json"))
            .write(to: URL(fileURLWithPath: fixture.root + "/inbox/claims/claim.jsonl"))
        var chain: HTTPReply?
        for _ in 0..<150 where chain?.status != 200 {
            try await Task.sleep(for: .milliseconds(200))
            chain = try await LoopbackHTTP.request(
                port: port, method: "GET", path: "/v1/claims/000101",
                headers: ["Authorization": "Bearer \(ServiceFixture.fullToken)"])
        }
        #expect(chain?.status == 200)
        #expect(chain?.text.contains("\"type\":\"claim\"") == true)

        process.terminate()
        for _ in 0..<300 where process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 0, "SIGTERM stops it gracefully")
    }
}
