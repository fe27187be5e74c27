import Foundation
import Testing

@testable import ConnectWire

@Suite("ConnectWireError renders errors botocore maps to the right exception")
struct ConnectWireErrorTests {
    @Test("every code is covered by the botocore-verified fixture")
    func allCodesVerified() {
        #expect(Set(BotocoreFixture.shared.errors.map(\.code)) == Set(ConnectWireError.Code.allCases.map(\.rawValue)))
    }

    @Test("status, headers and body match what botocore was shown", arguments: BotocoreFixture.shared.errors)
    func rendersLikeFixture(expected: BotocoreFixture.RenderedError) throws {
        let code = try #require(ConnectWireError.Code(rawValue: expected.code))
        let response = ConnectWireError(code, expected.message).restJSONResponse()
        #expect(response.status == expected.status)
        #expect(response.headers == expected.headers.map { HTTPHeader($0[0], $0[1]) })
        #expect(canonicalJSON(response.body) == canonicalJSON(Data(expected.body.utf8)))
    }

    @Test("the request id is passed on as x-amzn-RequestId")
    func requestId() {
        let response = ConnectWireError(.resourceNotFound, "no").restJSONResponse(requestId: "r-1")
        #expect(response.headers.first(named: "x-amzn-requestid") == "r-1")
        #expect(response.status == 404)
    }

    @Test("signature failures are AccessDeniedException with the precise reason kept")
    func signatureFailure() {
        let error = ConnectWireError.signature(.requestTimeSkewed, "late")
        #expect(error.code == .accessDenied && error.signatureFailure == .requestTimeSkewed)
        #expect(error.restJSONResponse().status == 403)
        #expect(error.description == "AccessDeniedException: late")
    }

    @Test("success responses are JSON with Content-Type application/json")
    func success() throws {
        let response = try RestJSONResponse.success(Connect.StopContactResponse())
        #expect(response.status == 200)
        #expect(response.headers == [HTTPHeader("Content-Type", "application/json")])
        #expect(response.body == Array("{}".utf8))
    }
}
