import Foundation

/// Wakes the watcher when something changes in an inbox: inotify on Linux, plus a wake-up pipe so that a
/// stop request interrupts the wait. Where inotify is unavailable it only waits, and the periodic rescan
/// (polling) finds new files.
/// `wake()` only writes to a pipe, so it may be called from any thread; the rest belongs to the intake thread.
final class InboxMonitor: @unchecked Sendable {
    private let notifications: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private var watches: [Int32: String] = [:]
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 8)

    /// Whether change notifications are in use (false: polling only).
    var isNotifying: Bool { notifications >= 0 }

    init(folders: [String]) {
        #if os(Linux)
        notifications = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        #else
        notifications = -1
        #endif
        var pipeEnds: [Int32] = [0, 0]
        pipe(&pipeEnds)
        wakeRead = pipeEnds[0]
        wakeWrite = pipeEnds[1]
        _ = fcntl(wakeRead, F_SETFL, O_NONBLOCK)
        _ = fcntl(wakeWrite, F_SETFL, O_NONBLOCK)
        #if os(Linux)
        if notifications >= 0 {
            let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ATTRIB)
            for folder in folders {
                let watch = inotify_add_watch(notifications, folder, mask)
                if watch >= 0 { watches[watch] = folder }
            }
        }
        #endif
    }

    deinit {
        if notifications >= 0 { close(notifications) }
        close(wakeRead)
        close(wakeWrite)
        buffer.deallocate()
    }

    /// Waits until an inbox changes, ``wake()`` is called, or `timeout` seconds pass.
    /// Returns true when something changed or a wake-up came.
    @discardableResult
    func wait(timeout: Double) -> Bool {
        var descriptors = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        if notifications >= 0 { descriptors.append(pollfd(fd: notifications, events: Int16(POLLIN), revents: 0)) }
        let milliseconds = Int32(max(0, min(timeout, 3600)) * 1000)
        let ready = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
        guard ready > 0 else { return false }
        drain(wakeRead)
        if notifications >= 0 { drain(notifications) }
        return true
    }

    /// Interrupts a ``wait(timeout:)`` in progress (or the next one). Safe from any thread.
    func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private func drain(_ descriptor: Int32) {
        while read(descriptor, buffer.baseAddress, buffer.count) > 0 {}
    }
}
