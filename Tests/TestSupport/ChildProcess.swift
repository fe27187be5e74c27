import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starts and stops child processes with posix_spawn and waitpid; Foundation's `Process.waitUntilExit`
/// can hang when called from a Swift concurrency thread on Linux.
public enum ChildProcess {
    /// Spawns `path` with `arguments`, stdin from /dev/null and its output appended to `outputPath`; returns its pid.
    public static func spawn(_ path: String, _ arguments: [String], environment: [String: String]? = nil,
                             outputPath: String = "/dev/null") throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else the test process holds reaches the child: a child that outlived its test while holding, say,
        // the pipe `swift test` reads its runner's output from would keep `swift test` waiting after the runner exits.
        closeInheritedDescriptors(&actions)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = environment ?? ProcessInfo.processInfo.environment
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        // Threads of the test process block some signals; the child must not inherit that mask, or SIGTERM is ignored.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let status = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EINVAL) }
        return pid
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc module does not declare.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddCloseFrom.self) }

    /// Has the child close every descriptor from 3 up (a glibc older than 2.34 cannot; Debian 12 has 2.36).
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        _ = addCloseFrom?(&actions, 3)
    }

    /// Sends `signal` and waits up to `timeout` seconds for the exit, then SIGKILLs. Returns the exit status.
    @discardableResult
    public static func terminate(_ pid: pid_t, signal: Int32 = SIGTERM, timeout: Double = 10) -> Int32 {
        kill(pid, signal)
        return wait(pid, timeout: timeout) ?? {
            kill(pid, SIGKILL)
            return wait(pid, timeout: 5) ?? -1
        }()
    }

    /// Waits up to `timeout` seconds for `pid` to exit; its exit code, 128+signal if killed, or nil if still running.
    public static func wait(_ pid: pid_t, timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        // At least one look, so `timeout: 0` asks "has it exited?" without waiting.
        repeat {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                let signal = status & 0x7f
                return signal == 0 ? (status >> 8) & 0xff : 128 + signal
            }
            if result < 0 { return -1 }
            if timeout > 0 { usleep(10_000) }
        } while Date() < deadline
        return nil
    }
}
