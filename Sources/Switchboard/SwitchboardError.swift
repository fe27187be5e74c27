/// The one error type of the Switchboard module, for failures that are not an HTTP answer (those are ``APIError``).
public enum SwitchboardError: Error, CustomStringConvertible, Equatable {
    /// config.json or a flag is wrong; the message names the key.
    case config(String)
    /// Something the product relies on is broken (a Lua script missing, a reply of the wrong shape).
    case `internal`(String)

    /// Text for the operator.
    public var description: String {
        switch self {
        case .config(let message): "config.json: \(message)"
        case .internal(let message): "internal error: \(message)"
        }
    }
}
