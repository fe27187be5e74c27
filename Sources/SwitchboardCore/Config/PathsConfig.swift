import Foundation

/// `paths`: folders the server reads, relative to the working directory.
public struct PathsConfig: Sendable, Decodable {
    /// Static web files.
    public var web: String
    /// Lua scripts.
    public var lua: String

    package init(web: String, lua: String) {
        self.web = web
        self.lua = lua
    }

    package enum CodingKeys: String, CodingKey, CaseIterable { case web, lua }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(CodingKeys.self)
        web = try c.optional(.web, default: "web")
        lua = try c.optional(.lua, default: "lua")
    }
}
