import Foundation

extension AWSCredentials {
    /// The credentials the AWS SDKs would find, in their order: `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+
    /// `AWS_SESSION_TOKEN`), else the profile `AWS_PROFILE` (default `default`) of the shared credentials file
    /// (`AWS_SHARED_CREDENTIALS_FILE`, default `~/.aws/credentials`). Throws `accessDenied` naming what was looked at.
    public static func fromStandardChain(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConnectWireError)
        -> AWSCredentials {
        let value = { (name: String) in environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let key = value("AWS_ACCESS_KEY_ID") {
            guard let secret = value("AWS_SECRET_ACCESS_KEY") else {
                throw ConnectWireError(.accessDenied, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
            }
            return AWSCredentials(accessKeyId: key, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"))
        }
        let home = value("HOME") ?? NSHomeDirectory()
        let path = value("AWS_SHARED_CREDENTIALS_FILE") ?? home + "/.aws/credentials"
        let profile = value("AWS_PROFILE") ?? "default"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConnectWireError(.accessDenied, "no AWS credentials: AWS_ACCESS_KEY_ID is not set and \(path) cannot be read")
        }
        let section = sharedFileProfiles(text)[profile] ?? [:]
        guard let key = section["aws_access_key_id"], let secret = section["aws_secret_access_key"] else {
            throw ConnectWireError(.accessDenied, "profile \(profile) of \(path) has no aws_access_key_id and aws_secret_access_key")
        }
        return AWSCredentials(accessKeyId: key, secretAccessKey: secret, sessionToken: section["aws_session_token"])
    }

    /// The `[profile]` sections of a shared credentials file: `key = value` lines, `#` and `;` comments.
    static func sharedFileProfiles(_ text: String) -> [String: [String: String]] {
        var profiles: [String: [String: String]] = [:]
        var current: String?
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                current = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            profiles[current, default: [:]][key] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        return profiles
    }
}
