import ConnectWire
@testable import Switchboard
import SwitchboardCore
import ContactEngine
import Testing

@Suite("AWS mode: what the customer is told when Amazon Connect fails")
struct AWSModeTests {
    @Test("no answer or refused credentials: 503; throttled: 429 with Retry-After; a refused request: 400 with Connect's words")
    func upstreamErrorsMapToCustomerErrors() {
        let unreachable = AWSContactService.apiError(.transport("connection refused"))
        #expect(unreachable.status == .serviceUnavailable && unreachable.code == "SERVICE_UNAVAILABLE")
        for code: ConnectWireError.Code in [.throttling, .limitExceeded] {
            let throttled = AWSContactService.apiError(ConnectWireError(code, "Rate exceeded"))
            #expect(throttled.status == .tooManyRequests && throttled.code == "RATE_LIMITED")
            #expect(throttled.headers[.retryAfter] != nil)
        }
        for code: ConnectWireError.Code in [.invalidParameter, .invalidRequest, .validation] {
            let refused = AWSContactService.apiError(ConnectWireError(code, "Missing required member ParticipantDetails.DisplayName"))
            #expect(refused.status == .badRequest && refused.code == "INVALID_REQUEST")
            #expect(refused.message.contains("ParticipantDetails.DisplayName"))
        }
        let denied = AWSContactService.apiError(ConnectWireError(.accessDenied, "The security token included in the request is invalid"))
        #expect(denied.status == .serviceUnavailable && !denied.message.contains("token"))
    }

    @Test("the agent id is the last part of an agent ARN")
    func agentIdFromArn() {
        #expect(AWSContactService.agentId(fromArn: "arn:aws:connect:us-west-2:1:instance/i-1/agent/a-9") == "a-9")
        #expect(AWSContactService.agentId(fromArn: "a-9") == "a-9")
    }
}
