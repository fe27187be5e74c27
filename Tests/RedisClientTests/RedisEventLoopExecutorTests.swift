import Foundation
import NIOCore
import NIOPosix
import RedisClient
import Synchronization
import Testing
import TestSupport

@Suite("Tasks that run on the client's event loops", .timeLimit(.minutes(1)))
struct RedisEventLoopExecutorTests {
    @Test("a task preferring a loop's executor runs on that loop and uses only that loop's connections")
    func tasksUseTheirLoopsConnections() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let configuration = try RedisConfiguration(url: try await TestRedis.url(), base: RedisConfiguration(poolSize: 4))
        let client = RedisClient(configuration: configuration, eventLoopGroup: group)
        let executors = [client.taskExecutor(), client.taskExecutor()]
        #expect(executors[0].eventLoop !== executors[1].eventLoop)

        // Each loop holds two of the four connections; CLIENT ID names the connection a command went out on.
        var idsByLoop: [Set<Int>] = []
        for executor in executors {
            let ids = try await withTaskExecutorPreference(executor) {
                try await withThrowingTaskGroup(of: (Int, Bool).self) { tasks in
                    for i in 0..<200 {
                        tasks.addTask {
                            let echo = try await client.send("ECHO", "x\(i)")
                            #expect(echo.string == "x\(i)")
                            let id = try await client.send("CLIENT", "ID").int ?? -1
                            return (id, executor.eventLoop.inEventLoop)
                        }
                    }
                    var ids = Set<Int>()
                    for try await (id, onLoop) in tasks {
                        #expect(onLoop, "the task resumed off its preferred loop")
                        ids.insert(id)
                    }
                    return ids
                }
            }
            idsByLoop.append(ids)
        }
        #expect(idsByLoop[0].count == 2)
        #expect(idsByLoop[1].count == 2)
        #expect(idsByLoop[0].isDisjoint(with: idsByLoop[1]))
        // A pipeline from the loop keeps its order like any other.
        let replies = try await withTaskExecutorPreference(executors[0]) {
            try await client.pipeline((0..<5_000).map { RedisCommand("ECHO", "p\($0)") })
        }
        #expect(replies.map(\.string) == (0..<5_000).map { Optional("p\($0)") })
        await client.close()
        try await group.shutdownGracefully()
    }
}
