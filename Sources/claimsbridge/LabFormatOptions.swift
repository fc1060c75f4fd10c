import ArgumentParser
import ClaimsBridge
import Foundation
import Logging

/// Which lab translation a `translate` command asks for.
enum LabDirection: Equatable {
    case writeOrders(lab: String)
    case readOrders(lab: String)
    case readStatus(lab: String)

    init?(from: TranslateCommand.Format, to: TranslateCommand.Format) {
        switch (from, to) {
        case (.labOrder, .lab(let name)): self = .writeOrders(lab: name)
        case (.lab(let name), .labOrder): self = .readOrders(lab: name)
        case (.labStatus(let name), .json): self = .readStatus(lab: name)
        default: return nil
        }
    }
}

/// Options of the lab translations.
struct LabFormatOptions: ParsableArguments {
    @Option(
        help:
            "The known lab orders, as JSON Lines of labOrder objects with their current status (for --from lab:NAME-status)."
    )
    var orders: String?

    func validate(_ direction: LabDirection?) throws {
        if case .readStatus(let lab)? = direction, orders == nil {
            throw ValidationError("--from lab:\(lab)-status needs --orders FILE (the known orders and their status)")
        }
    }

    /// Loads the lab's mappings and returns the translation, ready to run; the work is done by the library's
    /// ``LabPartner``.
    /// - Throws: ``BridgeError`` when the lab, its mappings or the orders file cannot be loaded.
    func prepare<Input: ByteInput, Output: ByteOutput>(
        _ direction: LabDirection, mappings: String, failFast: Bool, indent: Int?, showPersonalData: Bool,
        logger: Logger, onReject: @escaping (RejectedMessage) throws -> Void
    ) throws -> (inout Input, inout Output) throws -> TranslationSummary {
        switch direction {
        case .writeOrders(let name):
            let pipeline = try LabPartner(name: name, mappings: mappings).orderWriter(
                failFast: failFast, indent: indent, showPersonalData: showPersonalData, logger: logger)
            return { try pipeline.run(input: &$0, output: &$1, onReject: onReject) }
        case .readOrders(let name):
            let pipeline = try LabPartner(name: name, mappings: mappings).orderReader(
                failFast: failFast, showPersonalData: showPersonalData, logger: logger)
            return { try pipeline.run(input: &$0, output: &$1, onReject: onReject) }
        case .readStatus(let name):
            let book = try LabOrderBook(path: orders ?? "")
            let pipeline = try LabPartner(name: name, mappings: mappings).statusReader(
                orders: book, failFast: failFast, showPersonalData: showPersonalData, logger: logger)
            return { try pipeline.run(input: &$0, output: &$1, onReject: onReject) }
        }
    }
}
