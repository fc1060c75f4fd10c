import ClaimsBridgeService
import Testing

@Suite struct ServiceBuildTests {
    @Test func theModuleLinks() { _ = ClaimsBridgeServer.self }
}
