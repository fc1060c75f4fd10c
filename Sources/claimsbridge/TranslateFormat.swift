import ArgumentParser

extension TranslateCommand {
    /// A `--from`/`--to` value: a fixed format, or a lab's format named after its folder (`lab:example-xml`).
    enum Format: Equatable, ExpressibleByArgument {
        case cdanet, json, fields, ramq, xml, ramqResponse, partnerJSON
        /// Lab orders in the model's JSON form.
        case labOrder
        /// A lab's order documents (`lab:NAME`).
        case lab(String)
        /// A lab's status messages (`lab:NAME-status`).
        case labStatus(String)

        private static let fixed: [(String, Format)] = [
            ("cdanet", .cdanet), ("json", .json), ("fields", .fields), ("ramq", .ramq), ("xml", .xml),
            ("ramq-response", .ramqResponse), ("partner-json", .partnerJSON), ("lab-order", .labOrder),
        ]

        init?(argument: String) {
            if let found = Self.fixed.first(where: { $0.0 == argument }) {
                self = found.1
            } else if argument.hasPrefix("lab:"), argument.count > 4 {
                let name = String(argument.dropFirst(4))
                if name.hasSuffix("-status"), name.count > 7 {
                    self = .labStatus(String(name.dropLast(7)))
                } else {
                    self = .lab(name)
                }
            } else {
                return nil
            }
        }

        /// The spelling on the command line.
        var rawValue: String {
            switch self {
            case .lab(let name): return "lab:\(name)"
            case .labStatus(let name): return "lab:\(name)-status"
            default: return Self.fixed.first(where: { $0.1 == self })?.0 ?? ""
            }
        }

        static var allValueStrings: [String] { fixed.map(\.0) + ["lab:NAME", "lab:NAME-status"] }
    }
}
