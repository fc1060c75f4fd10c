public import ClaimsBridge
public import ClaimsBridgeStorage

extension SecretReference {
    /// Whether the secret can be read now (the variable is set and non-empty, or the file is readable).
    public var isAvailable: Bool { (try? read()) != nil }

    /// Reads the secret.
    /// - Throws: ``TransportError`` with code `invalidConfiguration`, naming the reference but not the value.
    public func resolve() throws(TransportError) -> String {
        do {
            return try read()
        } catch {
            let reason =
                switch (self, error) {
                case (.environment(let name), _): "the environment variable \(name) is not set"
                case (.file(let path), .empty): "the secret file \(path) is empty"
                case (.file(let path), _): "cannot read the secret file \(path)"
                }
            throw TransportError(.invalidConfiguration, retryable: false, reason)
        }
    }
}
