import SwitchboardCore
#if DEBUG
import Foundation
#endif

/// A named point between two steps of starting or ending a contact, where a test may have the node die
/// (Tests/python/test_lifecycle_faults.py). Each is named after the step just completed; its ``name`` is what
/// `SWITCHBOARD_FAILPOINT` says: `startAfterRecord` is `start.afterRecord`.
package enum Failpoint: CaseIterable, Sendable {
    /// Tokens, then contact record, participant, deadline and the `starting` entry written (one MULTI/EXEC).
    case startAfterRecord
    /// INITIATED appended to the event stream.
    case startAfterInitiated
    /// The contact moved from `initiated` to `queued`.
    case startAfterQueuedState
    /// QUEUED appended to the event stream.
    case startAfterQueuedEvent
    /// `routing_enqueue.lua` ran (the contact is queued, offered or auto-accepted in routing).
    case startAfterEnqueue
    /// Agents were told (offer frames, auto-accepted connection); only the `starting` entry is left.
    case startAfterDeliver
    /// `contact_end.lua` ran: the contact is `ended` and its deadline entry re-scored to now + grace.
    case endAfterCommit
    /// Participants marked `left`, the meeting's peers removed.
    case endAfterParticipants
    /// The `chat.ended` transcript item posted (once) and the transcript's expiry set.
    case endAfterChatEnded
    /// `routing_end.lua` ran: the agent's capacity is free.
    case endAfterRoutingEnd
    /// DISCONNECTED and COMPLETED appended (once each).
    case endAfterEvents
    /// `contact_ended` / `meeting_ended` published; only the deadline entry is left.
    case endAfterFrames
    /// Not a crash: the node's event consumer never reads, so a test can show what reaches sockets without it.
    case consumerNeverReads
}

extension Failpoint {
    /// `start.afterRecord` for `startAfterRecord`: the operation, a dot, then the step.
    package var name: String {
        let text = String(describing: self)
        guard let cut = text.firstIndex(where: \.isUppercase) else { return text }
        return text[..<cut] + "." + text[cut...].prefix(1).lowercased() + text[cut...].dropFirst()
    }
}

/// Crash points for fault tests. Only debug builds read `SWITCHBOARD_FAILPOINT` (e.g. `end.afterCommit`): when execution
/// reaches that point the process kills itself with SIGKILL at once, as a node dies mid-operation. In release builds
/// this type holds nothing and ``hit(_:)`` is empty, so no environment variable can make a production node crash.
package struct Failpoints: Sendable {
    #if DEBUG
    /// The armed point, or nil.
    package let armed: Failpoint?
    #endif

    /// Reads `SWITCHBOARD_FAILPOINT` from `environment` (debug builds only). An unknown name stops the node at start,
    /// so a misspelt test does not pass by never crashing.
    package init(environment: [String: String]) {
        #if DEBUG
        if let name = environment["SWITCHBOARD_FAILPOINT"], !name.isEmpty {
            guard let point = Failpoint.allCases.first(where: { $0.name == name }) else {
                let known = Failpoint.allCases.map(\.name).joined(separator: ", ")
                fatalError("SWITCHBOARD_FAILPOINT=\(name) is not a failpoint (known: \(known))")
            }
            armed = point
        } else {
            armed = nil
        }
        #endif
    }

    /// None armed.
    package static let disabled = Failpoints(environment: [:])

    /// Whether `point` is the armed one (debug builds); always false in release builds.
    package func isArmed(_ point: Failpoint) -> Bool {
        #if DEBUG
        return armed == point
        #else
        return false
        #endif
    }

    /// Kills the process with SIGKILL when `point` is the armed one (debug builds); does nothing otherwise.
    @inline(__always)
    package func hit(_ point: Failpoint) {
        #if DEBUG
        guard armed == point else { return }
        FileHandle.standardError.write(Data("failpoint \(point.name): killing the node\n".utf8))
        kill(getpid(), SIGKILL)
        #endif
    }
}
