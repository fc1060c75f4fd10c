import ClaimsBridge
import ClaimsBridgeTransports
import Foundation

/// Deliveries per second through the outbox (SQLite on disk, WAL) to the folder transport and to a loopback
/// HTTPS receiver (the python3 test receiver with a certificate made by the openssl tool).
///
///   swift run -c release --package-path Benchmarks claimsbridge-transport-bench [--deliveries N]
enum TransportBenchmark {
    static func runBlocking(_ arguments: [String]) -> Int32 {
        let result = ResultBox()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do {
                try await run(arguments)
                result.set(0)
            } catch {
                FileHandle.standardError.write(Data("claimsbridge-transport-bench: \(error)\n".utf8))
                result.set(1)
            }
            done.signal()
        }
        done.wait()
        return result.get()
    }

    static func run(_ arguments: [String]) async throws {
        var deliveries = 2000
        if let index = arguments.firstIndex(of: "--deliveries"), index + 1 < arguments.count,
            let number = Int(arguments[index + 1]), number > 0
        {
            deliveries = number
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cb-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/out", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let payload = Array(String(repeating: "{\"claim\":\"0000000001\",\"fee\":\"125.50\"}", count: 25).utf8)
        say("transports  (outbox SQLite on disk in \(NSTemporaryDirectory()), payload \(payload.count) bytes, WAL)")

        let folderTransport = try FolderTransport(directory: folder + "/out", namePattern: "{key}.json")
        for concurrency in [1, 4] {
            try await measure(
                "folder       concurrency \(concurrency)", deliveries: deliveries, payload: payload,
                outbox: folder + "/folder-\(concurrency).sqlite", transport: folderTransport, concurrency: concurrency)
        }

        let server = try LoopbackReceiver(folder: folder)
        defer { server.stop() }
        let https = try HTTPSTransport(url: server.url, tls: TLSOptions(caBundle: server.caBundle))
        for concurrency in [1, 8] {
            try await measure(
                "https        concurrency \(concurrency)", deliveries: max(1, deliveries / 4), payload: payload,
                outbox: folder + "/https-\(concurrency).sqlite", transport: https, concurrency: concurrency)
        }
        say("https        connections opened for all of them: \(https.connectionsOpened) (kept open and reused)")
    }

    static func measure(
        _ name: String, deliveries: Int, payload: [UInt8], outbox path: String, transport: any Transport,
        concurrency: Int
    ) async throws {
        let outbox = try Outbox(path: path)
        let clock = ContinuousClock()
        let start = clock.now
        for index in 0..<deliveries {
            try outbox.enqueue(
                destination: "d", payload: payload, idempotencyKey: "\(name.prefix(5))-\(concurrency)-\(index)")
        }
        let enqueued = clock.now
        var delivered = 0
        while delivered < deliveries {
            let summary = try await outbox.deliverDue(
                transports: ["d": transport], limit: 200, concurrency: concurrency)
            guard summary.retrying.isEmpty && summary.dead.isEmpty, summary.attempted > 0 else {
                throw BenchError(
                    "\(name): a delivery failed: \(try outbox.deliveries(in: .pending).first?.lastError ?? "?")")
            }
            delivered += summary.delivered.count
        }
        let end = clock.now
        func seconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        }
        let enqueueSeconds = seconds(enqueued - start)
        let deliverSeconds = seconds(end - enqueued)
        say(
            "\(name)  \(deliveries) deliveries  enqueue \(Int(Double(deliveries) / enqueueSeconds))/s  "
                + "deliver \(Int(Double(deliveries) / deliverSeconds))/s  "
                + "end to end \(Int(Double(deliveries) / (enqueueSeconds + deliverSeconds)))/s")
    }
}

private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int32 = 1
    func set(_ code: Int32) { lock.withLock { value = code } }
    func get() -> Int32 { lock.withLock { value } }
}

/// The test suite's python3 HTTPS receiver, with a CA and server certificate made for this run.
final class LoopbackReceiver {
    let url: String
    let caBundle: String
    private let process = Process()

    init(folder: String) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Tests/ClaimsBridgeTransportsTests/Servers/https_receiver.py").path
        func openssl(_ arguments: String) throws {
            let tool = Process()
            tool.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            tool.arguments = arguments.split(separator: " ").map(String.init)
            tool.currentDirectoryURL = URL(fileURLWithPath: folder)
            tool.standardError = FileHandle.nullDevice
            try tool.run()
            tool.waitUntilExit()
            guard tool.terminationStatus == 0 else { throw BenchError("openssl \(arguments) failed") }
        }
        let ec = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
        try openssl("req -x509 \(ec) -keyout ca.key -out ca.pem -days 2 -subj /CN=bench-ca")
        try openssl("req \(ec) -keyout server.key -out server.csr -subj /CN=127.0.0.1")
        try "subjectAltName=IP:127.0.0.1\n".write(toFile: folder + "/san.ext", atomically: true, encoding: .utf8)
        try openssl(
            "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out server.pem"
        )
        caBundle = folder + "/ca.pem"
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", script, "--cert", folder + "/server.pem", "--key", folder + "/server.key", "--record",
            folder + "/requests.jsonl",
        ]
        process.standardOutput = output
        try process.run()
        var line = ""
        while !line.contains("\n") && process.isRunning {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { usleep(10_000) }
            line += String(decoding: chunk, as: UTF8.self)
        }
        let ready = line.split(separator: "\n").first { $0.hasPrefix("READY ") }
        guard let ready, let port = Int(ready.dropFirst(6).trimmingCharacters(in: .whitespaces)) else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            throw BenchError("the HTTPS receiver did not start: \(line)")
        }
        url = "https://127.0.0.1:\(port)/inbox"
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
