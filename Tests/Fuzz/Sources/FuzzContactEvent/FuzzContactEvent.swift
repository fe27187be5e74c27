@testable import SwitchboardCore

/// The contact-event parser on any bytes, as text (`ContactEvent.parse`, what the consumer runs on every stream entry)
/// and as a bridge body (`EventLog.validateBatch`, what `POST /bridge/events` runs on the raw request body).
///
/// Checks, besides not trapping: a parsed event has what the consumer relies on (non-empty id and event type, a
/// contact id that is a valid Redis key part), and every event the bridge accepts is read back by the consumer as the
/// same event, since the bridge stores its re-encoded text and the consumer parses that.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzContactEvent(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    checkParse(String(decoding: bytes, as: UTF8.self))
    checkBatch(bytes)
    return 0
}

func checkParse(_ text: String) {
    guard let event = try? ContactEvent.parse(text) else { return }
    guard !event.id.isEmpty, !event.eventType.isEmpty, !event.contactId.isEmpty, event.id.utf8.count <= 256,
          event.contactId.utf8.count <= 256, !event.contactId.utf8.contains(where: { $0 == UInt8(ascii: ":") || $0 <= 0x20 || $0 == 0x7F })
    else { fatalError("parse accepted an event without what the consumer relies on: \(event)") }
    guard (try? ContactEvent.parse(text)) == event else { fatalError("parse is not a function of its text") }
}

func checkBatch(_ body: [UInt8]) {
    let maxBatch = 10
    let texts: [String]
    do {
        texts = try EventLog.validateBatch(body, maxBatch: maxBatch)
    } catch {
        guard error.code == "INVALID_REQUEST", !error.message.isEmpty else { fatalError("validateBatch threw \(error)") }
        return
    }
    guard (1...maxBatch).contains(texts.count), let value = try? Wire.decode(JSONValue.self, from: body) else {
        fatalError("validateBatch accepted \(texts.count) events of a body that is not JSON")
    }
    let items = if case .array(let array) = value { array } else { [value] }
    guard items.count == texts.count else { fatalError("validateBatch returned \(texts.count) texts for \(items.count) events") }
    for (item, text) in zip(items, texts) {
        let validated: ContactEvent
        do { validated = try ContactEvent.parse(item) } catch { fatalError("validateBatch accepted an event parse rejects: \(error)") }
        let consumed: ContactEvent
        do { consumed = try ContactEvent.parse(text) } catch { fatalError("the consumer rejects an event the bridge accepted: \(error)\n\(text)") }
        guard consumed == validated else { fatalError("the consumer reads \(consumed), the bridge validated \(validated)") }
    }
}
