import ClaimsBridgeCarrierSimulator
import Testing

@Suite struct SimulatorBuildTests {
    @Test func theModuleLinks() { _ = CarrierSimulator.self }
}
