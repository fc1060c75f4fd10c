import ArgumentParser
import ClaimsBridge
import ClaimsBridgeCarrierSimulator
import Foundation
import Logging

struct SimulateCarrierCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate-carrier",
        abstract: "Run a simulated CDAnet carrier that answers from a plan table (for tests, demos and integrators).",
        discussion: """
            Answers POST /cdanet (or /) with one CDAnet request in the body, raw or as {"message": "<base64>"} \
            (Content-Type: application/json): claims (01) and COB claims (07) with 21 or 11, predeterminations (03) \
            with 23 or 13, reversals (02) with 12, eligibility (08) with 18, and the mailbox (04) with the pended \
            answers then 14. The X-Simulator-Behaviour header (normal, slow, fail, drop, garbage) and \
            X-Simulator-Delay-Seconds change how one request is answered. Stops on SIGTERM or SIGINT. \
            See Docs/carrier-simulator.md.
            """)

    @Option(help: "The plan table (YAML).")
    var plans: String

    @Option(help: "The address to listen on, HOST:PORT; port 0 picks a free one.")
    var listen: String = "127.0.0.1:0"

    @Option(help: "Once listening, write the port to this file (for scripts).")
    var portFile: String?

    @Option(help: "The TLS certificate chain (PEM); with --tls-key, the simulator speaks HTTPS.")
    var tlsCert: String?

    @Option(help: "The TLS private key (PEM).")
    var tlsKey: String?

    @Option(help: "Require client certificates signed by these authorities (PEM): mutual TLS.")
    var tlsClientCA: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
        if tlsClientCA != nil && tlsCert == nil { throw ValidationError("--tls-client-ca needs --tls-cert and --tls-key") }
        guard address != nil else { throw ValidationError("--listen must be HOST:PORT, such as 127.0.0.1:8600") }
        if tlsCert == nil, let host = address?.host, !["127.0.0.1", "localhost", "::1"].contains(host) {
            throw ValidationError("plain HTTP is served on loopback only; give --tls-cert and --tls-key for \(host)")
        }
    }

    var address: (host: String, port: Int)? {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(listen[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    func run() async throws {
        let table = try PlanTable.load(path: plans)
        var logger = common.makeLogger()
        if logger.logLevel > .info { logger.logLevel = .info }
        let simulator = CarrierSimulator(table: table, catalog: try common.loadCatalog(), logger: logger)
        let tls = tlsCert.map { SimulatorTLS(certificate: $0, key: tlsKey ?? "", clientCA: tlsClientCA) }
        let (host, port) = address!
        let scheme = tls == nil ? "http" : "https"
        let portFile = self.portFile
        try await simulator.run(host: host, port: port, tls: tls, handleSignals: true) { actual in
            if let portFile { try? "\(actual)\n".write(toFile: portFile, atomically: true, encoding: .utf8) }
            let shown = host.contains(":") ? "[\(host)]" : host
            let line = "carrier \(table.carrierId) simulator listening on \(scheme)://\(shown):\(actual)/cdanet\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
    }
}
