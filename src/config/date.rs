//! Calendar dates (`YYYY-MM-DD`) for `[[allow]] expires`, without a date-time crate.

use std::fmt;

/// A proleptic Gregorian calendar date. Ordered chronologically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year (1..=9999).
    pub year: u16,
    /// Month (1..=12).
    pub month: u8,
    /// Day of the month (1..=31, valid for the month).
    pub day: u8,
}

/// The environment variable that fixes "today" (`YYYY-MM-DD`). It exists so tests can
/// check expiry deterministically; teams have no reason to set it.
pub const TODAY_ENV: &str = "LEAKGATE_TODAY";

fn is_leap(year: u32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// Parses `YYYY-MM-DD`, rejecting dates that don't exist (`2026-02-30`).
    pub fn parse(s: &str) -> Result<Date, String> {
        let b = s.as_bytes();
        let shape_ok = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shape_ok {
            return Err(format!("`{s}` is not a date: expected YYYY-MM-DD"));
        }
        let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
        let (year, month, day) = (num(0..4), num(5..7), num(8..10));
        if year == 0 || !(1..=12).contains(&month) {
            return Err(format!(
                "`{s}` is not a date (YYYY-MM-DD): the month must be 01-12"
            ));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(format!(
                "`{s}` is not a date (YYYY-MM-DD): {year:04}-{month:02} has {} days",
                days_in_month(year, month)
            ));
        }
        Ok(Date {
            year: year as u16,
            month: month as u8,
            day: day as u8,
        })
    }

    /// The date `days` days after 1970-01-01 (civil-from-days, Howard Hinnant's algorithm).
    pub fn from_unix_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date {
            year: year.clamp(1, 9999) as u16,
            month: month as u8,
            day: day as u8,
        }
    }

    /// Today in UTC, or the date in `LEAKGATE_TODAY` when it is set and valid.
    pub fn today() -> Date {
        if let Some(d) = std::env::var(TODAY_ENV)
            .ok()
            .and_then(|v| Date::parse(v.trim()).ok())
        {
            return d;
        }
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Date::from_unix_days(secs.div_euclid(86_400))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_real_dates_only() {
        assert_eq!(Date::parse("2026-11-23").unwrap().to_string(), "2026-11-23");
        assert!(Date::parse("2024-02-29").is_ok());
        assert!(Date::parse("2025-02-29").is_err());
        assert!(Date::parse("2026-04-31").is_err());
        assert!(Date::parse("2026-13-01").is_err());
        assert!(Date::parse("2026-1-01").is_err());
        assert!(Date::parse("next week").is_err());
        assert!(Date::parse("1900-02-29").is_err());
        assert!(Date::parse("2000-02-29").is_ok());
    }

    #[test]
    fn unix_days() {
        assert_eq!(Date::from_unix_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_unix_days(19_782).to_string(), "2024-02-29");
        assert_eq!(Date::from_unix_days(20_415).to_string(), "2025-11-23");
    }

    #[test]
    fn ordering_is_chronological() {
        assert!(Date::parse("2025-12-31").unwrap() < Date::parse("2026-01-01").unwrap());
    }
}
