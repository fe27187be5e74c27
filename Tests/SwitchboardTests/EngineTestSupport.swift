import Foundation
import Testing
import TestSupport

/// Where the built server binary is; tests that start nodes are skipped without it.
enum EngineTestEnvironment {
    /// `SWITCHBOARD_BIN` (set by ops/test.sh) or `.build/debug/switchboard`.
    static var binary: String? {
        let path = ProcessInfo.processInfo.environment["SWITCHBOARD_BIN"] ?? ".build/debug/switchboard"
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }
}
