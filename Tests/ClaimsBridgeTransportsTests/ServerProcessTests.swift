import Foundation
import Testing

/// The harness that starts the loopback servers keeps them running for the whole test that started them.
@Suite struct ServerProcessTests {
    /// `setpriv --pdeathsig` signals a child when the thread that started it ends; test threads come and go, so a
    /// server started straight from one was killed under a test that was still using it ("Couldn't connect").
    @Test(.enabled(if: Tool.path("setpriv") != nil))
    func aServerOutlivesTheThreadThatStartedIt() throws {
        let started = DispatchSemaphore(value: 0)
        let box = ServerBox()
        let thread = Thread {
            box.server = try? ServerProcess(Tool.path("sleep") ?? "/bin/sleep", ["30"])
            // Long enough for setpriv to have set the signal before this thread ends.
            usleep(300_000)
            started.signal()
        }
        thread.start()
        started.wait()
        usleep(500_000)
        let server = try #require(box.server)
        #expect(server.isRunning, "the server was killed when the thread that started it ended")
        server.stop()
    }

    final class ServerBox: @unchecked Sendable {
        var server: ServerProcess?
    }
}
