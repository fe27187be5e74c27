/// Routing state (docs/routing.md, "Keys"): per routing profile, eleven keys under the profile's hash tag, handed to
/// every routing script as its KEYS in the order of ``routingScriptKeys(profile:)``. Agents and contacts are fields of
/// two hashes rather than keys of their own, because a routing step discovers while it runs which of them it touches,
/// and a script must declare its keys.
extension RedisKeys {
    /// The common prefix of one routing profile's keys, with their hash tag.
    public func routing(profile: String) -> String { "\(prefix):{routing:\(profile)}" }
    /// HASH agentId → JSON agent record (state, capacities, the contacts it holds) of a profile.
    public func routingAgents(profile: String) -> String { "\(routing(profile: profile)):agents" }
    /// HASH contactId → JSON contact record (state, offeredTo, offerDeadline, agent, ...) of a profile.
    public func routingContacts(profile: String) -> String { "\(routing(profile: profile)):contacts" }
    /// The KEYS of every routing script for one profile, in order.
    public func routingScriptKeys(profile: String) -> [String] { Self.routingScriptKeys(under: routing(profile: profile)) }

    /// The KEYS of every routing script for routing state under `prefix` (which carries the hash tag).
    public static func routingScriptKeys(under prefix: String) -> [String] {
        ["agents", "contacts", "agents:available", "agents:free:chat", "agents:free:voice", "queued:chat", "queued:voice",
         "offers", "preferred", "ended", "seq"].map { "\(prefix):\($0)" }
    }
}
