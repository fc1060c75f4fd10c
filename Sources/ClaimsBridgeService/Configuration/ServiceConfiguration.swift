public import ClaimsBridgeStorage
import ClaimsBridgeTransports

/// What `claimsbridge serve` runs with: where it listens, how it is secured, its limits, its clients, and the
/// routes file (ledger, outbox, destinations, mappings) it shares with `claimsbridge watch`.
public struct ServiceConfiguration: Sendable {
    /// The service file, for messages.
    public var file: String
    /// The host (an IP address or `localhost`) to listen on.
    public var host: String
    /// The port to listen on; 0 lets the system choose (tests).
    public var port: Int
    /// The certificate and key served; nil for plain HTTP, which is allowed on loopback only.
    public var tls: TLSFiles?
    /// The routes file (`claimsbridge watch --config`): ledger, delivery configuration and mappings.
    public var routesFile: String
    /// Whether the watcher of the routes file runs in the same process.
    public var watch: Bool
    public var limits: ServiceLimits
    public var clients: [ServiceClient]
    /// Lab name (a folder under `Mappings/labs/`) → the destination its orders are delivered to.
    public var labs: [String: String]
    /// Carrier ID (A05) → the `carrier` destination claims and eligibility requests for it are exchanged with
    /// (`carriers:`; the key `default` serves any other carrier).
    public var carriers: [String: String] = [:]
    /// How long a submission waits for the carrier's answer before it is answered 202 (`submission.waitSeconds`).
    public var submissionWaitSeconds: Double = 20
    /// Lab name → how its status webhooks are verified (`labWebhooks:`), for `POST /v1/webhooks/labs/{lab}`.
    public var labWebhooks: [String: LabWebhook] = [:]
    /// Insurer name → how its claim status callbacks are verified and read (`insurerCallbacks:`), for
    /// `POST /v1/webhooks/insurers/{insurer}`.
    public var insurerCallbacks: [String: InsurerCallback] = [:]

    /// The certificate chain and private key files (PEM), read again on SIGHUP.
    public struct TLSFiles: Sendable, Hashable {
        public var certificate: String
        public var key: String
        public init(certificate: String, key: String) {
            self.certificate = certificate
            self.key = key
        }
    }

    public init(
        file: String = "service.yaml", host: String = "127.0.0.1", port: Int = 8080, tls: TLSFiles? = nil,
        routesFile: String, watch: Bool = false, limits: ServiceLimits = ServiceLimits(),
        clients: [ServiceClient] = [], labs: [String: String] = [:]
    ) {
        self.file = file
        self.host = host
        self.port = port
        self.tls = tls
        self.routesFile = routesFile
        self.watch = watch
        self.limits = limits
        self.clients = clients
        self.labs = labs
    }

    /// Whether `host` is a loopback address, the only place plain HTTP is served.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

/// The bounds every request is held to.
public struct ServiceLimits: Sendable, Hashable {
    /// The largest request body accepted (413 beyond).
    public var maximumBodyBytes: Int
    /// How long a connection may stay silent before its request head is complete, or between requests: the
    /// connection is closed.
    public var idleTimeoutSeconds: Double
    /// How long reading a request body may take (408 beyond).
    public var bodyTimeoutSeconds: Double
    /// How many requests each expensive endpoint (translate, check, lab orders) runs at once (503 beyond).
    public var concurrentRequestsPerEndpoint: Int
    /// The `Retry-After` given with a 503, in seconds.
    public var retryAfterSeconds: Int

    public init(
        maximumBodyBytes: Int = 4 << 20, idleTimeoutSeconds: Double = 30, bodyTimeoutSeconds: Double = 30,
        concurrentRequestsPerEndpoint: Int = 16, retryAfterSeconds: Int = 1
    ) {
        self.maximumBodyBytes = maximumBodyBytes
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.bodyTimeoutSeconds = bodyTimeoutSeconds
        self.concurrentRequestsPerEndpoint = concurrentRequestsPerEndpoint
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// A caller of the API: its bearer token (read from the environment or a file, never written in the
/// configuration) and the endpoints it may use.
public struct ServiceClient: Sendable {
    public var name: String
    public var token: SecretReference
    /// Endpoint names (``ServiceEndpoint``) this client may call; `*` allows every one.
    public var endpoints: Set<String>

    public init(name: String, token: SecretReference, endpoints: Set<String>) {
        self.name = name
        self.token = token
        self.endpoints = endpoints
    }

    /// Whether the client may call `endpoint`.
    public func allows(_ endpoint: String) -> Bool { endpoints.contains("*") || endpoints.contains(endpoint) }
}

/// How a lab's status webhooks are verified: Standard Webhooks signatures with any of the secrets (the first is
/// the current one; the others still verify during a rotation) and a timestamp within the tolerance.
public struct LabWebhook: Sendable, Equatable {
    public var secrets: [SecretReference]
    public var toleranceSeconds: Int

    public init(secrets: [SecretReference], toleranceSeconds: Int = 300) {
        self.secrets = secrets
        self.toleranceSeconds = toleranceSeconds
    }
}
