import SwitchboardCore
import ConnectWire
import Foundation
import RedisClient

extension LocalContactEngine {
    /// Appends an item to the contact's transcript (a capped stream, so order is Redis's) and publishes it to the
    /// contact's participant sockets on every node, in one round trip. With a `clientToken` this happens once per token
    /// and participant (remembered `clientTokenTtlSeconds`, by default `local.clientTokenTtlSeconds`): a retry returns
    /// the first item (same Id and time), as Connect does.
    @discardableResult
    package func appendItem(contactId: String, initialContactId: String, participantId: String, role: ConnectParticipant.ParticipantRole,
                    displayName: String, type: ConnectParticipant.ChatItemType, contentType: String,
                    content: String?, clientToken: String? = nil, clientTokenTtlSeconds: Int? = nil) async throws -> ConnectParticipant.Item {
        let item = ConnectParticipant.Item(
            absoluteTime: AWSDateFormat.iso8601(Date()), content: content, contentType: contentType, id: Self.newId(), type: type,
            participantId: participantId, displayName: displayName, participantRole: role, contactId: contactId,
            initialContactId: initialContactId)
        let json = String(decoding: try ConnectWireJSON.encode(item), as: UTF8.self)
        if let clientToken {
            let reply = try await redis.evalScript(
                scripts[.participantSend],
                keys: [keys.transcript(contactId),
                       keys.sentItem(contactId: contactId, participantId: participantId, clientTokenHash: Self.hash(clientToken))],
                args: [.string(json), .int(config.local.transcriptMaxItems), .int(clientTokenTtlSeconds ?? config.local.clientTokenTtlSeconds)])
            if let prior = reply.string { return try Wire.decode(ConnectParticipant.Item.self, from: prior) }
        } else {
            try await redis.send(RedisCommand(["XADD", .string(keys.transcript(contactId)), "MAXLEN", "~",
                                               .int(config.local.transcriptMaxItems), "*", "item", .string(json)]))
        }
        try await frames.send(ParticipantFrame.chat(itemJSON: json), to: .contact(contactId))
        return item
    }

    /// One page of a transcript (GetTranscript). `NextToken` is the stream id of the last item of the page; the next
    /// page continues after it in the same scan direction. The page itself is sorted by `sortOrder`.
    package func transcriptPage(contactId: String, maxResults: Int, nextToken: String?, forward: Bool,
                        ascending: Bool) async throws -> (items: [ConnectParticipant.Item], nextToken: String?) {
        let key = keys.transcript(contactId)
        let command: RedisCommand
        if forward {
            command = RedisCommand("XRANGE", key, nextToken.map { "(" + $0 } ?? "-", "+", "COUNT", String(maxResults + 1))
        } else {
            command = RedisCommand("XREVRANGE", key, nextToken.map { "(" + $0 } ?? "+", "-", "COUNT", String(maxResults + 1))
        }
        // [[id, [field, value, ...]], ...]
        let entries: [(id: String, fields: [String: String])] = try await redis.send(command).array?.compactMap { entry in
            guard let pair = entry.array, pair.count == 2, let id = pair[0].string else { return nil }
            return (id, pair[1].stringMap)
        } ?? []
        let page = Array(entries.prefix(maxResults))
        var items = page.compactMap { entry in
            entry.fields["item"].flatMap { try? Wire.decode(ConnectParticipant.Item.self, from: $0) }
        }
        // Scanning backward reads newest first; the page's order is the caller's sort order.
        if forward != ascending { items.reverse() }
        return (items, entries.count > maxResults ? page.last?.id : nil)
    }
}
