import Foundation

/// Finds files and folders holding personal data or secrets that other accounts can read or change, the way
/// OpenSSH refuses a private key that is too open.
public enum FileExposure {
    /// A problem when `path` gives group or others more than `allowed` (a file mode such as `0600`; a folder
    /// is compared with its folder mode, `0700` for `0600`). Nil when it is private enough or missing.
    public static func problem(_ what: String, at path: String, allowed: FilePermissions = .ownerOnly) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let isFolder = info.st_mode & S_IFMT == S_IFDIR
        let mode = info.st_mode & 0o777
        let limit = isFolder ? allowed.directoryMode : allowed.fileMode
        let extra = mode & 0o077 & ~limit
        guard extra != 0 else { return nil }
        let who = extra & 0o070 != 0 && extra & 0o007 != 0 ? "its group and other accounts" : extra & 0o070 != 0 ? "its group" : "other accounts"
        let fix = String(limit & 0o777 | (mode & 0o700), radix: 8)
        return "\(what) \(path) is open to \(who) (mode \(String(mode, radix: 8))); run chmod \(fix) \(path)"
    }
}
