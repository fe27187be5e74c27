import RedisClient
import Testing

@Suite("Redis URLs: credentials and TLS")
struct RedisURLTests {
    @Test("user:password@, :password@ and password@ become AUTH's arguments, percent-decoded")
    func credentials() throws {
        let acl = try RedisConfiguration(url: "redis://switch%40board:p%3Aw%2Fd@redis.internal:6390/3")
        #expect(acl.username == "switch@board" && acl.password == "p:w/d")
        #expect(acl.host == "redis.internal" && acl.port == 6390 && acl.database == 3 && acl.tls == nil)
        let defaultUser = try RedisConfiguration(url: "redis://:secret@localhost")
        #expect(defaultUser.username == nil && defaultUser.password == "secret" && defaultUser.port == 6379)
        let bare = try RedisConfiguration(url: "redis://secret@localhost:6380")
        #expect(bare.username == nil && bare.password == "secret")
        let none = try RedisConfiguration(url: "redis://localhost:6380")
        #expect(none.username == nil && none.password == nil)
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://user:@localhost") }
    }

    @Test("a bad URL's error never shows its password")
    func redaction() {
        for url in ["redis://sb:hunter2@host:99999", "redis://sb:hunter2@host:1/x", "rediss://sb:hunter2@", "redis://sb:hunter2@h:1/%zz"] {
            #expect {
                try RedisConfiguration(url: url)
            } throws: { error in
                let message = "\(error)"
                return !message.contains("hunter2") && message.contains("sb:***@")
            }
        }
        #expect(RedisConfiguration.redacted("rediss://:pw@h:1") == "rediss://:***@h:1")
        #expect(RedisConfiguration.redacted("redis://h:1/0") == "redis://h:1/0")
    }

    @Test("rediss:// is TLS: the host is the certificate's name unless it is an address; TLS files need rediss://")
    func tls() throws {
        let named = try RedisConfiguration(url: "rediss://redis.example.com:6390")
        #expect(named.tls?.serverName == "redis.example.com")
        let address = try RedisConfiguration(url: "rediss://127.0.0.1:6390")
        #expect(address.tls != nil && address.tls?.serverName == nil)
        let v6 = try RedisConfiguration(url: "rediss://[::1]:6390")
        #expect(v6.host == "::1" && v6.port == 6390 && v6.tls?.serverName == nil)
        #expect(try RedisConfiguration(url: "redis://[::1]").port == 6379)
        let renamed = try RedisConfiguration(url: "rediss://10.0.0.5:6390", tlsFiles: .init(serverName: "redis.internal"))
        #expect(renamed.tls?.serverName == "redis.internal")
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://h:1", tlsFiles: .init(caFile: "/ca.pem")) }
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "unix:///tmp/r.sock", tlsFiles: .init(caFile: "/ca.pem")) }
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "rediss://h:1", tlsFiles: .init(caFile: "/nonexistent/ca.pem")) }
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "rediss://h:1", tlsFiles: .init(certFile: "/only/cert.pem")) }
    }
}
