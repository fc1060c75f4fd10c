public import ClaimsBridge
import Foundation
import Yams

extension PlanTable {
    /// Reads and checks a plan table from YAML.
    /// - Throws: ``BridgeError`` (`invalidConfiguration`) naming the file and what is wrong.
    public static func load(path: String) throws -> PlanTable {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw BridgeError(.invalidConfiguration, "\(path): cannot read the plan table: \(error.localizedDescription)")
        }
        return try parse(yaml: text, name: path)
    }

    /// Parses and checks a plan table from YAML text.
    /// - Throws: ``BridgeError`` (`invalidConfiguration`) naming `name` and what is wrong.
    public static func parse(yaml: String, name: String = "plans.yaml") throws -> PlanTable {
        let table: PlanTable
        do {
            table = try YAMLDecoder().decode(PlanTable.self, from: yaml)
        } catch let error as DecodingError {
            throw BridgeError(.invalidConfiguration, "\(name): \(Self.describe(error))")
        } catch {
            throw BridgeError(.invalidConfiguration, "\(name): \(error)")
        }
        try table.check(name: name)
        return table
    }

    func check(name: String) throws {
        func fail(_ reason: String) -> BridgeError { BridgeError(.invalidConfiguration, "\(name): \(reason)") }
        guard carrierId.count == 6, carrierId.allSatisfy(\.isASCIIDigit) else {
            throw fail("carrierId must be the carrier's 6-digit CDA number")
        }
        guard !plans.isEmpty else { throw fail("`plans` lists no plan") }
        var seen: Set<String> = []
        for (index, plan) in plans.enumerated() {
            let label = "plans[\(index)] (policy \(plan.policy))"
            guard !plan.policy.isEmpty, plan.policy.count <= 12 else {
                throw fail("\(label): policy must be 1 to 12 characters (C01)")
            }
            guard seen.insert(plan.policy).inserted else { throw fail("\(label): the policy is listed twice") }
            guard plan.deductible.cents >= 0, plan.annualMaximum.cents >= 0 else {
                throw fail("\(label): deductible and annualMaximum cannot be negative")
            }
            for (prefix, percentage) in plan.coverage where !(0...100).contains(percentage) || prefix.isEmpty {
                throw fail("\(label): coverage \"\(prefix)\" must be a code prefix with a percentage from 0 to 100")
            }
            if let delay = plan.delaySeconds, delay < 0 { throw fail("\(label): delaySeconds cannot be negative") }
        }
        if let delaySeconds, delaySeconds < 0 { throw fail("delaySeconds cannot be negative") }
        if let size = reconciliationPageSize, !(1...250).contains(size) {
            throw fail("reconciliationPageSize must be from 1 to 250 payment lines")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.isEmpty ? "the top level" : String(keys.drop { $0 == "." })
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context)): `\(key.stringValue)` is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
