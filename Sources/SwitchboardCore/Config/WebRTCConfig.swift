import Foundation

/// `webrtc`: what browsers get for ICE.
public struct WebRTCConfig: Sendable, Decodable {
    /// RTCIceServer entries passed to browsers as they are (urls, username, credential).
    public var iceServers: [IceServer]

    /// One RTCIceServer.
    public struct IceServer: Sendable, Codable {
        /// STUN/TURN URLs.
        public var urls: [String]
        /// TURN user name.
        public var username: String?
        /// TURN credential.
        public var credential: String?
    }

    package init(iceServers: [IceServer]) { self.iceServers = iceServers }

    package enum CodingKeys: String, CodingKey, CaseIterable { case iceServers }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(CodingKeys.self)
        iceServers = try c.optional(.iceServers, default: [])
    }
}
