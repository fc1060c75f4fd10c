internal import ClaimsBridge
import ClaimsBridgeStorage

extension WatchConfiguration {
    /// Reads `stateFileMode`, `stateGroup` and `openPermissions` (`warn` or `refuse`) from the routes file.
    mutating func loadPermissionSettings(_ root: ConfigNode) throws {
        for key in ["stateFileMode", "stateGroup"] {
            guard let node = root[key] else { continue }
            let text = try node.string("`\(key)`")
            do throws(PermissionSettingError) {
                let isMode = key == "stateFileMode"
                let parsed = try FilePermissions(mode: isMode ? text : nil, group: isMode ? nil : text)
                if isMode { statePermissions.fileMode = parsed.fileMode } else { statePermissions.group = parsed.group }
            } catch {
                throw node.error("\(error)")
            }
        }
        if let node = root["openPermissions"] {
            switch try node.string("`openPermissions`") {
            case "warn": refusesOpenPermissions = false
            case "refuse": refusesOpenPermissions = true
            default: throw node.error("`openPermissions` must be warn or refuse")
            }
        }
    }

    /// The state folder, ledger, outbox, secret files and private keys that other accounts can read or change
    /// (beyond the configured `stateFileMode`), one line each with the `chmod` that fixes it.
    public func openPermissionProblems() -> [String] {
        let state = [
            FileExposure.problem("the state folder", at: stateDirectory, allowed: statePermissions),
            FileExposure.problem("the ledger", at: stateDirectory + "/ledger.sqlite", allowed: statePermissions),
            FileExposure.problem("the outbox", at: outboxPath, allowed: statePermissions),
        ]
        return (state + privateFiles.map { FileExposure.problem($0.what, at: $0.path) }).compactMap { $0 }
    }
}
