import Foundation

/// Where and how to connect to PostgreSQL: a server address or a Unix socket folder, the role and database, the
/// password as a secret reference (never the password itself), and the TLS settings handed to libpq.
///
/// ```swift
/// let configuration = try PostgreSQLConfiguration(
///     url: "postgres://claimsbridge@db.example:5432/claims?sslmode=verify-full&sslrootcert=/etc/ssl/db-ca.pem",
///     password: "env:CLAIMSBRIDGE_DB_PASSWORD")
/// ```
public struct PostgreSQLConfiguration: Sendable, Hashable {
    /// A host name or address, or an absolute path to the folder holding the server's Unix socket.
    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    /// Where the password is read from at each connection (`env:NAME` or `file:PATH`); nil for none.
    public var password: SecretReference?
    /// libpq's `sslmode`: disable, allow, prefer, require, verify-ca or verify-full. libpq never uses TLS on a
    /// Unix socket, whatever this says.
    public var sslMode: String
    /// A PEM file with the certificate authorities that may sign the server's certificate (libpq `sslrootcert`).
    public var sslRootCertificateFile: String?
    /// Seconds to wait for a connection before giving up.
    public var connectTimeoutSeconds: Int
    /// The office (tenant) whose rows this connection sees, or nil for a store of one office. Each tenant's tables
    /// live in a schema of their own, `tenant_<id>`, which every connection puts alone on its `search_path`: two
    /// tenants sharing one database never see each other's deliveries, numbers or claims.
    public private(set) var tenant: String?
    /// How many idle connections this process keeps open for reuse (``PostgreSQLConnectionPool``); 0 keeps none.
    public var poolSize = Self.defaultPoolSize
    /// The pool size when none is configured.
    public static let defaultPoolSize = 4
    /// The pool sizes a configuration may ask for.
    public static let poolSizes = 0...64
    /// Seconds an idle pooled connection is kept before it is closed; 0 keeps it until it is used.
    public var poolIdleSeconds = Self.defaultPoolIdleSeconds
    /// The idle time when none is configured.
    public static let defaultPoolIdleSeconds = 300.0
    /// The idle times a configuration may ask for (a day at most).
    public static let poolIdleSecondsRange = 0.0...86_400
    /// How many connections of the pool may be open at once, idle and lent together: a borrower beyond it waits
    /// (see ``PostgreSQLConnectionPool``).
    public var poolMaxConnections = Self.defaultPoolMaxConnections
    /// The cap when none is configured.
    public static let defaultPoolMaxConnections = 16
    /// The caps a configuration may ask for.
    public static let poolMaxConnectionsRange = 1...1024
    /// Seconds a borrower waits for a connection when ``poolMaxConnections`` are open, before it fails.
    public var poolWaitSeconds = Self.defaultPoolWaitSeconds
    /// The wait when none is configured.
    public static let defaultPoolWaitSeconds = 30.0
    /// The waits a configuration may ask for (0 fails at once).
    public static let poolWaitSecondsRange = 0.0...3_600

    /// The schema of ``tenant``'s tables, or nil for the default (`public`).
    public var schema: String? { tenant.map { "tenant_" + $0 } }

    /// Scopes the configuration to `tenant`: 1 to 40 lowercase letters, digits or `_`, starting with a letter.
    /// - Throws: ``PostgreSQLError`` (`invalidConfiguration`) for any other name.
    public mutating func scope(toTenant tenant: String) throws(PostgreSQLError) {
        let allowed = tenant.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
        guard allowed, (1...40).contains(tenant.utf8.count), let first = tenant.utf8.first, (0x61...0x7A).contains(first)
        else {
            throw PostgreSQLError(
                .invalidConfiguration,
                "tenant \(tenant) must be 1 to 40 lowercase letters, digits or _, starting with a letter")
        }
        self.tenant = tenant
    }

