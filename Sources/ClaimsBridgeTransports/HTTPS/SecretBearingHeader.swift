import ClaimsBridgeStorage

/// Which request headers carry credentials, and so may only be given as a ``SecretReference``.
public enum SecretBearingHeader {
    private static let names: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "x-api-key", "api-key", "apikey",
    ]
    private static let fragments = ["token", "secret", "key", "password", "passwd", "credential", "auth", "session"]

    /// Whether a header called `name` is assumed to carry a credential: `Authorization`, `Proxy-Authorization`,
    /// `Cookie`, `X-API-Key`, or any name containing token, secret, key, password, credential, auth or session
    /// (case-insensitive).
    public static func matches(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return names.contains(lowered) || fragments.contains { lowered.contains($0) }
    }
}
