import Foundation

/// External programs the tests start: the OpenSSL and OpenSSH command-line tools, python3 and sshd.
enum Tool {
    /// The full path of `name` on PATH (or in /usr/sbin), or nil when it is not installed.
    static func path(_ name: String) -> String? {
        let folders =
            (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/sbin", "/usr/bin", "/sbin"]
        for folder in folders where FileManager.default.isExecutableFile(atPath: folder + "/" + name) {
            return folder + "/" + name
        }
        return nil
    }

    /// Whether every tool the loopback-server tests need is installed.
    static var serversAvailable: Bool {
        ["openssl", "python3", "ssh-keygen", "sshd"].allSatisfy { path($0) != nil }
    }

    /// Runs a program to completion.
    /// - Returns: its standard output.
    @discardableResult
    static func run(_ name: String, _ arguments: [String], in directory: String? = nil) throws -> String {
        guard let executable = path(name) else { throw ToolError("\(name) is not installed") }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("tool-\(UUID().uuidString)").path
        defer { unlink(output) }
        let pid: pid_t
        if let directory, let env = path("env") {
            pid = try Spawn.start(env, ["-C", directory, executable] + arguments, stdout: output)
        } else {
            pid = try Spawn.start(executable, arguments, stdout: output)
        }
        let status = Spawn.wait(pid)
        guard status == 0 else {
            throw ToolError("\(name) \(arguments.joined(separator: " ")) exited with \(status)")
        }
        return (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
    }
}

struct ToolError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A fresh temporary folder.
func makeScratchFolder(_ prefix: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
func freePort() -> Int {
    let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Waits until something accepts TCP connections on 127.0.0.1:`port`.
func waitForPort(_ port: Int, timeoutSeconds: Double = 30) throws {
    let deadline = Date().addingTimeInterval(timeoutSeconds)
    while Date() < deadline {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        close(socket)
        if connected == 0 { return }
        usleep(20_000)
    }
    throw ToolError("nothing listens on port \(port)")
}
