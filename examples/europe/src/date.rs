//! Calendar dates as the data set writes them (`YYYYMMDD`, `00` for an unknown day or
//! month), without a date crate: the generator needs only validity checks and a uniform
//! day of a year.

use crate::rng::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub y: i32,
    pub m: u32,
    pub d: u32,
}

pub fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    pub fn new(y: i32, m: u32, d: u32) -> Option<Date> {
        ((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m)).then_some(Date { y, m, d })
    }

    /// A uniform day of year `y`.
    pub fn random_in_year(y: i32, rng: &mut Rng) -> Date {
        let days = if is_leap(y) { 366 } else { 365 };
        let mut n = rng.below(days) as u32;
        let mut m = 1;
        while n >= days_in_month(y, m) {
            n -= days_in_month(y, m);
            m += 1;
        }
        Date { y, m, d: n + 1 }
    }

    /// Days since 1 January 1900 (for gaps between siblings).
    pub fn ordinal(self) -> i64 {
        let mut n = 0i64;
        for y in 1900..self.y {
            n += if is_leap(y) { 366 } else { 365 };
        }
        for m in 1..self.m {
            n += i64::from(days_in_month(self.y, m));
        }
        n + i64::from(self.d) - 1
    }

    pub fn from_ordinal(mut n: i64) -> Date {
        let mut y = 1900;
        loop {
            let len = if is_leap(y) { 366 } else { 365 };
            if n < len {
                break;
            }
            n -= len;
            y += 1;
        }
        let mut m = 1;
        while n >= i64::from(days_in_month(y, m)) {
            n -= i64::from(days_in_month(y, m));
            m += 1;
        }
        Date {
            y,
            m,
            d: n as u32 + 1,
        }
    }

    pub fn yyyymmdd(self) -> String {
        format!("{:04}{:02}{:02}", self.y, self.m, self.d)
    }

    /// Parses `YYYYMMDD` (a calendar date only).
    pub fn parse(s: &str) -> Option<Date> {
        if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Date::new(
            s[0..4].parse().ok()?,
            s[4..6].parse().ok()?,
            s[6..8].parse().ok()?,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinal_round_trips() {
        for n in [0, 59, 60, 365, 20_000, 40_000] {
            assert_eq!(Date::from_ordinal(n).ordinal(), n);
        }
        assert_eq!(Date::from_ordinal(0).yyyymmdd(), "19000101");
        assert!(Date::parse("19960230").is_none());
        assert_eq!(Date::parse("20000229").map(|d| d.d), Some(29));
    }
}
