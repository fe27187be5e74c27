import Foundation
import Testing

@testable import ConnectWire

@Suite("Date and URI encoding helpers")
struct AWSDateFormatTests {
    @Test("X-Amz-Date round-trips and refuses malformed input")
    func amzDate() {
        let date = Date(timeIntervalSince1970: 1_714_566_896)
        #expect(AWSDateFormat.amzDate(date) == "20240501T123456Z")
        #expect(AWSDateFormat.parseAmzDate("20240501T123456Z") == date)
        #expect(AWSDateFormat.amzDate(Date(timeIntervalSince1970: 951_782_400)) == "20000229T000000Z")
        #expect(AWSDateFormat.amzDate(Date(timeIntervalSince1970: -1)) == "19691231T235959Z")
        for bad in ["20240501T123456", "2024-05-01T12:34:56Z", "20240431T000000Z", "20241301T000000Z", "20240501T246000Z", ""] {
            #expect(AWSDateFormat.parseAmzDate(bad) == nil, "\(bad)")
        }
    }

    @Test("ISO 8601 with milliseconds, as Connect's AbsoluteTime")
    func iso8601() {
        let date = Date(timeIntervalSince1970: 1_714_566_896.125)
        #expect(AWSDateFormat.iso8601(date) == "2024-05-01T12:34:56.125Z")
        #expect(AWSDateFormat.parseISO8601("2024-05-01T12:34:56.125Z") == date)
        #expect(AWSDateFormat.parseISO8601("2024-05-01T12:34:56Z") == Date(timeIntervalSince1970: 1_714_566_896))
        #expect(AWSDateFormat.parseISO8601("2024-05-01 12:34:56Z") == nil)
    }

    @Test("HTTP dates")
    func httpDate() {
        #expect(AWSDateFormat.parseHTTPDate("Wed, 01 May 2024 12:34:56 GMT") == Date(timeIntervalSince1970: 1_714_566_896))
        #expect(AWSDateFormat.parseHTTPDate("Wed, 01 Mai 2024 12:34:56 GMT") == nil)
    }

    @Test("URI encoding keeps only the unreserved set")
    func uriEncoding() {
        #expect(AWSURIEncoding.encode("a b/c~d-e_f.g*é") == "a%20b%2Fc~d-e_f.g%2A%C3%A9")
        #expect(AWSURIEncoding.encode("/a b/", keepingSlashes: true) == "/a%20b/")
        #expect(AWSURIEncoding.decode("a%20b%2fc+%zz%") == "a b/c+%zz%")
        #expect(AWSURIEncoding.queryString([("k 1", "v/2"), ("b", "")]) == "k%201=v%2F2&b=")
    }
}
