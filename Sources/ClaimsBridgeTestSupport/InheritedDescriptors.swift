public import Foundation

/// Keeps a program started with `posix_spawn` from inheriting the test process's open descriptors.
///
/// Tests run in parallel in one process, and Foundation's `Pipe` and a plain `open` are not close-on-exec. A server
/// spawned while another test waits for a child's output would otherwise keep that pipe's write end (or a test's
/// `flock`) open for as long as the server lives, and the other test would wait forever.
public enum InheritedDescriptors {
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which Swift's Glibc module does not export.
    nonisolated(unsafe) private static let closeFrom: CloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        else { return nil }
        return unsafeBitCast(symbol, to: CloseFrom.self)
    }()

    /// Adds to `actions` the closing of every descriptor from 3 up, after the standard ones are set up.
    public static func closeAllButStandard(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>) {
        if let closeFrom, closeFrom(actions, 3) == 0 { return }
        // Older C libraries: close what is open now (a descriptor opened later by another thread may still leak).
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in open.compactMap(Int32.init) where descriptor > 2 {
            if fcntl(descriptor, F_GETFD) != -1 { posix_spawn_file_actions_addclose(actions, descriptor) }
        }
    }
}
