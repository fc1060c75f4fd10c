/// The release of ClaimsBridge: the one place its version number is written.
public enum ClaimsBridgeVersion {
    /// The version, in semantic-versioning form (`claimsbridge --version` prints it).
    public static let current = "0.9.0"
}
