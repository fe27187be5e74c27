import Foundation
@testable import Switchboard
import SwitchboardCore
import ContactEngine
import Testing
import TestSupport

@Suite("The script catalog stops a node that lacks a script")
struct ScriptCatalogTests {
    /// A copy of the repository's lua/ folder to break.
    func copyOfScripts() throws -> String {
        let copy = NSTemporaryDirectory() + "sb-lua-\(UUID().uuidString.prefix(8))"
        try FileManager.default.copyItem(atPath: TestDeployment.repository + "/lua", toPath: copy)
        return copy
    }

    @Test("every script is read, includes spliced in")
    func readsAll() throws {
        let scripts = try ScriptCatalog.read(directory: TestDeployment.repository + "/lua")
        #expect(Set(scripts.scripts.keys) == Set(LuaScript.allCases.map(\.rawValue)))
        #expect(!scripts[.routingEnqueue].source.split(separator: "\n").contains { $0.hasPrefix("--#include ") })
    }

    @Test("a missing script is named")
    func missingScript() throws {
        let copy = try copyOfScripts()
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try FileManager.default.removeItem(atPath: copy + "/realtime_push.lua")
        let error = #expect(throws: SwitchboardError.self) { try ScriptCatalog.read(directory: copy) }
        #expect(error?.description.contains("realtime_push.lua") == true)
    }

    @Test("a missing include is named")
    func missingInclude() throws {
        let copy = try copyOfScripts()
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try FileManager.default.removeItem(atPath: copy + "/include/routing_core.lua")
        let error = #expect(throws: SwitchboardError.self) { try ScriptCatalog.read(directory: copy) }
        #expect(error?.description.contains("include/routing_core.lua") == true)
    }
}
