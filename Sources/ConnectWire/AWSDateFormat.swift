import Foundation

/// The date spellings AWS uses on the wire, in UTC, with Foundation's format styles (value types: nothing shared
/// between tasks, no locale or time-zone setting involved).
public enum AWSDateFormat {
    /// `20240501T123456Z`, the SigV4 `X-Amz-Date` form (ISO 8601 basic, whole seconds).
    static let amz = Date.ISO8601FormatStyle(dateSeparator: .omitted, dateTimeSeparator: .standard, timeSeparator: .omitted, timeZone: .gmt)
    /// `2024-05-01T12:34:56.789Z`.
    static let millis = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
    /// `2024-05-01T12:34:56Z`.
    static let seconds = Date.ISO8601FormatStyle(timeZone: .gmt)

    /// `20240501T123456Z`, the SigV4 `X-Amz-Date` form (whole seconds, truncated).
    public static func amzDate(_ date: Date) -> String {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)).formatted(amz)
    }

    /// Parses the `X-Amz-Date` form; nil unless it is exactly `YYYYMMDD'T'HHMMSS'Z'`.
    public static func parseAmzDate(_ text: String) -> Date? {
        // The parser rolls impossible fields over (31 April reads as 1 May); formatting back tells them apart.
        guard text.utf8.count == 16, let date = try? amz.parse(text), date.formatted(amz) == text else { return nil }
        return date
    }

    /// `2024-05-01T12:34:56.789Z`, the millisecond ISO 8601 form Amazon Connect uses for `AbsoluteTime` and expiries.
    public static func iso8601(_ date: Date) -> String {
        // Milliseconds truncated, not rounded, so a time never reads later than it was.
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded(.down) / 1000).formatted(millis)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction]Z`; the fraction may have any number of digits.
    public static func parseISO8601(_ text: String) -> Date? {
        (try? millis.parse(text)) ?? (try? seconds.parse(text))
    }

    /// Parses the IMF-fixdate of an HTTP `Date` header (`Wed, 01 May 2024 12:34:56 GMT`), which SigV4 accepts
    /// instead of `X-Amz-Date`.
    public static func parseHTTPDate(_ text: String) -> Date? {
        try? httpDate.parse(text)
    }

    /// IMF-fixdate, read in English whatever the process's locale.
    static let httpDate = Date.ParseStrategy(
        format: "\(weekday: .abbreviated), \(day: .twoDigits) \(month: .abbreviated) \(year: .padded(4)) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits) GMT",
        locale: Locale(identifier: "en_US_POSIX"), timeZone: .gmt)
}
