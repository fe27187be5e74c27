import SwitchboardCore
/// One piece of work per key at a time: a caller asking for a key already being worked on waits for that work's result
/// instead of starting it again (AWS mode's contact lookups: a burst of events about one contact makes one call).
package actor SingleFlight<Value: Sendable> {
    private var running: [String: Task<Value, any Error>] = [:]

    /// The result of `work` for `key`, shared with every concurrent caller for the same key.
    package func run(_ key: String, _ work: @escaping @Sendable () async throws -> Value) async throws -> Value {
        if let task = running[key] { return try await task.value }
        let task = Task { try await work() }
        running[key] = task
        defer { running[key] = nil }
        return try await task.value
    }
}
