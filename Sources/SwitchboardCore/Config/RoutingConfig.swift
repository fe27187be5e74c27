import Foundation

/// `routing`: how contacts reach agents.
public struct RoutingConfig: Sendable, Decodable {
    /// How long an escalated contact waits for the agent of its related contact.
    public var preferredAgentSeconds: Int
    /// How long an agent has to accept an offer.
    public var offerTimeoutSeconds: Int
    /// How long an agent who rejected a contact is skipped for it.
    public var rejectCooldownSeconds: Int
    /// Queue for contacts started through the API.
    public var defaultQueue: String
    /// How long an agent session token lives.
    public var sessionTtlSeconds: Int
    /// How often offer deadlines are checked.
    public var tickIntervalMs: Int
    /// Routing profiles, by name: each a set of queues its agents serve, oldest contact first over all of them. A queue
    /// belongs to one profile, and a profile's routing state shares one hash tag (`{routing:<name>}`), so each routing
    /// decision is one atomic script while profiles spread over a cluster's shards. In config.json an object, name →
    /// queues; default `{"default": [defaultQueue]}`.
    public var profiles: [Profile]

    /// One routing profile.
    public struct Profile: Sendable, Equatable {
        /// Its name, in its keys' hash tag.
        public var name: String
        /// The queues its agents serve.
        public var queues: [String]

        /// Makes a profile.
        public init(name: String, queues: [String]) { (self.name, self.queues) = (name, queues) }
    }

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case preferredAgentSeconds, offerTimeoutSeconds, rejectCooldownSeconds, defaultQueue, sessionTtlSeconds, tickIntervalMs, profiles
    }

    package static func defaults() throws -> RoutingConfig { try JSONDecoder().decode(RoutingConfig.self, from: Data("{}".utf8)) }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(CodingKeys.self)
        preferredAgentSeconds = try c.optional(.preferredAgentSeconds, default: 30, min: 0)
        offerTimeoutSeconds = try c.optional(.offerTimeoutSeconds, default: 20, min: 1)
        rejectCooldownSeconds = try c.optional(.rejectCooldownSeconds, default: 60, min: 0)
        defaultQueue = try c.optional(.defaultQueue, default: "default")
        sessionTtlSeconds = try c.optional(.sessionTtlSeconds, default: 43_200, min: 1)
        tickIntervalMs = try c.optional(.tickIntervalMs, default: 500, min: 1)
        profiles = [Profile(name: "default", queues: [defaultQueue])]
        if c.contains(.profiles) {
            // Read in name order, so that the same file gives the same config and the same first error every time.
            let object = try c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: .profiles)
            profiles = try object.allKeys.sorted { $0.stringValue < $1.stringValue }.map {
                Profile(name: $0.stringValue, queues: try object.decode([String].self, forKey: $0))
            }
        }
        var owner: [String: String] = [:]
        for (profile, queues) in profiles.map({ ($0.name, $0.queues) }) {
            guard Self.isValidName(profile) else { throw SwitchboardError.config("\"routing.profiles\" has a bad name \"\(profile)\": \(Self.nameRule)") }
            guard !queues.isEmpty else { throw SwitchboardError.config("\"routing.profiles.\(profile)\" lists no queue") }
            for queue in queues {
                guard Self.isValidName(queue) else { throw SwitchboardError.config("\"routing.profiles.\(profile)\" has a bad queue \"\(queue)\": \(Self.nameRule)") }
                if let other = owner[queue] {
                    throw SwitchboardError.config(other == profile ? "\"routing.profiles.\(profile)\" lists queue \"\(queue)\" twice"
                        : "queue \"\(queue)\" is in routing profiles \"\(other)\" and \"\(profile)\": a queue belongs to one profile")
                }
                owner[queue] = profile
            }
        }
        guard owner[defaultQueue] != nil else {
            throw SwitchboardError.config("\"routing.defaultQueue\" \"\(defaultQueue)\" is in no routing profile (\"routing.profiles\")")
        }
    }

    /// The profile whose agents serve `queue`; nil for a queue no profile lists.
    public func profile(ofQueue queue: String) -> String? {
        profiles.first { $0.queues.contains(queue) }?.name
    }

    /// The profile of `defaultQueue`, which config validation requires.
    public var defaultProfile: String { profile(ofQueue: defaultQueue) ?? "default" }

    /// Every profile name, sorted.
    public var profileNames: [String] { profiles.map(\.name) }

    private static let nameRule = "1 to 64 letters, digits, \"_\", \"-\" or \".\""

    /// Queue and profile names appear in keys and in the routing scripts' records.
    package static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."): true
            default: false
            }
        }
    }
}
