import RedisClient

/// Every script of `lua/`, by name. The catalog refuses to start a node whose `paths.lua` lacks one, so a script is
/// never found missing in the middle of a request.
public enum LuaScript: String, CaseIterable, Sendable {
    case contactClaim = "contact_claim"
    case contactEnd = "contact_end"
    case contactTransition = "contact_transition"
    case contactUpdateAttributes = "contact_update_attributes"
    case eventsAppendOnce = "events_append_once"
    case hubPublish = "hub_publish"
    case hubTopic = "hub_topic"
    case meetingLeave = "meeting_leave"
    case participantSend = "participant_send"
    case realtimeForget = "realtime_forget"
    case realtimePush = "realtime_push"
    case realtimeRegister = "realtime_register"
    case routingAccept = "routing_accept"
    case routingAgentState = "routing_agent_state"
    case routingAgentUpsert = "routing_agent_upsert"
    case routingEnd = "routing_end"
    case routingEnqueue = "routing_enqueue"
    case routingReject = "routing_reject"
    case routingTick = "routing_tick"
}

extension RedisScriptSet {
    /// The script `script` (present: ``ScriptCatalog/read(directory:)`` checked every one at start-up).
    public subscript(script: LuaScript) -> RedisScript {
        self[script.rawValue]
    }
}
