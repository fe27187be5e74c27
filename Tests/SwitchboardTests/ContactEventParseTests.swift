import SwitchboardCore
import Testing

/// `ContactEvent.parse` reads one text the same way on both of its paths: the bridge validates an event member by
/// member ignoring case, then the consumer parses the stored text, first exactly.
@Suite("Contact events parse the same on the bridge and in the consumer")
struct ContactEventParseTests {
    @Test("an optional member in another case is read by the consumer too (fuzz find: the exact path dropped it)")
    func optionalMemberInAnotherCase() throws {
        let text = #"""
            {"id":"e1","detail-type":"Amazon Connect Contact Event","source":"aws.connect","detail":{"eventType":"QUEUED",\#
            "contactId":"c1","Channel":"CHAT","InitiationMethod":"API","agentInfo":{"AgentArn":"arn:agent"}}}
            """#
        let event = try ContactEvent.parse(text)
        #expect(event.channel == "CHAT" && event.initiationMethod == "API" && event.agentArn == "arn:agent")
        let stored = try EventLog.validateBatch(Array(text.utf8), maxBatch: 10)
        #expect(try stored.map { try ContactEvent.parse($0) } == [event])
    }

    @Test("of several spellings of a member, every reader takes the same one (fuzz find: it depended on a dictionary's order)")
    func severalSpellings() throws {
        let text = #"""
            {"id":"e1","detail-type":"Amazon Connect Contact Event","source":"aws.connect","detail":{"eventType":"QUEUED",\#
            "contactId":"c1","InitiationMethod":"A","initiationmethod":"C","INITIATIONMETHOD":"B","initiatIonMethod":"D"}}
            """#
        let event = try ContactEvent.parse(text)
        #expect(event.initiationMethod == "B")
        let stored = try EventLog.validateBatch(Array(text.utf8), maxBatch: 10)
        #expect(try stored.map { try ContactEvent.parse($0) } == [event])
    }
}
