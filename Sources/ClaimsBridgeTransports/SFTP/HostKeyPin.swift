/// How an SFTP server is recognised. There is deliberately no "accept any host key": an unknown host or a
/// different key refuses the connection.
public enum HostKeyPin: Sendable, Hashable, CustomStringConvertible {
    /// An OpenSSH `known_hosts` file (e.g. from `ssh-keyscan -p PORT host`); entries for a non-standard port are
    /// written `[host]:port`.
    case knownHosts(path: String)
    /// The SHA-256 fingerprint of the host key, as `ssh-keygen -lf` prints it (`SHA256:…`) or as bare Base64.
    case sha256Fingerprint(String)

    public var description: String {
        switch self {
        case .knownHosts(let path): "known_hosts \(path)"
        case .sha256Fingerprint(let fingerprint): "host key \(fingerprint)"
        }
    }
}
