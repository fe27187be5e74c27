import Foundation
import SwitchboardCore

/// The config.json decoder on any bytes (`SwitchboardConfig.decode`, what `switchboard serve` runs at start-up).
///
/// Checks, besides not trapping: every failure is a `SwitchboardError` with code `CONFIG` and a message (start-up
/// prints it and exits), never another error type; decoding is a function of the bytes (decoding twice gives the same
/// value or the same message); a decoded config holds the cross-setting rules the decoder promises; and the check that
/// runs next at start-up (`checkSecretsForHost`) only throws `SwitchboardError` too.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    let first = outcome(bytes)
    guard outcome(bytes) == first else { fatalError("decoding the same bytes twice gave two outcomes") }
    guard let config = try? SwitchboardConfig.decode(bytes) else { return 0 }
    guard Double(config.realtime.nodeTtlSeconds) >= 2 * config.realtime.sweepIntervalSeconds,
          config.events.blockMs > 0, config.events.blockMs < config.redis.commandTimeoutMs
    else { fatalError("a config that breaks the cross-setting rules decoded") }
    do { try config.checkSecretsForHost() } catch { guard error is SwitchboardError else { fatalError("checkSecretsForHost threw \(error)") } }
    return 0
}

/// The decoded config described in full, or the error's message.
func outcome(_ bytes: Data) -> String {
    do {
        return "ok " + String(reflecting: try SwitchboardConfig.decode(bytes))
    } catch let error as SwitchboardError {
        guard error.code == "CONFIG", !error.message.isEmpty else { fatalError("decode threw \(error.code): \(error.message)") }
        return "error " + error.message
    } catch {
        fatalError("decode threw a \(type(of: error)), not a SwitchboardError: \(error)")
    }
}
