import Foundation

/// One lifecycle event of the local engine, in both forms: the EventBridge text the stream keeps, and the event and
/// contact record the server applies at once, so it need not read back from Redis what it has just written.
package struct EngineEvent: Sendable {
    /// The event as a consumer of the stream parses it.
    package var event: ContactEvent
    /// The EventBridge JSON appended to the stream.
    package var text: String
    /// The contact as the engine knew it when it emitted the event.
    package var contact: ContactRecord

    /// The event `type` of `contact`, with the id every try gives it. The event is parsed from the text, so what the
    /// server applies at once is exactly what a consumer of the stream would.
    package init(type: String, contact: ContactRecord, connect: ConnectConfig, id: String) throws(SwitchboardError) {
        text = ContactEvent.make(type: type, contact: contact, connect: connect, id: id)
        event = try ContactEvent.parse(text)
        self.contact = contact
    }
}
