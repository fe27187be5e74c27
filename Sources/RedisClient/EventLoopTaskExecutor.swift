import NIOCore

/// A `TaskExecutor` that runs jobs on one NIO event loop.
///
/// A task that mostly waits on Redis can prefer the loop its connection lives on
/// (`withTaskExecutorPreference(client.taskExecutor()) { ... }`): replies then resume it on the thread that read them,
/// and its next command is written without crossing threads, instead of two thread hops per round trip.
public final class EventLoopTaskExecutor: TaskExecutor, Sendable {
    /// The loop jobs run on.
    public let eventLoop: any EventLoop

    /// Wraps `eventLoop`.
    public init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Runs `job` on the loop.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
