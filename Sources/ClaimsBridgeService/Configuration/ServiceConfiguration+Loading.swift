internal import ClaimsBridge
import ClaimsBridgeStorage
import ClaimsBridgeTransports
import Foundation

extension ServiceConfiguration {
    /// Reads and checks a service file. Relative paths (routes file, TLS files, `file:` tokens) are taken from the
    /// file's own folder.
    /// - Throws: `BridgeError` (`invalidConfiguration`) naming `file:line`.
    public static func load(path: String) throws -> ServiceConfiguration {
        let root = try ConfigNode.load(path: path)
        let base = (path as NSString).deletingLastPathComponent
        func resolve(_ file: String) -> String {
            file.hasPrefix("/") ? file : ((base.isEmpty ? "." : base) as NSString).appendingPathComponent(file)
        }
        try root.expectKeys(["listen", "tls", "routes", "watch", "limits", "clients", "labs", "labWebhooks", "insurerCallbacks", "carriers", "submission"],
            in: "the service file")
        var configuration = ServiceConfiguration(
            file: path, routesFile: resolve(try root.required("routes").string("`routes`")))
        if let listen = root["listen"] {
            let text = try listen.string("`listen`")
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                (0...65535).contains(port), colon > text.startIndex
            else { throw listen.error("`listen` must be host:port, e.g. 127.0.0.1:8080") }
            configuration.host = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            configuration.port = port
        }
        if let tls = root["tls"] {
            try tls.expectKeys(["certificate", "key"], in: "`tls`")
            configuration.tls = TLSFiles(
                certificate: resolve(try tls.required("certificate").string("`tls.certificate`")),
                key: resolve(try tls.required("key").string("`tls.key`")))
        }
        if configuration.tls == nil && !configuration.isLoopback {
            throw (root["listen"] ?? root).error(
                "plain HTTP is served on a loopback address only (127.0.0.1, ::1, localhost); give `tls:` a certificate and key to listen on \(configuration.host)"
            )
        }
        configuration.watch = try root["watch"]?.bool("`watch`") ?? false
        if let limits = root["limits"] { configuration.limits = try loadLimits(limits) }
        configuration.clients = try root["clients"].map { try loadClients($0, resolve: resolve) } ?? []
        for entry in try root["labs"]?.entries("`labs`") ?? [] {
            configuration.labs[entry.key] = try entry.value.string("a lab's destination")
        }
        for entry in try root["carriers"]?.entries("`carriers`") ?? [] {
            configuration.carriers[entry.key] = try entry.value.string("a carrier's destination")
        }
        if let submission = root["submission"] {
            try submission.expectKeys(["waitSeconds"], in: "`submission`")
            if let wait = submission["waitSeconds"] {
                let seconds = try wait.int("`submission.waitSeconds`")
                guard (1...300).contains(seconds) else { throw wait.error("`submission.waitSeconds` must be 1 to 300") }
                configuration.submissionWaitSeconds = Double(seconds)
            }
        }
        for entry in try root["labWebhooks"]?.entries("`labWebhooks`") ?? [] {
            configuration.labWebhooks[entry.key] = try loadLabWebhook(entry.value, resolve: resolve)
        }
        for entry in try root["insurerCallbacks"]?.entries("`insurerCallbacks`") ?? [] {
            configuration.insurerCallbacks[entry.key] = try loadInsurerCallback(entry.value, resolve: resolve)
        }
        return configuration
    }

    /// `{secrets: [env:LAB_WEBHOOK_SECRET, file:previous.secret], toleranceSeconds: 300}`
    private static func loadLabWebhook(_ node: ConfigNode, resolve: (String) -> String) throws -> LabWebhook {
        try node.expectKeys(["secrets", "toleranceSeconds"], in: "a lab webhook")
        return LabWebhook(secrets: try loadSecrets(node, resolve: resolve), toleranceSeconds: try loadTolerance(node))
    }

    /// A webhook's `secrets: [env:NAME, file:PATH]`: the current secret first, then those still accepted.
    static func loadSecrets(_ node: ConfigNode, resolve: (String) -> String) throws -> [SecretReference] {
        let secretsNode = try node.required("secrets")
        var secrets: [SecretReference] = []
        for item in try secretsNode.items("`secrets`") {
            guard var secret = SecretReference(parsing: try item.string("a webhook secret")) else {
                throw item.error("a webhook secret must be env:VARIABLE or file:PATH; a secret is never written in the file")
            }
            if case .file(let path) = secret { secret = .file(resolve(path)) }
            secrets.append(secret)
        }
        guard !secrets.isEmpty else { throw secretsNode.error("`secrets` lists no secret") }
        return secrets
    }

    /// A webhook's `toleranceSeconds` (default 300).
    static func loadTolerance(_ node: ConfigNode) throws -> Int {
        let tolerance = try node["toleranceSeconds"]?.int("`toleranceSeconds`") ?? 300
        guard tolerance > 0 else { throw try node.required("toleranceSeconds").error("`toleranceSeconds` must be at least 1") }
        return tolerance
    }

    private static func loadLimits(_ node: ConfigNode) throws -> ServiceLimits {
        try node.expectKeys(
            ["maxBodyBytes", "idleTimeoutSeconds", "bodyTimeoutSeconds", "concurrentRequests", "retryAfterSeconds"],
            in: "`limits`")
        var limits = ServiceLimits()
        func positive(_ key: String) throws -> Int? {
            guard let value = node[key] else { return nil }
            let number = try value.int("`limits.\(key)`")
            guard number > 0 else { throw value.error("`limits.\(key)` must be at least 1") }
            return number
        }
        limits.maximumBodyBytes = try positive("maxBodyBytes") ?? limits.maximumBodyBytes
        limits.idleTimeoutSeconds = Double(try positive("idleTimeoutSeconds") ?? Int(limits.idleTimeoutSeconds))
        limits.bodyTimeoutSeconds = Double(try positive("bodyTimeoutSeconds") ?? Int(limits.bodyTimeoutSeconds))
        limits.concurrentRequestsPerEndpoint =
            try positive("concurrentRequests") ?? limits.concurrentRequestsPerEndpoint
        limits.retryAfterSeconds = try positive("retryAfterSeconds") ?? limits.retryAfterSeconds
        return limits
    }

    private static func loadClients(_ node: ConfigNode, resolve: (String) -> String) throws -> [ServiceClient] {
        var clients: [ServiceClient] = []
        for item in try node.items("`clients`") {
            try item.expectKeys(["name", "token", "endpoints"], in: "a client")
            let name = try item.required("name").string("a client's `name`")
            if clients.contains(where: { $0.name == name }) {
                throw try item.required("name").error("the client name `\(name)` is used twice")
            }
            let tokenNode = try item.required("token")
            guard var token = SecretReference(parsing: try tokenNode.string("`token`")) else {
                throw tokenNode.error("`token` must be env:VARIABLE or file:PATH; a token is never written in the file")
            }
            if case .file(let path) = token { token = .file(resolve(path)) }
            let endpointsNode = try item.required("endpoints")
            let endpoints = try endpointsNode.items("`endpoints`").map { try $0.string("an endpoint") }
            for endpoint in endpoints where endpoint != "*" && !ServiceEndpoint.known.contains(endpoint) {
                throw endpointsNode.error(
                    "unknown endpoint `\(endpoint)`; the endpoints are: \(ServiceEndpoint.known.sorted().joined(separator: ", ")) or *"
                )
            }
            clients.append(ServiceClient(name: name, token: token, endpoints: Set(endpoints)))
        }
        return clients
    }
}
