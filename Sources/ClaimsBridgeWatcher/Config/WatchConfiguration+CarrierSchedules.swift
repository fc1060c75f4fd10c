internal import ClaimsBridge
import Foundation

extension WatchConfiguration {
    /// Reads `mailboxes:` and `reconciliations:`: each names a carrier destination, a route of this file for the
    /// answers, and the office's numbers.
    mutating func loadCarrierSchedules(_ root: ConfigNode, transports: Set<String>?) throws {
        for node in try root["mailboxes"]?.items("`mailboxes`") ?? [] {
            let mailbox = try loadCarrier(node, in: "a mailbox", transports: transports)
            if mailboxes.contains(where: { $0.name == mailbox.name }) {
                throw try node.required("name").error("the mailbox name `\(mailbox.name)` is used twice")
            }
            mailboxes.append(mailbox)
        }
        for node in try root["reconciliations"]?.items("`reconciliations`") ?? [] {
            let carrier = try loadCarrier(
                node, in: "a reconciliation", transports: transports,
                extraKeys: ["send", "daysBack", "billingProvider", "billingOffice"])
            if carrier.version != "04" {
                throw try node.required("version").error(
                    "CDAnet version 02 has no reconciliation (05, 06, 15 and 16 are version 04 transactions); "
                        + "ask this carrier for its payments another way, or use version 04")
            }
            if reconciliations.contains(where: { $0.name == carrier.name }) {
                throw try node.required("name").error("the reconciliation name `\(carrier.name)` is used twice")
            }
            var requests = WatchConfiguration.Reconciliation.Request.allCases
            if let send = node["send"] {
                requests = try send.items("`send`").map { item in
                    let text = try item.string("`send`")
                    guard let request = WatchConfiguration.Reconciliation.Request(rawValue: text) else {
                        throw item.error("`send` lists `\(text)`; it may list payment (06) and summary (05)")
                    }
                    return request
                }
                if requests.isEmpty { throw send.error("`send` lists nothing; list payment, summary or both") }
            }
            let daysBack = try node["daysBack"]?.int("`daysBack`") ?? 1
            guard daysBack >= 0 else { throw try node.required("daysBack").error("`daysBack` cannot be negative") }
            reconciliations.append(
                Reconciliation(
                    carrier: carrier, requests: requests, daysBack: daysBack,
                    billingProvider: try node["billingProvider"].map { try Self.digits($0, "billingProvider", 9) },
                    billingOffice: try node["billingOffice"].map { try Self.digits($0, "billingOffice", 4) }))
        }
    }

    private static func digits(_ field: ConfigNode, _ key: String, _ count: Int) throws -> String {
        let value = try field.string("`\(key)`")
        guard value.utf8.count == count, value.utf8.allSatisfy(\.isDigit) else {
            throw field.error("`\(key)` must be \(count) digits")
        }
        return value
    }

    /// `{name, destination, replies, transactionPrefix, softwareSystemId, carrierId, provider, office, everySeconds,
    /// version}`; `carrierId` is not used (and may be left out) with version 02.
    private func loadCarrier(
        _ node: ConfigNode, in what: String, transports: Set<String>?, extraKeys: Set<String> = []
    ) throws -> WatchConfiguration.Mailbox {
        try node.expectKeys(
            Set([
                "name", "destination", "replies", "transactionPrefix", "softwareSystemId", "carrierId", "provider",
                "office", "everySeconds", "version",
            ]).union(extraKeys), in: what)
        let version = try node["version"].map { try $0.string("`version`") } ?? "04"
        guard version == "04" || version == "02" else {
            throw try node.required("version").error("`version` must be \"04\" or \"02\" (CDAnet A03)")
        }
        let destinationNode = try node.required("destination")
        let destination = try destinationNode.string("`destination`")
        if let transports, !transports.contains(destination) {
            throw destinationNode.error("`destination` names \(destination), which is not a destination of the delivery configuration")
        }
        let replies = try node.required("replies")
        guard routes.contains(where: { $0.name == (try? replies.string("`replies`")) }) else {
            throw replies.error("`replies` must name a route of this file")
        }
        let prefix = try node.required("transactionPrefix")
        let prefixText = try prefix.string("`transactionPrefix`")
        guard prefixText.utf8.count == 12 else { throw prefix.error("`transactionPrefix` (A01) must be 12 characters") }
        let software = try node.required("softwareSystemId")
        let softwareText = try software.string("`softwareSystemId`")
        guard softwareText.utf8.count == 3 else { throw software.error("`softwareSystemId` (A03) must be 3 characters") }
        let every = try node["everySeconds"]?.int("`everySeconds`") ?? 900
        guard every > 0 else { throw try node.required("everySeconds").error("`everySeconds` must be at least 1") }
        let carrier =
            version == "02" && node["carrierId"] == nil ? "000000" : try Self.digits(node.required("carrierId"), "carrierId", 6)
        var mailbox = WatchConfiguration.Mailbox(
            name: try node.required("name").string("`name`"), destination: destination,
            replies: try replies.string("`replies`"), transactionPrefix: prefixText, softwareSystemId: softwareText,
            carrierId: carrier, providerNumber: try Self.digits(node.required("provider"), "provider", 9),
            officeNumber: try Self.digits(node.required("office"), "office", 4), interval: .seconds(every))
        mailbox.version = version
        return mailbox
    }
}
