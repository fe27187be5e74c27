/// Keys and the pub/sub channel of the embedded contact engine (docs/redis-keys.md, "Contact engine").
/// Everything lives under the `{contacts}` hash tag except routing state, which the routing scripts own (`{routing}`).
extension RedisKeys {
    /// HASH of one participant: contactId, role, displayName, state (`active`/`left`), joinedAt.
    package func participant(_ id: String) -> String { "\(contacts):participant:\(id)" }
    /// STRING participantId, keyed by the SHA-256 of a participant token; expires with the token.
    package func participantToken(_ hash: String) -> String { "\(contacts):ptoken:\(hash)" }
    /// STRING participantId, keyed by the SHA-256 of a connection token (CreateParticipantConnection).
    package func connectionToken(_ hash: String) -> String { "\(contacts):ctoken:\(hash)" }
    /// STRING participantId, keyed by the SHA-256 of the token in a participant WebSocket URL.
    package func socketToken(_ hash: String) -> String { "\(contacts):wstoken:\(hash)" }
    /// STRING `<meetingId> <attendeeId> <role> <contactId>`, keyed by the SHA-256 of a signaling join token.
    package func joinToken(_ hash: String) -> String { "\(contacts):jtoken:\(hash)" }
    /// STRING the item JSON first sent with a SendMessage/SendEvent `ClientToken` (SHA-256) by one participant.
    package func sentItem(participantId: String, clientTokenHash: String) -> String { "\(contacts):sent:\(participantId):\(clientTokenHash)" }
    /// ZSET contactId → epoch ms at which a contact nobody ended is ended as `EXPIRED`; once the contact has ended,
    /// the ms after which any node's sweeper finishes the end if its node has not. Removed when the end is complete.
    package var contactDeadlines: String { "\(contacts):deadlines" }
    /// ZSET contactId → epoch ms after which any node's sweeper finishes starting a contact whose node has not
    /// (INITIATED, queued, QUEUED, routing); removed when the start is complete.
    package var contactsStarting: String { "\(contacts):starting" }
    /// STREAM of a contact's transcript items (field `item`), capped at `local.transcriptMaxItems`.
    package func transcript(_ contactId: String) -> String { "\(contacts):transcript:\(contactId)" }
    /// HASH attendeeId → `<role> <nodeId> <connectionId>` of the sockets in a meeting.
    package func meetingPeers(_ meetingId: String) -> String { "\(contacts):meeting:\(meetingId):peers" }
    /// STRING agentId, keyed by the SHA-256 of an agent session token; expires after `routing.sessionTtlSeconds`.
    package func agentSession(_ hash: String) -> String { "\(contacts):session:\(hash)" }
    /// HASH nodeId → number of that node's sockets of one topic (`agent:<id>`, `contact:<id>`, `meeting:<id>`): where
    /// frames for the topic are published. Its own hash tag, so topics spread over a cluster's shards.
    package func topicNodes(_ topic: SocketTopic) -> String { "\(prefix):{\(topic.name)}:nodes" }

    /// The routing scripts' hash of a contact (state, offeredTo, offerDeadline, agent; docs/routing.md).
    package func routingContact(_ id: String) -> String { "\(routing):contact:\(id)" }
    /// The routing scripts' hash of an agent (state, capacities).
    package func routingAgent(_ id: String) -> String { "\(routing):agent:\(id)" }
    /// The routing scripts' set of contacts an agent holds on a channel (offered or connected).
    package func routingAgentContacts(_ id: String, channel: String) -> String { "\(routing):agent:\(id):\(channel)" }
}
