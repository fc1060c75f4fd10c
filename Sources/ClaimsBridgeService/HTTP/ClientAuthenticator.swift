import ClaimsBridgeTransports

/// Finds the client a bearer token belongs to. Tokens are read once, when the service starts; each
/// comparison takes the same time whatever the bytes, so a caller cannot find a token byte by byte.
struct ClientAuthenticator: Sendable {
    private let clients: [(client: ServiceClient, token: [UInt8])]

    /// - Throws: ``TransportError`` naming the secret reference (never its value) that cannot be read.
    init(clients: [ServiceClient]) throws {
        self.clients = try clients.map { client in
            let token = try client.token.resolve()
            return (client, Array(token.utf8))
        }
    }

    enum Outcome: Equatable {
        case missing
        case unknown
        case known(name: String, allowed: Bool)
    }

    /// Who `authorization` (the header's value) names, and whether that client may call `endpoint`.
    func authenticate(authorization: String?, endpoint: String) -> Outcome {
        guard let authorization, authorization.count > 7,
            authorization.prefix(7).lowercased() == "bearer "
        else { return .missing }
        let presented = Array(authorization.utf8.dropFirst(7))
        var found: ServiceClient?
        for (client, token) in clients where Self.constantTimeEqual(presented, token) && found == nil {
            found = client
        }
        guard let found else { return .unknown }
        return .known(name: found.name, allowed: found.allows(endpoint))
    }

    /// Compares every byte of the longer input, so the time taken tells nothing about where they differ.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: lhs.count ^ rhs.count)
        if lhs.count != rhs.count { difference |= 1 }
        let length = max(lhs.count, rhs.count)
        for index in 0..<length {
            let left = index < lhs.count ? lhs[index] : 0
            let right = index < rhs.count ? rhs[index] : 0
            difference |= left ^ right
        }
        return difference == 0
    }
}
