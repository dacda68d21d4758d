//! Time parsing and formatting: RFC 3339 timestamps, protobuf durations, human durations.

use chrono::{DateTime, Local, TimeZone, Utc};

/// Parses an RFC 3339 timestamp (`2026-11-21T09:44:18.453Z`) into milliseconds since the epoch.
pub fn parse_rfc3339_ms(s: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|d| d.timestamp_millis())
}

/// A time window as people write it: `90s`, `15m`, `1h`, `24h`, `7d`, `2w` (a number and a
/// unit), in milliseconds.
pub fn parse_window_ms(s: &str) -> Result<i64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: i64 = n
        .parse()
        .map_err(|_| format!("{s:?}: a number and a unit, like 15m, 1h, 24h or 7d"))?;
    let unit_ms: i64 = match unit.trim() {
        "s" | "sec" => 1_000,
        "m" | "min" => 60_000,
        "h" | "hour" | "hours" => 3_600_000,
        "d" | "day" | "days" => 86_400_000,
        "w" | "week" | "weeks" => 7 * 86_400_000,
        _ => return Err(format!("{s:?}: the unit is s, m, h, d or w (15m, 1h, 7d)")),
    };
    match n.checked_mul(unit_ms) {
        Some(ms) if ms > 0 => Ok(ms),
        _ => Err(format!("{s:?}: a window longer than nothing")),
    }
}

/// Parses a protobuf JSON duration (`"0.087s"`, `"12s"`) into milliseconds.
pub fn parse_proto_duration_ms(s: &str) -> Option<i64> {
    let secs = s.trim().strip_suffix('s')?;
    let (whole, frac) = secs.split_once('.').unwrap_or((secs, ""));
    let negative = whole.starts_with('-');
    let whole: i64 = whole.trim_start_matches('-').parse().ok()?;
    let mut ms = whole.checked_mul(1000)?;
    if !frac.is_empty() {
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let digits: String = frac.chars().chain("000".chars()).take(3).collect();
        ms = ms.checked_add(digits.parse::<i64>().ok()?)?;
    }
    Some(if negative { -ms } else { ms })
}

/// A list's time column: `HH:MM:SS` for today, `Mon DD HH:MM` earlier this year, the date
/// for other years; in UTC or the local time zone.
pub fn format_list_time(ms: i64, now_ms: i64, utc: bool) -> String {
    fn fmt<Tz: TimeZone>(tz: &Tz, ms: i64, now_ms: i64) -> Option<String>
    where
        Tz::Offset: std::fmt::Display,
    {
        let t = tz.timestamp_millis_opt(ms).single()?;
        let now = tz.timestamp_millis_opt(now_ms).single()?;
        Some(if t.date_naive() == now.date_naive() {
            t.format("%H:%M:%S").to_string()
        } else if t.format("%Y").to_string() == now.format("%Y").to_string() {
            t.format("%b %d %H:%M").to_string()
        } else {
            t.format("%Y-%m-%d").to_string()
        })
    }
    let out = if utc {
        fmt(&Utc, ms, now_ms)
    } else {
        fmt(&Local, ms, now_ms)
    };
    out.unwrap_or_else(|| "-".into())
}

/// Is `ms` on the same day as `now_ms` (UTC or local)?
pub fn same_day(ms: i64, now_ms: i64, utc: bool) -> bool {
    fn day<Tz: TimeZone>(tz: &Tz, ms: i64) -> Option<chrono::NaiveDate> {
        Some(tz.timestamp_millis_opt(ms).single()?.date_naive())
    }
    if utc {
        day(&Utc, ms).is_some() && day(&Utc, ms) == day(&Utc, now_ms)
    } else {
        day(&Local, ms).is_some() && day(&Local, ms) == day(&Local, now_ms)
    }
}

/// A duration for people: `850µs`, `75ms`, `1.25s`, `3m 02s`, `2h 05m`.
pub fn format_duration_ns(ns: u64) -> String {
    if ns < 1_000 {
        format!("{ns}ns")
    } else if ns < 1_000_000 {
        format!("{}µs", ns / 1_000)
    } else if ns < 10_000_000 {
        format!("{:.1}ms", ns as f64 / 1e6)
    } else if ns < 1_000_000_000 {
        format!("{}ms", ns / 1_000_000)
    } else if ns < 60_000_000_000 {
        format!("{:.2}s", ns as f64 / 1e9)
    } else {
        let s = ns / 1_000_000_000;
        if s < 3600 {
            format!("{}m {:02}s", s / 60, s % 60)
        } else if s < 86_400 * 100 {
            format!("{}h {:02}m", s / 3600, (s % 3600) / 60)
        } else {
            format!("{}d", s / 86_400)
        }
    }
}

