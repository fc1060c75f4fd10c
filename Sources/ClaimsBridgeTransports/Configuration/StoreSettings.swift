import ClaimsBridge
import ClaimsBridgeStorage

/// The `store:` of a delivery configuration: the PostgreSQL database shared by several workers, instead of the
/// SQLite files of one machine.
///
/// ```yaml
/// store: postgres://claimsbridge@db.example:5432/claims?sslmode=verify-full&sslrootcert=/etc/ssl/db-ca.pem
/// ```
/// or, with a password:
/// ```yaml
/// store:
///   url: postgres://claimsbridge@db.example:5432/claims
///   passwordFrom: env:CLAIMSBRIDGE_DB_PASSWORD     # or file:/run/secrets/db-password
///   sslmode: verify-full                          # disable, allow, prefer, require, verify-ca, verify-full
///   sslrootcert: /etc/ssl/db-ca.pem
///   tenant: north_clinic                          # this office's rows only (schema tenant_north_clinic)
///   poolSize: 4                                   # idle connections kept for reuse per process (0 to 64)
///   poolIdleSeconds: 300                          # an idle connection is closed after this (0: never)
///   poolMaxConnections: 16                        # connections open at once per process (1 to 1024)
///   poolWaitSeconds: 30                           # how long a borrower waits when all are in use
/// ```
enum StoreSettings {
    /// Reads `store:`.
    /// - Throws: ``BridgeError`` (`invalidConfiguration`) at the node's `file:line`: not a `postgres://` URL, a
    ///   password in the URL or written out, an unknown key or `sslmode`, a pool setting out of its range.
    static func load(_ node: ConfigNode) throws -> PostgreSQLConfiguration {
        if node.scalar != nil { return try parse(node, url: node.string("store")) }
        try node.expectKeys(
            [
                "url", "passwordFrom", "sslmode", "sslrootcert", "tenant", "poolSize", "poolIdleSeconds",
                "poolMaxConnections", "poolWaitSeconds",
            ], in: "store")
        var configuration = try parse(
            node, url: node.required("url").string("store.url"),
            password: node["passwordFrom"]?.string("store.passwordFrom"))
        if let node = node["sslmode"] {
            let mode = try node.string("store.sslmode")
            let scoped = configuration
            do throws(PostgreSQLError) {
                configuration = try PostgreSQLConfiguration(
                    host: configuration.host, port: configuration.port, user: configuration.user,
                    database: configuration.database, password: configuration.password, sslMode: mode,
                    sslRootCertificateFile: configuration.sslRootCertificateFile,
                    connectTimeoutSeconds: configuration.connectTimeoutSeconds)
                if let tenant = scoped.tenant { try configuration.scope(toTenant: tenant) }
            } catch {
                throw node.error("store: \(error.reason)")
            }
        }
        if let file = node["sslrootcert"] {
            configuration.sslRootCertificateFile = try file.string("store.sslrootcert")
        }
        if let tenant = node["tenant"] {
            let name = try tenant.string("store.tenant")
            do throws(PostgreSQLError) {
                try configuration.scope(toTenant: name)
            } catch {
                throw tenant.error("store: \(error.reason)")
            }
        }
        try loadPoolLimits(node, into: &configuration)
        return configuration
    }

    /// `poolSize`, `poolIdleSeconds`, `poolMaxConnections` and `poolWaitSeconds`, each refused at its line when out
    /// of range.
    private static func loadPoolLimits(_ node: ConfigNode, into configuration: inout PostgreSQLConfiguration) throws {
        typealias Limits = PostgreSQLConfiguration
        if let size = try whole(node, "poolSize", Limits.poolSizes, "the idle connections kept per process; 0 keeps none") {
            configuration.poolSize = size
        }
        if let idle = try seconds(
            node, "poolIdleSeconds", Limits.poolIdleSecondsRange, "how long a connection stays idle; 0 keeps it")
        {
            configuration.poolIdleSeconds = idle
        }
        if let cap = try whole(
            node, "poolMaxConnections", Limits.poolMaxConnectionsRange, "the connections open at once per process")
        {
            configuration.poolMaxConnections = cap
        }
        if let wait = try seconds(
            node, "poolWaitSeconds", Limits.poolWaitSecondsRange, "how long a borrower waits when all are in use")
        {
            configuration.poolWaitSeconds = wait
        }
    }

    /// The whole number at `key` in `range`, nil when absent.
    private static func whole(_ node: ConfigNode, _ key: String, _ range: ClosedRange<Int>, _ meaning: String) throws
        -> Int?
    {
        guard let value = node[key] else { return nil }
        guard let number = value.scalar.flatMap({ Int($0) }), range.contains(number) else {
            throw value.error(
                "store: \(key) must be a whole number from \(range.lowerBound) to \(range.upperBound) (\(meaning))")
        }
        return number
    }

    /// The seconds at `key` in `range` (fractions allowed), nil when absent.
    private static func seconds(
        _ node: ConfigNode, _ key: String, _ range: ClosedRange<Double>, _ meaning: String
    ) throws -> Double? {
        guard let value = node[key] else { return nil }
        guard let number = value.scalar.flatMap({ Double($0) }), range.contains(number) else {
            throw value.error(
                "store: \(key) must be a number of seconds from \(Int(range.lowerBound)) to \(Int(range.upperBound)) "
                    + "(\(meaning))")
        }
        return number
    }

    private static func parse(_ node: ConfigNode, url: String, password: String? = nil) throws
        -> PostgreSQLConfiguration
    {
        do throws(PostgreSQLError) {
            return try PostgreSQLConfiguration(url: url, password: password)
        } catch {
            throw node.error("store: \(error.reason)")
        }
    }
}
