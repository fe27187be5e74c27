import Foundation

/// The date spellings AWS uses on the wire, formatted and parsed by hand in UTC.
///
/// Hand-rolled rather than `DateFormatter` so results never depend on locale or time-zone settings, and so no
/// formatter instance has to be shared between tasks.
public enum AWSDateFormat {
    /// `20240501T123456Z`, the SigV4 `X-Amz-Date` form (whole seconds, truncated).
    public static func amzDate(_ date: Date) -> String {
        let t = UTCDateTime(date)
        return pad(t.year, 4) + pad(t.month, 2) + pad(t.day, 2) + "T" + pad(t.hour, 2) + pad(t.minute, 2) + pad(t.second, 2) + "Z"
    }

    /// Parses the `X-Amz-Date` form; nil unless it is exactly `YYYYMMDD'T'HHMMSS'Z'`.
    public static func parseAmzDate(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count == 16, b[8] == UInt8(ascii: "T"), b[15] == UInt8(ascii: "Z"),
            let year = number(b[0..<4]), let month = number(b[4..<6]), let day = number(b[6..<8]),
            let hour = number(b[9..<11]), let minute = number(b[11..<13]), let second = number(b[13..<15])
        else { return nil }
        return UTCDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)?.date
    }

    /// `2024-05-01T12:34:56.789Z`, the millisecond ISO 8601 form Amazon Connect uses for `AbsoluteTime` and expiries.
    public static func iso8601(_ date: Date) -> String {
        let t = UTCDateTime(date)
        return pad(t.year, 4) + "-" + pad(t.month, 2) + "-" + pad(t.day, 2) + "T" + pad(t.hour, 2) + ":" + pad(t.minute, 2) + ":"
            + pad(t.second, 2) + "." + pad(t.millisecond, 3) + "Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction]Z`; the fraction may have any number of digits.
    public static func parseISO8601(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
            b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"), b.last == UInt8(ascii: "Z"),
            let year = number(b[0..<4]), let month = number(b[5..<7]), let day = number(b[8..<10]),
            let hour = number(b[11..<13]), let minute = number(b[14..<16]), let second = number(b[17..<19]),
            let whole = UTCDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        else { return nil }
        var fraction = 0.0
        if b.count > 20 {
            let digits = b[20..<(b.count - 1)]
            guard b[19] == UInt8(ascii: "."), !digits.isEmpty, let value = number(digits) else { return nil }
            fraction = Double(value) / pow(10, Double(digits.count))
        } else if b[19] != UInt8(ascii: "Z") {
            return nil
        }
        return whole.date.addingTimeInterval(fraction)
    }

    /// Parses the IMF-fixdate of an HTTP `Date` header (`Wed, 01 May 2024 12:34:56 GMT`), which SigV4 accepts
    /// instead of `X-Amz-Date`.
    public static func parseHTTPDate(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let year = Int(parts[3]),
            let month = months.firstIndex(of: String(parts[2])).map({ $0 + 1 })
        else { return nil }
        let time = parts[4].split(separator: ":")
        guard time.count == 3, let hour = Int(time[0]), let minute = Int(time[1]), let second = Int(time[2]) else { return nil }
        return UTCDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)?.date
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    private static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
