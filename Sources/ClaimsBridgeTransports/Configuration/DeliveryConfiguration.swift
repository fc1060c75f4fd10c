public import ClaimsBridge
public import ClaimsBridgeStorage
import Foundation

/// A delivery configuration file: where the outbox lives, how it retries, and the named destinations.
///
/// ```yaml
/// store: postgres://claimsbridge@db.example/claims   # optional: share the outbox through PostgreSQL
/// outbox:
///   path: outbox.sqlite          # relative paths are relative to this file's folder
///   maxAttempts: 10
///   initialDelaySeconds: 5
///   maxDelaySeconds: 3600
///   leaseSeconds: 80             # default: the longest attempt a destination allows + 10 s (at least 30)
/// destinations:
///   insurer:
///     type: https
///     url: https://claims.example/inbox
///     caBundle: certs/insurer-ca.pem
///   drop:
///     type: sftp
///     host: sftp.example
///     user: clinic
///     privateKey: keys/id_ed25519
///     hostKeySHA256: SHA256:…
///     directory: inbound
/// ```
/// Secrets are references (`env:NAME` or `file:PATH`), never values.
public struct DeliveryConfiguration: Sendable {
    /// The configuration file.
    public var file: String
    /// The outbox database file (absolute), when the outbox is in SQLite.
    public var outboxPath: String
    /// The PostgreSQL database named by `store:`, or nil when the outbox stays in the SQLite file ``outboxPath``.
    public var postgreSQL: PostgreSQLConfiguration?
    /// Where the outbox keeps its rows: the PostgreSQL database of `store:`, or else the SQLite file.
    public var outboxStore: OutboxStoreLocation { postgreSQL.map { .postgreSQL($0) } ?? .sqlite(path: outboxPath) }
    /// The retry policy.
    public var retryPolicy: RetryPolicy
    /// The lease of an in-flight delivery, in seconds. Senders renew it every third of this while they work;
    /// by default it outlasts the longest attempt any destination allows (connect + request timeout, + 10 s), so
    /// that even a sender that cannot renew keeps its deliveries until its transfers have timed out.
    public var leaseSeconds: Double
    /// The destinations by name, in file order.
    public var destinations: [DestinationConfiguration]
    /// How stored payloads and archived originals are encrypted (`encryption:`); nil stores them as they are.
    public var encryption: EncryptionSettings?
    /// How long payloads and archived originals are kept (`retention:`).
    public var retention = RetentionPolicy()

    /// The cipher for stored payloads, or nil when encryption is off.
    /// - Throws: ``BridgeError`` (`invalidConfiguration`) when a key cannot be read or is not a 32-byte key.
    public func payloadCipher() throws -> PayloadCipher? { try encryption?.makeCipher() }

    /// The destination called `name`.
    public func destination(_ name: String) -> DestinationConfiguration? { destinations.first { $0.name == name } }

    /// Builds a transport for every destination.
    /// - Throws: ``BridgeError`` (`invalidConfiguration`) with the destination's `file:line`.
    public func makeTransports() throws -> [String: any Transport] {
        var transports: [String: any Transport] = [:]
        for destination in destinations { transports[destination.name] = try destination.makeTransport() }
        return transports
    }

    /// Reads and checks a configuration file.
    /// - Throws: ``BridgeError`` (`invalidConfiguration`) with `file:line` for every kind of mistake: YAML syntax,
    ///   unknown keys, missing values, a literal where a secret reference belongs.
    public static func load(path: String) throws -> DeliveryConfiguration {
        let root = try ConfigNode.load(path: path)
        try root.expectKeys(
            ["store", "outbox", "destinations", "encryption", "retention"], in: "the delivery configuration")
        let base = (path as NSString).deletingLastPathComponent
        let resolve = { (value: String) -> String in
            value.hasPrefix("/") || base.isEmpty ? value : (base as NSString).appendingPathComponent(value)
        }
        var outboxPath = resolve("outbox.sqlite")
        var policy = RetryPolicy()
        var lease: Double?
        if let outbox = root["outbox"] {
            try outbox.expectKeys(
                ["path", "maxAttempts", "initialDelaySeconds", "maxDelaySeconds", "leaseSeconds"], in: "outbox")
            if let value = outbox["path"] { outboxPath = resolve(try value.string("outbox.path")) }
            if let value = outbox["maxAttempts"] { policy.maxAttempts = max(1, try value.int("maxAttempts")) }
            if let value = outbox["initialDelaySeconds"] {
                policy.initialDelaySeconds = try value.seconds("initialDelaySeconds")
            }
            if let value = outbox["maxDelaySeconds"] { policy.maxDelaySeconds = try value.seconds("maxDelaySeconds") }
            if let value = outbox["leaseSeconds"] {
                let seconds = try value.seconds("leaseSeconds")
                guard seconds >= 1 else { throw value.error("leaseSeconds must be at least 1") }
                lease = seconds
            }
        }
        let list = try root.required("destinations")
        var destinations: [DestinationConfiguration] = []
        for entry in try list.entries("destinations") {
            destinations.append(try DestinationConfiguration(name: entry.key, node: entry.value, resolve: resolve))
        }
        guard !destinations.isEmpty else { throw list.error("`destinations` names no destination") }
        let longestAttempt = destinations.map(\.longestAttemptSeconds).max() ?? 0
        var configuration = DeliveryConfiguration(
            file: path, outboxPath: outboxPath, retryPolicy: policy,
            leaseSeconds: lease ?? max(30, longestAttempt + 10), destinations: destinations)
        if let store = root["store"] {
            if let path = root["outbox"]?["path"] {
                throw path.error(
                    "outbox.path names an SQLite file, but `store:` puts the outbox in PostgreSQL: keep one")
            }
            configuration.postgreSQL = try StoreSettings.load(store)
        }
        configuration.encryption = try root["encryption"].map { try EncryptionSettings.load($0) }
        configuration.retention = try root["retention"].map { try RetentionPolicy.load($0) } ?? RetentionPolicy()
        return configuration
    }
}

extension ConfigNode {
    func seconds(_ what: String) throws -> Double {
        guard let text = scalar, let value = Double(text), value >= 0 else {
            throw error("\(what) must be a number of seconds")
        }
        return value
    }

    func secret(_ what: String) throws -> SecretReference {
        let text = try string(what)
        guard let reference = SecretReference(parsing: text) else {
            throw error("\(what) must be env:VARIABLE or file:PATH; secrets are never written in the configuration")
        }
        return reference
    }
}
