/// Keys of the embedded contact engine (docs/redis-keys.md, "Contact engine"). A contact's data lives in its bucket
/// (``contacts(of:)``); token lookups and meeting presence are keys of their own, which spread over a cluster by their
/// own names; routing state belongs to the routing scripts (RedisKeys+Routing.swift).
extension RedisKeys {
    /// HASH of one participant of a contact: contactId, role, displayName, state (`active`/`left`), joinedAt.
    package func participant(contactId: String, _ id: String) -> String { "\(contacts(of: contactId)):participant:\(id)" }
    /// STRING `<contactId> <participantId>`, keyed by the SHA-256 of a participant token; expires with the token.
    package func participantToken(_ hash: String) -> String { "\(prefix):ptoken:\(hash)" }
    /// STRING `<contactId> <participantId>`, keyed by the SHA-256 of a connection token (CreateParticipantConnection).
    package func connectionToken(_ hash: String) -> String { "\(prefix):ctoken:\(hash)" }
    /// STRING `<contactId> <participantId>`, keyed by the SHA-256 of the token in a participant WebSocket URL.
    package func socketToken(_ hash: String) -> String { "\(prefix):wstoken:\(hash)" }
    /// STRING `<meetingId> <attendeeId> <role> <contactId>`, keyed by the SHA-256 of a signaling join token.
    package func joinToken(_ hash: String) -> String { "\(prefix):jtoken:\(hash)" }
    /// STRING the item JSON first sent with a SendMessage/SendEvent `ClientToken` (SHA-256) by one participant; in the
    /// contact's bucket, beside the transcript it is appended to in the same script.
    package func sentItem(contactId: String, participantId: String, clientTokenHash: String) -> String {
        "\(contacts(of: contactId)):sent:\(participantId):\(clientTokenHash)"
    }
    /// ZSET contactId → epoch ms at which a contact of this bucket nobody ended is ended as `EXPIRED`; once the contact
    /// has ended, the ms after which any node's sweeper finishes the end if its node has not. Removed when the end is
    /// complete.
    package func contactDeadlines(bucket: Int) -> String { "\(contacts(bucket: bucket)):deadlines" }
    /// The deadline zset of a contact's bucket.
    package func contactDeadlines(of contactId: String) -> String { contactDeadlines(bucket: Self.contactBucket(of: contactId)) }
    /// ZSET contactId → epoch ms after which any node's sweeper finishes starting a contact of this bucket whose node has
    /// not (INITIATED, queued, QUEUED, routing); removed when the start is complete.
    package func contactsStarting(bucket: Int) -> String { "\(contacts(bucket: bucket)):starting" }
    /// The `starting` zset of a contact's bucket.
    package func contactsStarting(of contactId: String) -> String { contactsStarting(bucket: Self.contactBucket(of: contactId)) }
    /// STREAM of a contact's transcript items (field `item`), capped at `local.transcriptMaxItems`.
    package func transcript(_ contactId: String) -> String { "\(contacts(of: contactId)):transcript:\(contactId)" }
    /// HASH attendeeId → `<role> <nodeId> <connectionId>` of the sockets in a meeting; its own tag, since only the
    /// signaling sockets of that meeting touch it.
    package func meetingPeers(_ meetingId: String) -> String { "\(prefix):{m:\(meetingId)}:peers" }
    /// STRING agentId, keyed by the SHA-256 of an agent session token; expires after `routing.sessionTtlSeconds`.
    package func agentSession(_ hash: String) -> String { "\(prefix):session:\(hash)" }
    /// HASH nodeId → number of that node's sockets of one topic (`agent:<id>`, `contact:<id>`, `meeting:<id>`): where
    /// frames for the topic are published. Its own hash tag, so topics spread over a cluster's shards.
    package func topicNodes(_ topic: SocketTopic) -> String { "\(prefix):{\(topic.name)}:nodes" }
}
