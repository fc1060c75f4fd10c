#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How reading applies the carrier rules.
public enum CarrierRuleMode: Sendable {
    /// A message that breaks a rule is rejected (the default).
    case enforce
    /// `--lenient`: the message is translated and each broken rule reported as a warning.
    case warn
}

/// What checking needs besides the rules, reused from message to message: today's date and whether
/// sentences may show personal values. Not thread-safe; one per pipeline (so its clock fields skip the
/// run-time exclusivity checks, which cost more than reading them once per message).
package final class CarrierRuleContext {
    package var showPersonalData: Bool
    /// A fixed "today" as `YYYYMMDD`, for tests; nil uses the local calendar date.
    @exclusivity(unchecked) package var fixedToday: Int?
    @exclusivity(unchecked) private var cachedToday = 0
    @exclusivity(unchecked) private var validUntil = 0

    package init(showPersonalData: Bool = false, fixedToday: Int? = nil) {
        self.showPersonalData = showPersonalData
        self.fixedToday = fixedToday
    }

    /// Today in the local time zone as `YYYYMMDD`; the clock is read once per call, the calendar once a day.
    package var today: Int {
        if let fixedToday { return fixedToday }
        let now = time(nil)
        if now >= validUntil { refresh(now) }
        return cachedToday
    }

    /// ``today``, and the same as eight ASCII digits in one word, the first digit in the high byte, so that
    /// comparing two such words compares the dates (recomputed only when the date changes).
    package var todayWithDigits: (date: Int, digits: UInt64) {
        let date = today
        if date != digitsDate {
            digitsDate = date
            cachedDigits = 0
            var rest = date
            for index in 0..<8 {
                cachedDigits |= UInt64(0x30 + rest % 10) << (8 * UInt64(index))
                rest /= 10
            }
        }
        return (date, cachedDigits)
    }
    @exclusivity(unchecked) private var digitsDate = -1
    @exclusivity(unchecked) private var cachedDigits: UInt64 = 0

    private func refresh(_ now: time_t) {
        var seconds = now
        var parts = tm()
        localtime_r(&seconds, &parts)
        cachedToday = Int(parts.tm_year + 1900) * 10_000 + Int(parts.tm_mon + 1) * 100 + Int(parts.tm_mday)
        let elapsed = Int(parts.tm_hour) * 3600 + Int(parts.tm_min) * 60 + Int(parts.tm_sec)
        // At most an hour late across a daylight-saving change; re-read at least hourly.
        validUntil = now + max(1, min(86_400 - elapsed, 3600))
    }
}
