internal import CCurl
import ClaimsBridge
public import ClaimsBridgeStorage
import Foundation

/// Where an SFTP server is and how to log in to it: the settings every SFTP request shares.
public struct SFTPConnection: Sendable, Hashable {
    /// Host name or address.
    public var host: String
    /// TCP port.
    public var port: Int
    /// The login name.
    public var user: String
    /// The OpenSSH private key file (ed25519 recommended; see the README on RSA keys). The file is a secret.
    public var privateKey: String
    /// The public key file; default `<privateKey>.pub` when it exists.
    public var publicKey: String?
    /// The private key's passphrase, if it is encrypted.
    public var passphrase: SecretReference?
    /// How the server's host key is checked.
    public var hostKey: HostKeyPin
    /// How long to wait for the connection and handshake, in seconds.
    public var connectTimeoutSeconds: Double
    /// How long one request may take, in seconds.
    public var timeoutSeconds: Double

    /// Creates connection settings.
    public init(
        host: String, port: Int = 22, user: String, privateKey: String, publicKey: String? = nil,
        passphrase: SecretReference? = nil, hostKey: HostKeyPin, connectTimeoutSeconds: Double = 10,
        timeoutSeconds: Double = 120
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.privateKey = privateKey
        self.publicKey = publicKey
        self.passphrase = passphrase
        self.hostKey = hostKey
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.timeoutSeconds = timeoutSeconds
    }

    /// `sftp://user@host:port/path`, with the path percent-encoded; a relative path is below the login's home.
    func url(_ path: String) -> String {
        let encoded = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
        let absolute = path.hasPrefix("/") ? encoded : "/~/" + encoded
        let address = host.contains(":") ? "[\(host)]" : host
        return "sftp://\(user)@\(address):\(port)\(absolute)"
    }

    /// A request with authentication and host-key checking set up for `path`.
    func request(_ path: String, responseLimit: Int = 64 * 1024) throws(TransportError) -> CurlRequest {
        let request = try CurlRequest(responseLimit: responseLimit)
        try request.set(CURLOPT_URL, url(path))
        try request.set(CURLOPT_PROTOCOLS_STR, "sftp")
        try request.set(CURLOPT_SSH_AUTH_TYPES, Int(CURLSSH_AUTH_PUBLICKEY))
        try request.set(CURLOPT_SSH_PRIVATE_KEYFILE, privateKey)
        let derivedPublicKey = privateKey + ".pub"
        if let publicKey {
            try request.set(CURLOPT_SSH_PUBLIC_KEYFILE, publicKey)
        } else if FileManager.default.fileExists(atPath: derivedPublicKey) {
            try request.set(CURLOPT_SSH_PUBLIC_KEYFILE, derivedPublicKey)
        } else {
            try request.set(CURLOPT_SSH_PUBLIC_KEYFILE, "")
        }
        if let passphrase { try request.set(CURLOPT_KEYPASSWD, try passphrase.resolve()) }
        switch hostKey {
        case .knownHosts(let path):
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw TransportError(
                    .invalidConfiguration, retryable: false, "cannot read the known_hosts file \(path)")
            }
            try request.set(CURLOPT_SSH_KNOWNHOSTS, path)
        case .sha256Fingerprint(let fingerprint):
            let bare = fingerprint.hasPrefix("SHA256:") ? String(fingerprint.dropFirst(7)) : fingerprint
            try request.set(CURLOPT_SSH_HOST_PUBLIC_KEY_SHA256, bare)
        }
        try request.set(CURLOPT_CONNECTTIMEOUT_MS, Int(connectTimeoutSeconds * 1000))
        try request.set(CURLOPT_TIMEOUT_MS, Int(timeoutSeconds * 1000))
        return request
    }

    /// Runs `request`, turning a libcurl failure into a ``TransportError``.
    func perform(_ request: CurlRequest, _ path: String) throws(TransportError) {
        let (code, message) = request.perform()
        guard code == CURLE_OK else { throw CurlFailure.error(code, message, endpoint: url(path)) }
    }
}
