import ClaimsBridgeService
import HTTPTypes
import Hummingbird
import Testing

/// A route group added from outside the service module, as the claim-submission routes are.
private struct EchoRoutes: ServiceRouteProvider {
    func addRoutes(to router: Router<ServiceRequestContext>, service: ServiceContext) {
        service.routes(on: router, endpoint: ServiceEndpoint.submit, expensive: true)
            .post("/v1/echo") { request, context in
                let body = try await request.body.collect(upTo: 1024)
                return Response(
                    status: .ok, headers: [.contentType: "text/plain"],
                    body: .init(byteBuffer: body))
            }
    }
}

@Suite struct RouteProviderTests {
    @Test func addedRoutesGetTheTokenCheckAndMetricsOfTheBuiltInOnes() async throws {
        try await ServiceFixture().withServer(routeProviders: [EchoRoutes()]) { client in
            let port = client.port
            let none = try await LoopbackHTTP.request(
                port: port, method: "POST", path: "/v1/echo", body: Array("hi".utf8))
            #expect(none.status == 401)
            #expect(none.contentType == "application/problem+json")
            let translator = try await LoopbackHTTP.request(
                port: port, method: "POST", path: "/v1/echo",
                headers: ["Authorization": "Bearer \(ServiceFixture.translatorToken)"], body: Array("hi".utf8))
            #expect(translator.status == 403)
            let full = try await LoopbackHTTP.request(
                port: port, method: "POST", path: "/v1/echo",
                headers: ["Authorization": "Bearer \(ServiceFixture.fullToken)", "X-Request-Id": "echo-1"],
                body: Array("hi".utf8))
            #expect(full.status == 200)
            #expect(full.text == "hi")
            #expect(full.headers["x-request-id"] == "echo-1")
            let metrics = try await client.send("GET", "/metrics")
            #expect(metrics.text.contains("claimsbridge_http_requests_total{endpoint=\"submit\",status=\"200\"} 1"))
        }
    }
}
