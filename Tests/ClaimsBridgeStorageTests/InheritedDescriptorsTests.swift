import ClaimsBridgeTestSupport
import Foundation
import Testing

/// A server a test starts must not keep another test's pipe open: its reader would wait for the end forever.
@Suite("Descriptors passed to spawned programs")
struct InheritedDescriptorsTests {
    @Test("A program spawned for a test sees none of the test process's pipes or files, only its standard three")
    func onlyTheStandardDescriptorsArePassedOn() throws {
        let pipe = Pipe()
        let writeEnd = pipe.fileHandleForWriting.fileDescriptor
        #expect(fcntl(writeEnd, F_GETFD) & FD_CLOEXEC == 0, "Foundation's pipes are inherited unless closed")
        let output = NSTemporaryDirectory() + "inherited-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: output) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        InheritedDescriptors.closeAllButStandard(&actions)
        // The shell reports what its descriptor `writeEnd` is, or that it has none.
        let script = "readlink /proc/$$/fd/\(writeEnd) || echo closed"
        let words: [String] = ["/bin/sh", "-c", script]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        #expect(posix_spawn(&pid, "/bin/sh", &actions, nil, argv, environ) == 0)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let printed = String(decoding: FileManager.default.contents(atPath: output) ?? Data(), as: UTF8.self)
        #expect(printed.hasSuffix("closed\n"), "the child still had the pipe: \(printed)")
        #expect(!printed.contains("pipe:"), "\(printed)")
    }
}
