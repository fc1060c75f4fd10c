internal import CCurl
import ClaimsBridge

extension CurlRequest {
    /// Turns on server verification (chain and host name) and applies the partner's CA, client certificate and
    /// key, and public-key pin.
    /// - Throws: ``TransportError`` (`invalidConfiguration`) when libcurl refuses an option, or the key passphrase
    ///   cannot be read.
    func applyTLS(_ tls: TLSOptions) throws(TransportError) {
        try set(CURLOPT_SSL_VERIFYPEER, 1)
        try set(CURLOPT_SSL_VERIFYHOST, 2)
        if let caBundle = tls.caBundle { try set(CURLOPT_CAINFO, caBundle) }
        if let certificate = tls.clientCertificate { try set(CURLOPT_SSLCERT, certificate) }
        if let key = tls.clientKey { try set(CURLOPT_SSLKEY, key) }
        if let passphrase = tls.clientKeyPassphrase { try set(CURLOPT_KEYPASSWD, try passphrase.resolve()) }
        if let pin = tls.pinnedPublicKey { try set(CURLOPT_PINNEDPUBLICKEY, pin) }
    }
}
