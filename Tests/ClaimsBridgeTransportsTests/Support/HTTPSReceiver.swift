import Foundation

/// The python3 HTTPS receiver in `Servers/https_receiver.py`, started on 127.0.0.1 for one test.
final class HTTPSReceiver: @unchecked Sendable {
    /// One request as the receiver recorded it.
    struct Request: Decodable {
        var path: String
        var key: String?
        var status: Int
        var duplicate: Bool
        var body: String
        var signatureValid: Bool?
        var headers: [String: String]
        var bytes: [UInt8] { Array(Data(base64Encoded: body) ?? Data()) }
    }

    let port: Int
    let recordPath: String
    private let process: ServerProcess

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Servers/https_receiver.py").path

    /// Starts the receiver and waits until it listens.
    /// - Parameters:
    ///   - certificate: the server certificate to present (default: the valid one for 127.0.0.1).
    ///   - requireClientCertificate: whether to demand a client certificate signed by the test CA.
    ///   - script: status codes to answer in turn, e.g. `[500, 200]`.
    ///   - port: a fixed port (to restart on the same one), or nil for any free one.
    init(
        pki: TestPKI, certificate: String? = nil, requireClientCertificate: Bool = false, script: [Int] = [200],
        port: Int? = nil, recordPath: String? = nil, delaySeconds: Double = 0, webhookSecret: String? = nil,
        replyFile: String? = nil, retryAfter: String? = nil
    ) throws {
        self.port = port ?? freePort()
        self.recordPath = try recordPath ?? (makeScratchFolder("receiver") + "/requests.jsonl")
        var arguments = [
            Self.script, "--port", "\(self.port)", "--cert", certificate ?? pki.serverCertificate, "--key",
            pki.serverKey,
            "--record", self.recordPath, "--script", script.map(String.init).joined(separator: ","),
        ]
        if requireClientCertificate { arguments += ["--client-ca", pki.caCertificate] }
        if delaySeconds > 0 { arguments += ["--delay", "\(delaySeconds)"] }
        if let webhookSecret { arguments += ["--webhook-secret", webhookSecret] }
        if let replyFile { arguments += ["--reply-file", replyFile] }
        if let retryAfter { arguments += ["--retry-after", retryAfter] }
        process = try ServerProcess(Tool.path("python3") ?? "/usr/bin/python3", arguments)
        try waitForPort(self.port)
    }

    /// Stops the receiver (a later receiver may take over the same port and record file).
    func stop() { process.stop() }

    /// `https://127.0.0.1:<port><path>`.
    func url(_ path: String = "/inbox") -> String { "https://127.0.0.1:\(port)\(path)" }

    /// Every request recorded so far, in arrival order.
    func requests() throws -> [Request] {
        guard let data = FileManager.default.contents(atPath: recordPath) else { return [] }
        return try data.split(separator: UInt8(ascii: "\n")).map {
            try JSONDecoder().decode(Request.self, from: Data($0))
        }
    }

    /// The keys the receiver accepted as new deliveries (duplicates and failures excluded).
    func acceptedKeys() throws -> [String] {
        try requests().filter { !$0.duplicate && (200..<300).contains($0.status) }.compactMap(\.key)
    }
}
