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
/// ```
enum StoreSettings {
    /// Reads `store:`.
    /// - Throws: ``BridgeError`` (`invalidConfiguration`) at the node's `file:line`: not a `postgres://` URL, a
    ///   password in the URL or written out, an unknown key or `sslmode`, a `poolSize` outside 0 to 64.
    static func load(_ node: ConfigNode) throws -> PostgreSQLConfiguration {
        if node.scalar != nil { return try parse(node, url: node.string("store")) }
        try node.expectKeys(["url", "passwordFrom", "sslmode", "sslrootcert", "tenant", "poolSize"], in: "store")
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
        if let size = node["poolSize"] {
            let sizes = PostgreSQLConfiguration.poolSizes
            guard let value = size.scalar.flatMap({ Int($0) }), sizes.contains(value) else {
                throw size.error(
                    "store: poolSize must be a whole number from \(sizes.lowerBound) to \(sizes.upperBound) "
                        + "(the idle connections kept per process; 0 keeps none)")
            }
            configuration.poolSize = value
        }
        return configuration
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
