import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// What a lab order must be beyond its JSON shape: teeth per kind, bridges, attachments, patient, dates,
/// status history.
@Suite struct LabOrderCheckTests {
    /// A valid single-crown order, with one part replaced by `items`/`extra` JSON.
    static func order(
        items: String = #"[{"kind":"crown","material":"zirconia","teeth":[{"tooth":"36"}]}]"#, extra: String = ""
    )
        -> [UInt8]
    {
        Array(
            #"{"schemaVersion":1,"type":"labOrder","orderId":"LO-9","patient":{"chartReference":"C-9"},"items":\#(items)\#(extra)}"#
                .utf8)
    }

    @Test func theFixtureOrdersAreValidAndEncodeBackToTheirFields() throws {
        for line in try Fixtures.bytes("labs/orders.jsonl").split(separator: 0x0A) {
            let order = try LabOrder(json: Array(line))
            #expect(!order.items.isEmpty)
            let encoded = try JSONValue.parse(try JSONEncoder().encode(order))
            #expect(encoded == (try JSONValue.parse(Data(line))))
        }
    }

    @Test(arguments: [
        (
            #"[{"kind":"bridge","material":"zirconia","teeth":[{"tooth":"14","role":"abutment"},{"tooth":"16","role":"abutment"}]}]"#,
            "items[0].teeth", "pontic"
        ),
        (
            #"[{"kind":"bridge","material":"zirconia","teeth":[{"tooth":"14","role":"abutment"},{"tooth":"15","role":"pontic"},{"tooth":"16"}]}]"#,
            "items[0].teeth", "two abutments"
        ),
        (
            #"[{"kind":"crown","material":"zirconia","teeth":[{"tooth":"36","role":"pontic"}]}]"#,
            "items[0].teeth[0].role", "bridges only"
        ),
        (
            #"[{"kind":"implantCrown","material":"zirconia","teeth":[{"tooth":"84"}]}]"#,
            "items[0].teeth[0].tooth", "primary tooth"
        ),
        (#"[{"kind":"crown","material":"zirconia","teeth":[]}]"#, "items[0].teeth", "at least one tooth"),
        (
            #"[{"kind":"crown","material":"zirconia","teeth":[{"tooth":"36"},{"tooth":"36"}]}]"#,
            "items[0].teeth[1].tooth", "twice"
        ),
        (#"[{"kind":"fullDenture","material":"acrylic"}]"#, "items[0].arch", "arch"),
        (#"[{"kind":"tiara","material":"zirconia","teeth":[{"tooth":"36"}]}]"#, "items[0].kind", "restoration kind"),
        (#"[{"kind":"crown","material":"kryptonite","teeth":[{"tooth":"36"}]}]"#, "items[0].material", "material"),
        ("[]", "items", "at least one item"),
    ])
    func itemProblems(_ items: String, _ path: String, _ words: String) throws {
        let error = try #require(throws: BridgeError.self) { try LabOrder(json: Self.order(items: items)) }
        #expect(error.location.modelPath == path)
        #expect(error.reason.contains(words), "\(error.reason)")
    }

    @Test func primaryCrownsAndCantileversAreAccepted() throws {
        _ = try LabOrder(json: Self.order(items: #"[{"kind":"crown","material":"zirconia","teeth":[{"tooth":"75"}]}]"#))
        _ = try LabOrder(
            json: Self.order(
                items:
                    #"[{"kind":"bridge","material":"zirconia","teeth":[{"tooth":"12","role":"pontic"},{"tooth":"13","role":"abutment"}]}]"#
            ))
    }

    @Test(arguments: [
        (
            #","attachments":[{"uri":"u","mediaType":"image/png","byteSize":1,"sha256":"\#(String(repeating: "a", count: 64))"}]"#,
            "attachments[0].mediaType"
        ),
        (
            #","attachments":[{"uri":"u","mediaType":"model/stl","byteSize":0,"sha256":"\#(String(repeating: "a", count: 64))"}]"#,
            "attachments[0].byteSize"
        ),
        (
            #","attachments":[{"uri":"u","mediaType":"model/stl","byteSize":5,"sha256":"\#(String(repeating: "A", count: 64))"}]"#,
            "attachments[0].sha256"
        ),
        (#","dates":{"sent":"2026-03-10","due":"2026-03-01"}"#, "dates.due"),
        (#","dates":{"sent":"2026-03-31"}"#, nil),
        (#","status":"shipped","statusHistory":[{"to":"submitted","timestamp":"2026-03-01T10:00:00Z"}]"#, "status"),
        (#","statusHistory":[{"to":"shipped","timestamp":"2026-03-01T10:00:00Z"}]"#, "statusHistory[0].to"),
        (#","statusHistory":[{"to":"submitted","timestamp":"2026-03-01 10:00"}]"#, "statusHistory[0].timestamp"),
        (#","shipping":{"method":7}"#, "shipping.method"),
    ])
    func orderProblems(_ extra: String, _ path: String?) throws {
        let json = Self.order(extra: extra)
        guard let path else {
            _ = try LabOrder(json: json)
            return
        }
        let error = try #require(throws: BridgeError.self) { try LabOrder(json: json) }
        #expect(error.location.modelPath == path, "\(error)")
    }

    @Test func aPatientNeedsANameOrAChartReferenceAndErrorsNeverQuoteThem() throws {
        let anonymous = Array(
            #"{"orderId":"LO-9","patient":{"firstName":"Zoé","birthDate":"1990-01-01"},"items":[]}"#.utf8)
        let error = try #require(throws: BridgeError.self) { try LabOrder(json: anonymous) }
        #expect(error.location.modelPath == "patient")
        #expect(!error.description.contains("Zoé") && !error.description.contains("1990"))
    }
}
