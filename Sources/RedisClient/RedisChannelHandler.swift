import NIOCore

/// What the connection writes: encoded commands and where their replies go.
struct RedisRequest: Sendable {
    enum Completion: Sendable {
        case single(UnsafeContinuation<RedisReply, any Error>)
        case batch(UnsafeContinuation<[RedisReply], any Error>)
        /// For a reply awaited inside a future chain (SELECT while connecting).
        case promise(EventLoopPromise<RedisReply>)
        /// Subscriber connections: replies arrive as pushes, nothing waits for them in order.
        case none
    }
    var commands: [RedisCommand]
    var completion: Completion
    var timeout: TimeAmount
}

/// Matches replies to requests in the order they were written (RESP guarantees that order),
/// and closes the connection if the oldest request outlives its timeout, since later replies could then be misattributed.
///
/// Requests come in through ``submit(_:)`` on the channel's event loop rather than through the pipeline, so that a
/// request always reaches a handler that answers it, even one that arrives after the channel closed, and every
/// caller is resumed exactly once, straight from here.
final class RedisChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private struct Pending {
        var completion: RedisRequest.Completion
        var remaining: Int
        var deadline: NIODeadline
    }

    private let reader = HiredisReader()
    private var pending = CircularBuffer<Pending>(initialCapacity: 64)
    /// Replies gathered so far for the batch at the head of `pending`; kept outside it so appending never copies.
    private var collected: [RedisReply] = []
    private var failure: RedisError?
    private var context: ChannelHandlerContext?
    private var flushScheduled = false
    private var timeoutCheck: RepeatedTask?
    private let checkInterval: TimeAmount
    /// Receives replies nobody waits for: pub/sub messages on a subscriber connection.
    private let onPush: (@Sendable (RedisReply) -> Void)?

    init(checkInterval: TimeAmount, onPush: (@Sendable (RedisReply) -> Void)? = nil) {
        self.checkInterval = checkInterval
        self.onPush = onPush
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timeoutCheck = context.eventLoop.scheduleRepeatedTask(initialDelay: checkInterval, delay: checkInterval) { _ in
            let (handler, context) = loopBound.value
            handler.checkTimeouts(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timeoutCheck?.cancel()
        self.context = nil
        failAll(RedisError(.connectionClosed, "connection to Redis closed"))
    }

    /// Writes `request` and keeps its completion for the replies. Call on the channel's event loop.
    func submit(_ request: RedisRequest) {
        guard let context, failure == nil else {
            var error = failure ?? RedisError(.connectionClosed, "connection to Redis closed")
            error.notSent = true
            fail(request.completion, with: error)
            return
        }
        var buffer: ByteBuffer
        if request.commands.count == 1 {
            buffer = request.commands[0].encoded
        } else {
            buffer = context.channel.allocator.buffer(capacity: request.commands.reduce(0) { $0 + $1.encoded.readableBytes })
            for command in request.commands { buffer.writeImmutableBuffer(command.encoded) }
        }
        switch request.completion {
        case .none: break
        default:
            pending.append(Pending(completion: request.completion, remaining: request.commands.count, deadline: .now() + request.timeout))
        }
        context.write(wrapOutboundOut(buffer), promise: nil)
        // Requests from many tasks arrive as separate event-loop tasks; one flush after them all turns them into one syscall.
        if !flushScheduled {
            flushScheduled = true
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            context.eventLoop.execute {
                let handler = loopBound.value
                handler.flushScheduled = false
                handler.context?.flush()
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        do {
            try reader.feed(unwrapInboundIn(data))
            while let reply = try reader.next() { deliver(reply) }
        } catch {
            failAll(error)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RedisError(.connectionClosed, "connection to Redis closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        failAll(RedisError(.connectionClosed, "connection to Redis failed: \(error)"))
        context.close(promise: nil)
    }

    private func deliver(_ reply: RedisReply) {
        guard var head = pending.first else {
            onPush?(reply)
            return
        }
        switch head.completion {
        case .single(let continuation):
            pending.removeFirst()
            continuation.resume(returning: reply)
        case .promise(let promise):
            pending.removeFirst()
            promise.succeed(reply)
        case .batch(let continuation):
            if collected.isEmpty { collected.reserveCapacity(head.remaining) }
            collected.append(reply)
            head.remaining -= 1
            if head.remaining == 0 {
                pending.removeFirst()
                let replies = collected
                collected = []
                continuation.resume(returning: replies)
            } else {
                pending[pending.startIndex] = head
            }
        case .none:
            pending.removeFirst()
        }
    }

    private func checkTimeouts(context: ChannelHandlerContext) {
        guard let head = pending.first, head.deadline < .now() else { return }
        failAll(RedisError(.timeout, "Redis did not answer within the command timeout; connection closed"))
        context.close(promise: nil)
    }

    private func failAll(_ error: RedisError) {
        if failure == nil { failure = error }
        collected = []
        while let head = pending.popFirst() { fail(head.completion, with: error) }
    }

    private func fail(_ completion: RedisRequest.Completion, with error: RedisError) {
        switch completion {
        case .single(let continuation): continuation.resume(throwing: error)
        case .batch(let continuation): continuation.resume(throwing: error)
        case .promise(let promise): promise.fail(error)
        case .none: break
        }
    }
}
