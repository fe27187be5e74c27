import SwitchboardCore
import ContactEngine
import ArgumentParser
import Foundation
import NIOPosix
import RedisClient
import TestSupport

/// `switchboard-bench redis`: our client against `redis-benchmark` on the same Redis, same clients and pipeline depth.
struct RedisBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "redis", abstract: "SET/GET/EVALSHA ops/s vs redis-benchmark.")

    @Option(help: "Redis to measure against; without it a private redis-server is started.") var redis: String?
    @Option(help: "Requests per measurement.") var requests = 200_000
    @Option(help: "Concurrent clients (redis-benchmark -c; our concurrent tasks and pool connections).") var clients = 50
    @Option(parsing: .upToNextOption, help: "Pipeline depths.") var depths: [Int] = [1, 16]
    @Option(parsing: .upToNextOption, help: "Tests to run.") var tests: [String] = ["SET", "GET", "EVALSHA"]
    @Option(parsing: .upToNextOption, help: "Where our client's tasks run: 'pool' (Swift's global executor, as HTTP handlers do) and/or 'loop' (the client's event loops through withTaskExecutorPreference, as the event consumer does).")
    var on: [String] = ["pool", "loop"]
    @Option(help: "Event-loop threads of the client (the machine's cores are shared with redis-server).") var threads = 1

    func validate() throws {
        guard on.allSatisfy({ ["pool", "loop"].contains($0) }) else { throw ValidationError("--on takes pool and/or loop") }
        guard tests.allSatisfy({ ["SET", "GET", "EVALSHA"].contains($0) }) else { throw ValidationError("--tests takes SET, GET and/or EVALSHA") }
    }

    func run() async throws {
        var server: RedisServer?
        let url: String
        if let redis {
            url = redis
        } else {
            server = try await RedisServer()
            url = server!.url
        }
        let configuration = try RedisConfiguration(url: url, base: RedisConfiguration(poolSize: clients))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let client = RedisClient(configuration: configuration, eventLoopGroup: group)
        let script = try await client.load(name: "bench_incr", source: "return redis.call('INCRBY', KEYS[1], ARGV[1])")
        _ = try await client.pipeline((0..<clients).map { _ in RedisCommand("PING") })  // open every connection first

        print("requests=\(requests) clients=\(clients) redis=\(url)")
        // redis-server's CPU per operation tells whether both clients load the server alike (same batching)
        // or one of them leaves it idle because the client itself is the limit.
        print("test      depth  tasks on  switchboard ops/s  redis-benchmark ops/s  ratio  server µs/op ours/theirs  client µs/op ours/theirs")
        for depth in depths {
            for test in tests {
                for onLoop in modes {
                    let serverBefore = try await serverCPU(client)
                    let clientBefore = processCPU()
                    let ours = try await measure(client: client, test: test, depth: depth, script: script, onLoop: onLoop)
                    let clientCPU = processCPU() - clientBefore
                    let serverMiddle = try await serverCPU(client)
                    let theirsBefore = processCPU(RUSAGE_CHILDREN)
                    let reference = try referenceOps(configuration: configuration, test: test, depth: depth, sha: script.sha)
                    let serverAfter = try await serverCPU(client)
                    let theirsCPU = processCPU(RUSAGE_CHILDREN) - theirsBefore
                    let opsPerRun = Double(requests / clients / depth * clients * depth)
                    let columns = String(format: "  %5d  %@  %17.0f  %21.0f  %5.2f  %12.2f / %-10.2f  %12.2f / %.2f",
                                         depth, (onLoop ? "loop" : "pool").padding(toLength: 8, withPad: " ", startingAt: 0) as NSString, ours, reference, reference > 0 ? ours / reference : 0,
                                         (serverMiddle - serverBefore) / opsPerRun * 1e6, (serverAfter - serverMiddle) / Double(requests) * 1e6,
                                         clientCPU / opsPerRun * 1e6, theirsCPU / Double(requests) * 1e6)
                    print(test.padding(toLength: 8, withPad: " ", startingAt: 0) + columns)
                }
            }
        }
        await client.close()
        server?.stop()
    }

    /// redis-server's user+system CPU seconds so far, from `INFO cpu`.
    private func serverCPU(_ client: RedisClient) async throws -> Double {
        let info = try await client.send("INFO", "cpu").string ?? ""
        var total = 0.0
        for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix("used_cpu_user:") || line.hasPrefix("used_cpu_sys:") {
            total += Double(line.split(separator: ":")[1]) ?? 0
        }
        return total
    }

    /// User+system CPU seconds so far of this process, or of its reaped children (redis-benchmark).
    private func processCPU(_ who: __rusage_who = RUSAGE_SELF) -> Double {
        var usage = rusage()
        getrusage(who.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    private func command(_ test: String, _ i: Int, sha: String) -> RedisCommand {
        switch test {
        case "SET": RedisCommand("SET", "key:__rand_int__", "xxx")
        case "GET": RedisCommand("GET", "key:__rand_int__")
        default: RedisCommand("EVALSHA", sha, "1", "bench:counter", "1")
        }
    }

    /// `--on` as "on the loop?" flags.
    private var modes: [Bool] { on.map { $0 == "loop" } }

    /// Ops/s of `clients` tasks, each sending batches of `depth` commands and waiting for them, as redis-benchmark's clients do.
    private func measure(client: RedisClient, test: String, depth: Int, script: RedisScript, onLoop: Bool) async throws -> Double {
        let perClient = requests / clients / depth
        let batch = (0..<depth).map { command(test, $0, sha: script.sha) }
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<clients {
                group.addTask(executorPreference: onLoop ? client.taskExecutor() : nil) {
                    for _ in 0..<perClient {
                        if depth == 1 { try await client.send(batch[0]) } else { _ = try await client.pipeline(batch) }
                    }
                }
            }
            try await group.waitForAll()
        }
        let seconds = Double((ContinuousClock.now - started).components.attoseconds) / 1e18 + Double((ContinuousClock.now - started).components.seconds)
        return Double(perClient * clients * depth) / seconds
    }

    private func referenceOps(configuration: RedisConfiguration, test: String, depth: Int, sha: String) throws -> Double {
        let output = NSTemporaryDirectory() + "sb-bench-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let server = configuration.unixSocketPath.map { ["-s", $0] } ?? ["-h", configuration.host, "-p", String(configuration.port)]
        var arguments = server + ["-n", String(requests), "-c", String(clients), "-P", String(depth), "--csv"]
        switch test {
        case "SET", "GET": arguments += ["-t", test.lowercased()]
        default: arguments += ["EVALSHA", sha, "1", "bench:counter", "1"]
        }
        let pid = try ChildProcess.spawn("/usr/bin/redis-benchmark", arguments, outputPath: output)
        guard ChildProcess.wait(pid, timeout: 300) == 0 else { throw ValidationError("redis-benchmark failed") }
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        // CSV: "test","rps",... ; the last data line is the one measured.
        for line in text.split(separator: "\n").reversed() {
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            if fields.count >= 2, let rps = Double(fields[1]) { return rps }
        }
        throw ValidationError("cannot read redis-benchmark output: \(text)")
    }
}
