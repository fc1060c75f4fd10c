#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one watcher working in a state folder. Two watchers on one state folder would both take the files in
/// its `processing/` folders for files left by a crash, so a second one waits here until the first stops (a
/// standby that takes over when the first dies, or a scheduled `--drain` run that overlaps the previous one).
///
/// The lock is an `flock` on `<state>/watch.lock`: the system releases it when its holder exits, however it
/// exits, so a watcher killed with SIGKILL never leaves it held.
final class StateFolderLock {
    /// The lock file's name in the state folder.
    static let fileName = "watch.lock"

    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Takes the lock of `stateDirectory`, waiting while another process holds it. `waiting` is called once if
    /// the lock is held; `isStopping` is checked every 100 ms while waiting, and returns nil when it says stop.
    /// - Throws: ``WatchError`` when the lock file cannot be opened.
    static func acquire(
        stateDirectory: String, waiting: () -> Void, isStopping: () -> Bool
    ) async throws -> StateFolderLock? {
        let descriptor = try openLockFile(in: stateDirectory)
        var announced = false
        while try !tryLock(descriptor, stateDirectory: stateDirectory) {
            if !announced {
                waiting()
                announced = true
            }
            if isStopping() || Task.isCancelled {
                close(descriptor)
                return nil
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return StateFolderLock(descriptor: descriptor)
    }

    /// Takes the lock of `stateDirectory` if nobody holds it; nil when a watcher works there now.
    /// - Throws: ``WatchError`` when the lock file cannot be opened or locked.
    static func acquireNow(stateDirectory: String) throws -> StateFolderLock? {
        let descriptor = try openLockFile(in: stateDirectory)
        guard try tryLock(descriptor, stateDirectory: stateDirectory) else {
            close(descriptor)
            return nil
        }
        return StateFolderLock(descriptor: descriptor)
    }

    private static func openLockFile(in stateDirectory: String) throws -> Int32 {
        let path = stateDirectory + "/" + fileName
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw WatchError("cannot open the state folder's lock \(path): \(String(cString: strerror(errno)))")
        }
        return descriptor
    }

    /// One try: true when taken, false when another process holds the lock. Any other failure closes
    /// `descriptor` and throws.
    private static func tryLock(_ descriptor: Int32, stateDirectory: String) throws -> Bool {
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            if errno == EWOULDBLOCK { return false }
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw WatchError("cannot lock the state folder \(stateDirectory): \(reason)")
        }
        return true
    }

    deinit {
        close(descriptor)
    }
}
