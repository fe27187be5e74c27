import Foundation

/// JSON coding for request and response bodies, with failures mapped to `ConnectWireError`.
///
/// The models do not depend on encoder settings (timestamps encode themselves as epoch seconds); the settings here
/// only make output stable (sorted keys) and readable (unescaped `/` in URLs).
public enum ConnectWireJSON {
    /// Encodes `value`; a failure (only possible with non-finite numbers) is an `InternalServiceException`.
    public static func encode(_ value: some Encodable) throws(ConnectWireError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(value))
        } catch {
            throw ConnectWireError(.internalService, "Could not encode response: \(error)")
        }
    }

    /// Decodes `T` from `body` (an empty body reads as `{}`); failures become `invalidCode` errors naming the member.
    public static func decode<T: Decodable>(
        _ type: T.Type, from body: some DataProtocol, invalidCode: ConnectWireError.Code
    ) throws(ConnectWireError) -> T {
        let data = body.isEmpty ? Data("{}".utf8) : Data(body)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw ConnectWireError(invalidCode, describe(error))
        } catch {
            throw ConnectWireError(invalidCode, "Request body is not valid JSON")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "Missing required member \(path(context.codingPath + [key]))"
        case .valueNotFound(_, let context), .typeMismatch(_, let context):
            return "Invalid value for member \(path(context.codingPath))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "Request body is not valid JSON" : "Invalid value for member \(path(context.codingPath))"
        @unknown default:
            return "Request body is not valid"
        }
    }
}
