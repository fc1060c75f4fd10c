public import ClaimsBridge
public import ClaimsBridgeStorage
import Foundation

/// One named destination of a ``DeliveryConfiguration``: its kind and settings, checked when loaded.
public struct DestinationConfiguration: Sendable {
    /// The destination's name, used by `claimsbridge send --to` and stored with each delivery.
    public var name: String
    /// `folder`, `https`, `sftp`, `webhook` or `carrier`.
    public var type: String
    /// Where the destination is declared.
    public var location: BridgeError.Location
    /// The longest one delivery attempt may take (connect + request timeout), in seconds; 0 for a folder.
    public var longestAttemptSeconds: Double
    /// The secrets this destination reads, by what they are for (`secret`, `passphrase`, …).
    public var secrets: [(purpose: String, reference: SecretReference)]
    private let factory: @Sendable () throws(TransportError) -> any Transport
    /// For a folder or SFTP destination: reads files from a folder of the same place (a route's `pickup:`).
    private var pickupFactory: (@Sendable (_ folder: String?) -> any PickupSource)?

    /// A source that fetches files from `folder` (for SFTP, a remote path; nil: the destination's own folder)
    /// through this destination's settings; nil for destination types that cannot be read from.
    public func makePickupSource(folder: String?) -> (any PickupSource)? { pickupFactory?(folder) }

    /// Builds the transport.
    /// - Throws: ``BridgeError`` (`invalidConfiguration`) at the destination's `file:line`.
    public func makeTransport() throws -> any Transport {
        do throws(TransportError) {
            return try factory()
        } catch {
            throw BridgeError(.invalidConfiguration, "destination \(name): \(error.reason)", at: location)
        }
    }

    static let keys: [String: Set<String>] = [
        "folder": ["type", "directory", "namePattern", "doneMarker", "fileMode", "group"],
        "https": [
            "type", "url", "caBundle", "clientCertificate", "clientKey", "clientKeyPassphrase", "pinnedPublicKey",
            "contentType", "headers", "authorization", "connectTimeoutSeconds", "timeoutSeconds",
        ],
        "webhook": [
            "type", "url", "secret", "caBundle", "clientCertificate", "clientKey", "clientKeyPassphrase",
            "pinnedPublicKey", "connectTimeoutSeconds", "timeoutSeconds",
        ],
        "carrier": [
            "type", "url", "caBundle", "clientCertificate", "clientKey", "clientKeyPassphrase", "pinnedPublicKey",
            "envelope", "contentType", "messageField", "headers", "authorization", "connectTimeoutSeconds",
            "replyTimeoutSeconds",
        ],
        "sftp": [
            "type", "host", "port", "user", "privateKey", "publicKey", "passphrase", "knownHosts", "hostKeySHA256",
            "directory", "namePattern", "connectTimeoutSeconds", "timeoutSeconds",
        ],
    ]

