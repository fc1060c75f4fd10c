internal import ClaimsBridge
public import ClaimsBridgeStorage
public import ClaimsBridgeTransports

/// How an insurer's claim status callbacks are verified and read (`insurerCallbacks:` in the service file).
public struct InsurerCallback: Sendable, Equatable {
    /// How the sender signs.
    public enum Signature: Sendable, Equatable {
        /// Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature` (`v1,<base64>`), `whsec_` secrets.
        case standardWebhooks
        /// HMAC-SHA256 of the body (of `TIMESTAMP.BODY` with a timestamp header) in one header, hex or Base64.
        case hmac(header: String, encoding: HMACHeaderVerifier.Encoding, prefix: String, timestampHeader: String?)
    }

    public var signature: Signature
    /// The current secret first, then those still accepted during a rotation.
    public var secrets: [SecretReference]
    /// How far a signed timestamp may be from the clock, in seconds (the replay window).
    public var toleranceSeconds: Int
    /// The insurer's status codes → claim states; empty when the insurer sends the claim states' names.
    public var statuses: [String: String]

    public init(
        signature: Signature, secrets: [SecretReference], toleranceSeconds: Int = 300, statuses: [String: String] = [:]
    ) {
        self.signature = signature
        self.secrets = secrets
        self.toleranceSeconds = toleranceSeconds
        self.statuses = statuses
    }
}

extension ServiceConfiguration {
    /// `{signature: standard-webhooks | hmac-sha256, secrets: [...], toleranceSeconds: 300, header: X-Signature,
    /// encoding: hex | base64, prefix: "sha256=", timestampHeader: X-Timestamp, statuses: {PAID: paid}}`
    static func loadInsurerCallback(_ node: ConfigNode, resolve: (String) -> String) throws -> InsurerCallback {
        try node.expectKeys(
            ["signature", "secrets", "toleranceSeconds", "header", "encoding", "prefix", "timestampHeader", "statuses"],
            in: "an insurer callback")
        let style = try node["signature"].map { try $0.string("`signature`") } ?? "standard-webhooks"
        let signature: InsurerCallback.Signature
        switch style {
        case "standard-webhooks":
            for key in ["header", "encoding", "prefix", "timestampHeader"] {
                if let extra = node[key] { throw extra.error("`\(key)` goes with `signature: hmac-sha256`") }
            }
            signature = .standardWebhooks
        case "hmac-sha256":
            let encodingNode = try node.required("encoding")
            let encodingText = try encodingNode.string("`encoding`")
            guard let encoding = HMACHeaderVerifier.Encoding(rawValue: encodingText) else {
                throw encodingNode.error("`encoding` must be hex or base64")
            }
            signature = .hmac(
                header: try node.required("header").string("`header`"), encoding: encoding,
                prefix: try node["prefix"].map { try $0.string("`prefix`") } ?? "",
                timestampHeader: try node["timestampHeader"].map { try $0.string("`timestampHeader`") })
        default:
            throw try node.required("signature").error("`signature` must be standard-webhooks or hmac-sha256")
        }
        var statuses: [String: String] = [:]
        for entry in try node["statuses"]?.entries("`statuses`") ?? [] {
            let state = try entry.value.string("a claim state")
            guard ClaimState(rawValue: state).isKnown else {
                throw entry.value.error(
                    "\(state) is not a claim state (expected one of "
                        + ClaimState.knownValues.map(\.rawValue).joined(separator: ", ") + ")")
            }
            statuses[entry.key] = state
        }
        return InsurerCallback(
            signature: signature, secrets: try loadSecrets(node, resolve: resolve),
            toleranceSeconds: try loadTolerance(node), statuses: statuses)
    }
}
