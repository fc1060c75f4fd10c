import ClaimsBridgeTestSupport
import Foundation
import Testing

@Suite struct TranslateEndpointTests {
    @Test func translatesACDAnetClaimToModelJSON() async throws {
        let claim = try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")
        try await ServiceFixture().withServer { client in
            let reply = try await client.send(
                "POST", "/v1/translate?from=cdanet&to=json", contentType: "application/octet-stream", body: claim)
            #expect(reply.status == 200)
            #expect(reply.contentType == "application/x-ndjson")
            #expect(reply.headers["claimsbridge-messages"] == "1")
            #expect(reply.headers["claimsbridge-rejected"] == "0")
            #expect(reply.text.contains("\"officeSequenceNumber\":\"000101\""))
        }
    }

    @Test func translatesModelJSONBackToTheSameCDAnetBytes() async throws {
        let claim = try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")
        try await ServiceFixture().withServer { client in
            let json = try await client.send(
                "POST", "/v1/translate?from=cdanet&to=json", contentType: "application/octet-stream", body: claim)
            let back = try await client.send(
                "POST", "/v1/translate?from=json&to=cdanet", contentType: "application/x-ndjson", body: json.body)
            #expect(back.status == 200)
            #expect(back.contentType == "application/octet-stream")
            #expect(back.body == claim)
        }
    }

    @Test func answersMultipartWithTheRejectsWhenSomeMessagesFail() async throws {
        // Three messages; the second has a month 13 in its date of service.
        let batch = try Fixtures.bytes("cdanet/invalid/bad-date.txt")
        try await ServiceFixture().withServer { client in
            let reply = try await client.send(
                "POST", "/v1/translate?from=cdanet&to=json", contentType: "text/plain", body: batch)
            #expect(reply.status == 200)
            #expect(reply.contentType.hasPrefix("multipart/mixed; boundary="))
            #expect(reply.headers["claimsbridge-rejected"] == "1")
            #expect(reply.text.contains("name=\"output\""))
            #expect(reply.text.contains("name=\"rejects\""))
            #expect(reply.text.contains("\"code\":\"invalidDate\""))
            #expect(reply.text.contains("\"messageNumber\":2"))
        }
    }

    @Test func answersAProblemWithWhereAndWhyWhenNoMessageTranslates() async throws {
        // The second message of the batch alone (bytes 214..<658).
        let bad = Array(try Fixtures.bytes("cdanet/invalid/bad-date.txt")[214..<658])
        try await ServiceFixture().withServer { client in
            let reply = try await client.send(
                "POST", "/v1/translate?from=cdanet&to=json", contentType: "text/plain", body: bad)
            #expect(reply.status == 422)
            #expect(reply.contentType == "application/problem+json")
            let problem = try #require(reply.json)
            #expect(problem["code"] as? String == "invalidDate")
            #expect(problem["messageNumber"] as? Int == 1)
            #expect(problem["fieldId"] as? String == "F09")
            #expect(problem["byteOffset"] != nil)
            #expect((problem["rejects"] as? [Any])?.count == 1)
        }
    }

    @Test func carriesTheCarrierProblemsAndCDAnetCodeOfARefusedClaim() async throws {
        let claim = try Fixtures.bytes("cdanet/invalid/carrier-009-policy-missing.json")
        try await ServiceFixture().withServer { client in
            let reply = try await client.send(
                "POST", "/v1/translate?from=json&to=cdanet", contentType: "application/json", body: claim)
            #expect(reply.status == 422)
            let problem = try #require(reply.json)
            #expect(problem["cdanetCode"] as? String == "009")
            let problems = try #require(problem["problems"] as? [[String: Any]])
            #expect(problems.contains { $0["cdanetCode"] as? String == "009" && $0["modelPath"] != nil })
            #expect(problem["line"] as? Int == 1)
        }
    }

    @Test func refusesAnUnknownDirectionAndAWrongMediaType() async throws {
        try await ServiceFixture().withServer { client in
            let unknown = try await client.send(
                "POST", "/v1/translate?from=cdanet&to=ramq", contentType: "text/plain", body: Array("x".utf8))
            #expect(unknown.status == 400)
            #expect(unknown.json?["detail"] as? String ?? "" != "")
            let wrongType = try await client.send(
                "POST", "/v1/translate?from=cdanet&to=json", contentType: "application/json", body: Array("{}".utf8))
            #expect(wrongType.status == 415)
            let none = try await client.send("POST", "/v1/translate?from=cdanet&to=json", body: Array("x".utf8))
            #expect(none.status == 415)
        }
    }

    @Test func readsARAMQBatchThroughItsSchema() async throws {
        let batch = try Fixtures.bytes("ramq/one-claim.xml")
        let expected = try Fixtures.bytes("ramq/one-claim.expected.jsonl")
        try await ServiceFixture().withServer { client in
            let reply = try await client.send(
                "POST", "/v1/translate?from=ramq&to=json", contentType: "application/xml", body: batch)
            #expect(reply.status == 200)
            #expect(reply.body == expected)
        }
    }

    /// The prepared translations hold libxml2 and schema-validator state: requests running at once must each
    /// get their own, and every answer must be the one a request alone gets.
    @Test func requestsInParallelGetTheSameAnswersAsOneAtATime() async throws {
        let batch = try Fixtures.bytes("ramq/many-claims.xml")
        let claim = try Fixtures.bytes("cdanet/v04/01-claim-maximal.txt")
        try await ServiceFixture(serviceYAML: "limits: {concurrentRequests: 64}").withServer { client in
            let xmlAlone = try await client.send(
                "POST", "/v1/translate?from=ramq&to=json", contentType: "application/xml", body: batch)
            let cdanetAlone = try await client.send(
                "POST", "/v1/translate?from=cdanet&to=json", contentType: "text/plain", body: claim)
            #expect(xmlAlone.status == 200 && cdanetAlone.status == 200)
            let replies = try await withThrowingTaskGroup(of: (Bool, HTTPReply).self) { group in
                for index in 0..<24 {
                    group.addTask {
                        let xml = index % 2 == 0
                        let reply = try await client.send(
                            "POST", xml ? "/v1/translate?from=ramq&to=json" : "/v1/translate?from=cdanet&to=json",
                            contentType: xml ? "application/xml" : "text/plain", body: xml ? batch : claim)
                        return (xml, reply)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.count == 24)
            for (xml, reply) in replies {
                #expect(reply.status == 200)
                #expect(reply.body == (xml ? xmlAlone.body : cdanetAlone.body))
            }
        }
    }
}