    static let sslModes: Set<String> = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]

    /// A configuration from parts.
    /// - Throws: ``PostgreSQLError`` (`invalidConfiguration`) for an unknown `sslMode`.
    public init(
        host: String, port: Int = 5432, user: String, database: String, password: SecretReference? = nil,
        sslMode: String = "prefer", sslRootCertificateFile: String? = nil, connectTimeoutSeconds: Int = 10
    ) throws(PostgreSQLError) {
        guard Self.sslModes.contains(sslMode) else {
            throw PostgreSQLError(
                .invalidConfiguration,
                "sslmode \(sslMode) is not one of \(Self.sslModes.sorted().joined(separator: ", "))")
        }
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.password = password
        self.sslMode = sslMode
        self.sslRootCertificateFile = sslRootCertificateFile
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }

    /// Reads `postgres://user@host:port/database?sslmode=…&sslrootcert=…` (`postgresql://` too; `host=/folder`
    /// in the query names a socket folder). A password inside the URL is refused: give it as `password`.
    /// - Parameter password: `env:NAME` or `file:PATH`, or nil when the server asks for none.
    /// - Throws: ``PostgreSQLError`` (`invalidConfiguration`) naming what is wrong with the URL.
    public init(url: String, password: String? = nil) throws(PostgreSQLError) {
        guard let components = URLComponents(string: url),
            components.scheme == "postgres" || components.scheme == "postgresql"
        else {
            throw PostgreSQLError(.invalidConfiguration, "the store URL must look like postgres://user@host:5432/db")
        }
        guard components.password == nil else {
            throw PostgreSQLError(
                .invalidConfiguration,
                "the store URL contains a password; give it as an env: or file: secret instead")
        }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] { query[item.name] = item.value ?? "" }
        let known: Set<String> = ["sslmode", "sslrootcert", "host", "connect_timeout", "tenant"]
        if let unknown = query.keys.sorted().first(where: { !known.contains($0) }) {
            throw PostgreSQLError(.invalidConfiguration, "the store URL has an unknown option \(unknown)")
        }
        guard let user = components.user, !user.isEmpty else {
            throw PostgreSQLError(.invalidConfiguration, "the store URL names no user (postgres://user@host/db)")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty else {
            throw PostgreSQLError(.invalidConfiguration, "the store URL names no database (postgres://user@host/db)")
        }
        guard let host = query["host"] ?? components.host, !host.isEmpty else {
            throw PostgreSQLError(.invalidConfiguration, "the store URL names no host")
        }
        var secret: SecretReference?
        if let password {
            guard let parsed = SecretReference(parsing: password) else {
                throw PostgreSQLError(
                    .invalidConfiguration, "the store password must be env:NAME or file:PATH, not the password itself")
            }
            secret = parsed
        }
        try self.init(
            host: host, port: components.port ?? 5432, user: user, database: database, password: secret,
            sslMode: query["sslmode"] ?? "prefer", sslRootCertificateFile: query["sslrootcert"],
            connectTimeoutSeconds: query["connect_timeout"].flatMap { Int($0) } ?? 10)
        if let tenant = query["tenant"] { try scope(toTenant: tenant) }
    }

    /// Where the server is, for messages: `host:port` or the socket folder (never the password).
    public var location: String { "\(host):\(port)/\(database)" + (tenant.map { " (tenant \($0))" } ?? "") }

    /// The same configuration for another database on the same server.
    public func with(database: String) -> PostgreSQLConfiguration {
        var copy = self
        copy.database = database
        return copy
    }

    /// The password, without a trailing line end (from a variable too).
    /// - Throws: ``PostgreSQLError`` (`invalidConfiguration`) naming the variable or file, never the value.
    private static func read(_ password: SecretReference) throws(PostgreSQLError) -> String {
        var text = (try? password.read()) ?? ""
        while let last = text.last, last == "\n" || last == "\r" || last == "\r\n" { text.removeLast() }
        guard !text.isEmpty else {
            throw PostgreSQLError(
                .invalidConfiguration, "the database password \(password) is unset, empty or unreadable")
        }
        return text
    }

    /// libpq's connection keywords and values, the password resolved from its secret.
    func connectionParameters() throws(PostgreSQLError) -> [(String, String)] {
        var parameters: [(String, String)] = [
            ("host", host), ("port", String(port)), ("user", user), ("dbname", database), ("sslmode", sslMode),
            ("connect_timeout", String(connectTimeoutSeconds)), ("application_name", "claimsbridge"),
        ]
        if let sslRootCertificateFile { parameters.append(("sslrootcert", sslRootCertificateFile)) }
        if let schema { parameters.append(("options", "-c search_path=\(schema)")) }
        if let password { parameters.append(("password", try Self.read(password))) }
        return parameters
    }
}
