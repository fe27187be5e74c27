import Foundation

/// Wall-clock milliseconds since the epoch: what Redis records and the routing scripts compare (nodes' clocks agree
/// closely enough for offer deadlines and replay windows).
package func epochMillis() -> Int { Int(Date().timeIntervalSince1970 * 1000) }
