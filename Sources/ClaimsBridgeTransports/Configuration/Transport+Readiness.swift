import Foundation

extension FolderTransport: ReadinessChecking {
    /// The folder must exist and be writable: a missing folder would make every delivery retry until it dies.
    public func readinessProblems() -> [String] { Readiness.writableFolder(directory) }
}

extension HTTPSTransport: ReadinessChecking {
    /// The TLS files must be readable and the secrets (authorization, key passphrase) set.
    public func readinessProblems() -> [String] {
        Readiness.tls(post.tls) + Readiness.secret(authorization, "authorization")
    }
}

extension WebhookTransport: ReadinessChecking {
    /// The TLS files must be readable and the signing secret set.
    public func readinessProblems() -> [String] {
        Readiness.tls(post.tls) + Readiness.secret(secret, "secret")
    }
}

extension SFTPTransport: ReadinessChecking {
    /// The key files and known_hosts must be readable and the passphrase set.
    public func readinessProblems() -> [String] {
        let connection = client.connection
        var problems = Readiness.readableFile(connection.privateKey, "the private key")
        problems += Readiness.readableFile(connection.publicKey, "the public key")
        problems += Readiness.secret(connection.passphrase, "passphrase")
        if case .knownHosts(let path) = connection.hostKey { problems += Readiness.readableFile(path, "known_hosts") }
        return problems
    }
}

extension CarrierTransport: ReadinessChecking {
    /// The TLS files must be readable and the secrets (authorization, key passphrase) set.
    public func readinessProblems() -> [String] {
        Readiness.tls(tls) + Readiness.secret(authorization, "authorization")
    }
}
