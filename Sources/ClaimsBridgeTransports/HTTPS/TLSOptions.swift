public import ClaimsBridgeStorage

/// How an HTTPS connection checks the server and proves who we are. Server verification is always on.
public struct TLSOptions: Sendable, Hashable {
    /// A PEM file of the certificate authorities to trust for this partner, instead of the system's.
    public var caBundle: String?
    /// A PEM client certificate, for servers that require mutual TLS.
    public var clientCertificate: String?
    /// The PEM private key of ``clientCertificate``; the file is a secret and is read by libcurl.
    public var clientKey: String?
    /// The passphrase of ``clientKey``, if it is encrypted.
    public var clientKeyPassphrase: SecretReference?
    /// A pinned server public key, `sha256//<base64 SHA-256 of the SubjectPublicKeyInfo>`, checked in addition
    /// to the certificate chain.
    public var pinnedPublicKey: String?

    /// Creates TLS options; with no arguments, the system's trust store and no client certificate.
    public init(
        caBundle: String? = nil, clientCertificate: String? = nil, clientKey: String? = nil,
        clientKeyPassphrase: SecretReference? = nil, pinnedPublicKey: String? = nil
    ) {
        self.caBundle = caBundle
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.clientKeyPassphrase = clientKeyPassphrase
        self.pinnedPublicKey = pinnedPublicKey
    }
}
