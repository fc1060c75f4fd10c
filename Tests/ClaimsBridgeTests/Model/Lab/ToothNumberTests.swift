import Testing

@testable import ClaimsBridge

/// FDI tooth numbers: permanent 11–48, primary 51–85, nothing else.
@Suite struct ToothNumberTests {
    @Test(arguments: ["11", "18", "21", "28", "31", "38", "41", "48", "51", "55", "61", "65", "71", "75", "81", "85"])
    func validTeeth(_ text: String) throws {
        let tooth = try #require(ToothNumber(text))
        #expect(tooth.description == text)
        #expect(tooth.isPrimary == (text.first! >= "5"))
    }

    @Test(arguments: [
        "10", "19", "20", "29", "39", "49", "50", "56", "66", "76", "86", "90", "00", "1", "111", "1a", "",
    ])
    func invalidTeeth(_ text: String) {
        #expect(ToothNumber(text) == nil)
    }

    @Test func decodingNamesTheRule() throws {
        let json = Array(
            #"{"orderId":"X","patient":{"chartReference":"C"},"items":[{"kind":"crown","teeth":[{"tooth":"19"}]}]}"#
                .utf8)
        let error = try #require(throws: BridgeError.self) { try LabOrder(json: json) }
        #expect(error.location.modelPath == "items[0].teeth[0].tooth")
        #expect(error.reason.contains("FDI"))
    }
}