pub fn format_duration_ms(ms: i64) -> String {
    if ms < 0 {
        return "-".into();
    }
    if ms < 1000 {
        return format!("{ms}ms");
    }
    format_duration_ns((ms as u64).saturating_mul(1_000_000))
}

/// A timestamp in the local time zone: `2026-11-21 09:44:18`. Out-of-range values print as `-`.
pub fn format_local_ms(ms: i64) -> String {
    match Local.timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        None => "-".into(),
    }
}

/// A timestamp in UTC, like [`format_local_ms`]: `2026-11-21 09:44:18`.
pub fn format_utc_short_ms(ms: i64) -> String {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        None => "-".into(),
    }
}

/// A timestamp in UTC with milliseconds, RFC 3339.
pub fn format_utc_ms(ms: i64) -> String {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        None => "-".into(),
    }
}

/// How long ago, relative to `now_ms`: `12s ago`, `5m ago`, `3h ago`, `2d ago`.
pub fn format_relative_ms(ms: i64, now_ms: i64) -> String {
    let d = now_ms.saturating_sub(ms);
    if d < 0 {
        return "future".into();
    }
    let s = d / 1000;
    match s {
        0..=59 => format!("{s}s ago"),
        60..=3599 => format!("{}m ago", s / 60),
        3600..=86_399 => format!("{}h ago", s / 3600),
        _ => format!("{}d ago", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_as_people_write_them() {
        assert_eq!(parse_window_ms("15m"), Ok(900_000));
        assert_eq!(parse_window_ms("1h"), Ok(3_600_000));
        assert_eq!(parse_window_ms(" 7d "), Ok(7 * 86_400_000));
        assert_eq!(parse_window_ms("2w"), Ok(14 * 86_400_000));
        assert!(parse_window_ms("0m").is_err());
        assert!(parse_window_ms("1y").unwrap_err().contains("unit"));
        assert!(parse_window_ms("h").is_err());
        assert!(parse_window_ms("99999999999999d").is_err());
    }

    #[test]
    fn rfc3339() {
        assert_eq!(
            parse_rfc3339_ms("2026-11-21T09:44:18.453Z"),
            Some(1_795_254_258_453)
        );
        assert_eq!(parse_rfc3339_ms("nope"), None);
    }

    #[test]
    fn proto_duration() {
        assert_eq!(parse_proto_duration_ms("0.087s"), Some(87));
        assert_eq!(parse_proto_duration_ms("12s"), Some(12_000));
        assert_eq!(parse_proto_duration_ms("1.5s"), Some(1_500));
        assert_eq!(parse_proto_duration_ms("0.000123456s"), Some(0));
        assert_eq!(parse_proto_duration_ms("abc"), None);
        assert_eq!(parse_proto_duration_ms("1.x5s"), None);
    }

    #[test]
    fn human_durations() {
        assert_eq!(format_duration_ns(850), "850ns");
        assert_eq!(format_duration_ns(1_500), "1µs");
        assert_eq!(format_duration_ns(2_500_000), "2.5ms");
        assert_eq!(format_duration_ns(75_000_000), "75ms");
        assert_eq!(format_duration_ns(1_250_000_000), "1.25s");
        assert_eq!(format_duration_ns(182_000_000_000), "3m 02s");
        assert_eq!(format_duration_ns(u64::MAX), "213503d");
        assert_eq!(format_duration_ms(-5), "-");
        assert_eq!(format_duration_ms(0), "0ms");
        assert_eq!(format_duration_ms(5), "5ms");
        assert_eq!(format_duration_ms(1500), "1.50s");
    }

    #[test]
    fn odd_timestamps_do_not_panic() {
        for ms in [0, -1, i64::MIN, i64::MAX] {
            let _ = format_local_ms(ms);
            let _ = format_utc_ms(ms);
            let _ = format_relative_ms(ms, 0);
        }
    }
}