    init(name: String, node: ConfigNode, resolve: @escaping (String) -> String) throws {
        self.name = name
        location = node.location
        let typeNode = try node.required("type")
        type = try typeNode.string("type")
        guard let allowed = Self.keys[type] else {
            throw typeNode.error("unknown destination type `\(type)`; expected folder, https, sftp, webhook or carrier")
        }
        try node.expectKeys(allowed, in: "a \(type) destination")
        guard OutgoingDelivery.isValidKey(name) else {
            throw node.error("a destination name may use only letters, digits, . _ and -")
        }
        func text(_ key: String) throws -> String? { try node[key].map { try $0.string(key) } }
        func path(_ key: String) throws -> String? { try text(key).map(resolve) }
        func required(_ key: String) throws -> String { try node.required(key).string(key) }
        func seconds(_ key: String, _ fallback: Double) throws -> Double { try node[key]?.seconds(key) ?? fallback }
        var secrets: [(String, SecretReference)] = []
        func secret(_ key: String) throws -> SecretReference? {
            guard let value = node[key] else { return nil }
            let reference = try value.secret(key)
            secrets.append((key, reference))
            return reference
        }
        let connectTimeout = try seconds("connectTimeoutSeconds", 10)
        let timeout = try seconds(
            type == "carrier" ? "replyTimeoutSeconds" : "timeoutSeconds", type == "sftp" ? 120 : type == "carrier" ? 30 : 60)
        longestAttemptSeconds = type == "folder" ? 0 : type == "carrier" ? timeout : connectTimeout + timeout
        switch type {
        case "folder":
            let directory = resolve(try required("directory"))
            let pattern = try text("namePattern") ?? "{key}"
            let marker = try text("doneMarker")
            let permissions = try Self.permissions(node)
            factory = { () throws(TransportError) in
                try FolderTransport(
                    directory: directory, namePattern: pattern, doneMarkerSuffix: marker, permissions: permissions)
            }
            pickupFactory = { folder in FolderPickupSource(folder: folder ?? directory) }
        case "carrier":
            let tls = TLSOptions(
                caBundle: try path("caBundle"), clientCertificate: try path("clientCertificate"),
                clientKey: try path("clientKey"), clientKeyPassphrase: try secret("clientKeyPassphrase"),
                pinnedPublicKey: try text("pinnedPublicKey"))
            let url = try required("url")
            let envelope = try Self.envelope(node)
            let (fixedHeaders, credentialHeaders) = try Self.headers(node, secrets: &secrets)
            let authorization = try secret("authorization")
            do throws(TransportError) {
                _ = try CarrierTransport(
                    url: url, tls: tls, envelope: envelope, headers: fixedHeaders, secretHeaders: credentialHeaders,
                    authorization: authorization, connectTimeoutSeconds: connectTimeout, replyTimeoutSeconds: timeout)
            } catch {
                throw node.error(error.reason)
            }
            factory = { () throws(TransportError) in
                try CarrierTransport(
                    url: url, tls: tls, envelope: envelope, headers: fixedHeaders, secretHeaders: credentialHeaders,
                    authorization: authorization, connectTimeoutSeconds: connectTimeout, replyTimeoutSeconds: timeout)
            }
        case "https", "webhook":
            let url = try required("url")
            guard url.lowercased().hasPrefix("https://") else {
                throw try node.required("url").error("url must start with https://")
            }
            let tls = TLSOptions(
                caBundle: try path("caBundle"), clientCertificate: try path("clientCertificate"),
                clientKey: try path("clientKey"), clientKeyPassphrase: try secret("clientKeyPassphrase"),
                pinnedPublicKey: try text("pinnedPublicKey"))
            if type == "webhook" {
                guard let signing = try secret("secret") else { throw node.error("a webhook needs `secret`") }
                factory = { () throws(TransportError) in
                    try WebhookTransport(
                        url: url, secret: signing, tls: tls, connectTimeoutSeconds: connectTimeout,
                        timeoutSeconds: timeout)
                }
            } else {
                let (fixedHeaders, credentialHeaders) = try Self.headers(node, secrets: &secrets)
                let contentType = try text("contentType") ?? "application/octet-stream"
                let authorization = try secret("authorization")
                factory = { () throws(TransportError) in
                    try HTTPSTransport(
                        url: url, tls: tls, headers: fixedHeaders, secretHeaders: credentialHeaders,
                        contentType: contentType,
                        authorization: authorization,
                        connectTimeoutSeconds: connectTimeout, timeoutSeconds: timeout)
                }
            }
        default:
            let hostKey: HostKeyPin
            if let knownHosts = try path("knownHosts") {
                hostKey = .knownHosts(path: knownHosts)
            } else if let fingerprint = try text("hostKeySHA256") {
                hostKey = .sha256Fingerprint(fingerprint)
            } else {
                throw node.error("an sftp destination needs `knownHosts` or `hostKeySHA256`; unknown hosts are refused")
            }
            let connection = SFTPConnection(
                host: try required("host"), port: try node["port"]?.int("port") ?? 22, user: try required("user"),
                privateKey: resolve(try required("privateKey")), publicKey: try path("publicKey"),
                passphrase: try secret("passphrase"), hostKey: hostKey, connectTimeoutSeconds: connectTimeout,
                timeoutSeconds: timeout)
            let directory = try text("directory") ?? ""
            let pattern = try text("namePattern") ?? "{key}"
            factory = { () throws(TransportError) in
                try SFTPTransport(connection: connection, directory: directory, namePattern: pattern)
            }
            pickupFactory = { folder in SFTPPickupSource(connection: connection, folder: folder ?? directory) }
        }
        self.secrets = secrets
        privateFiles = secrets.compactMap { purpose, reference in
            guard case .file(let path) = reference else { return nil }
            return ("the \(purpose) file", path)
        }
        for key in ["clientKey", "privateKey"] {
            if let path = try path(key) { privateFiles.append(("the private key (\(key))", path)) }
        }
    }

    /// Files holding secrets or private keys, which only this account should be able to read.
    public var privateFiles: [(what: String, path: String)] = []

    /// The `headers` of an https or carrier destination: literal ones, and those carrying a credential (read from
    /// secret references, which are added to `secrets`).
    static func headers(
        _ node: ConfigNode, secrets: inout [(String, SecretReference)]
    ) throws -> ([String], [(name: String, value: SecretReference)]) {
        var headers: [String] = []
        var secretHeaders: [(name: String, value: SecretReference)] = []
        guard let headerNode = node["headers"] else { return ([], []) }
        for entry in try headerNode.entries("headers") {
            guard SecretBearingHeader.matches(entry.key) else {
                headers.append("\(entry.key): \(try entry.value.string(entry.key))")
                continue
            }
            let reference = try entry.value.secret("headers.\(entry.key) (it carries a credential)")
            secrets.append(("header \(entry.key)", reference))
            secretHeaders.append((entry.key, reference))
        }
        return (headers, secretHeaders)
    }

    /// A carrier destination's `envelope` (`raw`, the default, or `base64-json`) with its `contentType` or
    /// `messageField`.
    static func envelope(_ node: ConfigNode) throws -> CarrierEnvelope {
        let kind = try node["envelope"].map { try $0.string("envelope") } ?? "raw"
        let contentType = try node["contentType"].map { try $0.string("contentType") }
        let field = try node["messageField"].map { try $0.string("messageField") }
        switch kind {
        case "raw":
            if field != nil { throw node.error("messageField goes with envelope: base64-json") }
            return .raw(contentType: contentType ?? "application/octet-stream")
        case "base64-json":
            if contentType != nil { throw node.error("contentType goes with envelope: raw (base64-json is JSON)") }
            return .base64JSON(field: field ?? "message")
        default:
            throw node.error("unknown envelope `\(kind)`; expected raw or base64-json")
        }
    }

    /// A folder destination's `fileMode` and `group`, checked.
    static func permissions(_ node: ConfigNode) throws -> FilePermissions {
        var permissions = FilePermissions.ownerOnly
        for key in ["fileMode", "group"] {
            guard let value = node[key] else { continue }
            let text = try value.string(key)
            do throws(PermissionSettingError) {
                let parsed = try FilePermissions(mode: key == "fileMode" ? text : nil, group: key == "group" ? text : nil)
                if key == "fileMode" { permissions.fileMode = parsed.fileMode } else { permissions.group = parsed.group }
            } catch {
                throw value.error("\(error)")
            }
        }
        return permissions
    }
}
