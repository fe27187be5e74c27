import NIOCore

/// What the connection writes: encoded commands and where their replies go.
struct RedisRequest {
    enum Completion {
        case single(EventLoopPromise<RedisReply>)
        case batch(EventLoopPromise<[RedisReply]>)
        /// Subscriber connections: replies arrive as pushes, nothing waits for them in order.
        case none
    }
    var commands: [RedisCommand]
    var completion: Completion
    var timeout: TimeAmount
}

/// Matches replies to requests in the order they were written (RESP guarantees that order),
/// and closes the connection if the oldest request outlives its timeout, since later replies could then be misattributed.
final class RedisChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = RedisRequest
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
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timeoutCheck = context.eventLoop.scheduleRepeatedTask(initialDelay: checkInterval, delay: checkInterval) { _ in
            let (handler, context) = loopBound.value
            handler.checkTimeouts(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timeoutCheck?.cancel()
        failAll(RedisError(.connectionClosed, "connection to Redis closed"))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if var failure {
            failure.notSent = true
            fail(request.completion, with: failure)
            promise?.fail(failure)
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
        context.write(wrapOutboundOut(buffer), promise: promise)
        // Writes from many tasks arrive as separate event-loop tasks; one flush after them all turns them into one syscall.
        if !flushScheduled {
            flushScheduled = true
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.execute {
                let (handler, context) = loopBound.value
                handler.flushScheduled = false
                context.flush()
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
        case .single(let promise):
            pending.removeFirst()
            promise.succeed(reply)
        case .batch(let promise):
            if collected.isEmpty { collected.reserveCapacity(head.remaining) }
            collected.append(reply)
            head.remaining -= 1
            if head.remaining == 0 {
                pending.removeFirst()
                let replies = collected
                collected = []
                promise.succeed(replies)
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
        case .single(let p): p.fail(error)
        case .batch(let p): p.fail(error)
        case .none: break
        }
    }
}
