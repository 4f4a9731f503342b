//! Dates of birth as registries hold them: sometimes partial (`00` for an unknown day),
//! sometimes not even a calendar date. They are compared part by part, never rejected.

use chrono::{Datelike, NaiveDate};
use oots_connector::Value;

use crate::level::{Level, one_edit};

/// A date split into parts; an unknown part is `None`. `digits` keeps the eight digits
/// as written (`YYYYMMDD`), for typo comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateParts {
    /// Year, when known.
    pub year: Option<u32>,
    /// Month, when known.
    pub month: Option<u32>,
    /// Day, when known.
    pub day: Option<u32>,
    /// The digits as written (`YYYYMMDD`), for typo comparison.
    pub digits: String,
}

impl DateParts {
    /// The parts of a calendar date (all known).
    pub fn from_date(d: NaiveDate) -> Self {
        let (y, m, dd) = (d.year().max(0) as u32, d.month(), d.day());
        Self {
            year: Some(y),
            month: Some(m),
            day: Some(dd),
            digits: format!("{y:04}{m:02}{dd:02}"),
        }
    }

    /// A full calendar date, if every part is known and valid.
    pub fn to_date(&self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year? as i32, self.month?, self.day?)
    }

    /// The request's date of birth: an `xs:date` (`YYYY-MM-DD`), possibly with a time
    /// zone. A `00` day or month is accepted as unknown (ICAO filler).
    pub fn parse_request(s: &str) -> Option<DateParts> {
        let s = s.trim();
        let core = s.get(..10).unwrap_or(s);
        let parts = parse_with(core, "%Y-%m-%d")?;
        // The rest may only be a time zone (`Z`, `+01:00`).
        let rest = &s[core.len()..];
        if !(rest.is_empty()
            || rest == "Z"
            || (rest.len() == 6 && (rest.starts_with('+') || rest.starts_with('-'))))
        {
            return None;
        }
        // A month or day outside the calendar is invalid input, not a partial date.
        if parts.month.is_some_and(|m| m > 12) || parts.day.is_some_and(|d| d > 31) {
            return None;
        }
        if parts.month.is_some() && parts.day.is_some() && parts.to_date().is_none() {
            return None;
        }
        parts.year?;
        Some(parts)
    }

    /// A registry value: a date column, ISO text, or text in the mapping's `date_format`.
    pub fn from_value(v: &Value, format: Option<&str>) -> Option<DateParts> {
        match v {
            Value::Date(d) => Some(Self::from_date(*d)),
            Value::DateTime(d) => Some(Self::from_date(d.date())),
            Value::Int(i) => parse_with(&i.to_string(), format.unwrap_or("%Y%m%d")),
            Value::Text(t) => {
                let t = t.trim();
                format
                    .and_then(|f| parse_with(t, f))
                    .or_else(|| parse_with(t, "%Y-%m-%d"))
            }
            _ => None,
        }
    }

    /// The date in `format` (`%Y`, `%m`, `%d` and literals), for query parameters.
    pub fn format(&self, format: &str) -> Option<String> {
        let mut out = String::new();
        let mut chars = format.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            match chars.next()? {
                'Y' => out.push_str(&format!("{:04}", self.year?)),
                'm' => out.push_str(&format!("{:02}", self.month.unwrap_or(0))),
                'd' => out.push_str(&format!("{:02}", self.day.unwrap_or(0))),
                '%' => out.push('%'),
                _ => return None,
            }
        }
        Some(out)
    }

    /// The same date with day and month exchanged, when that is another calendar date.
    pub fn swapped(&self) -> Option<DateParts> {
        let (m, d) = (self.month?, self.day?);
        if m == d || d > 12 {
            return None;
        }
        let s = DateParts {
            year: self.year,
            month: Some(d),
            day: Some(m),
            digits: format!("{:04}{d:02}{m:02}", self.year?),
        };
        s.to_date().map(|_| s)
    }
}

/// Parses `s` with `%Y`, `%m`, `%d` and literal characters; `00` or an empty part is
/// unknown. Values that are not calendar dates (`19960094`) still yield their parts.
fn parse_with(s: &str, format: &str) -> Option<DateParts> {
    let bytes = s.as_bytes();
    let mut pos = 0;
    let (mut year, mut month, mut day) = (None, None, None);
    let mut fmt = format.chars();
    while let Some(c) = fmt.next() {
        if c == '%' {
            let (width, slot) = match fmt.next()? {
                'Y' => (4, &mut year),
                'm' => (2, &mut month),
                'd' => (2, &mut day),
                _ => return None,
            };
            let part = bytes.get(pos..pos + width)?;
            if !part.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let n: u32 = std::str::from_utf8(part).ok()?.parse().ok()?;
            *slot = Some(n);
            pos += width;
        } else {
            let mut buf = [0u8; 4];
            let lit = c.encode_utf8(&mut buf).as_bytes();
            if bytes.get(pos..pos + lit.len())? != lit {
                return None;
            }
            pos += lit.len();
        }
    }
    if pos != bytes.len() {
        return None;
    }
    let year = year.filter(|y| *y > 0)?;
    let month = month.filter(|m| *m > 0);
    let day = day.filter(|d| *d > 0);
    Some(DateParts {
        year: Some(year),
        month,
        day,
        digits: format!("{year:04}{:02}{:02}", month.unwrap_or(0), day.unwrap_or(0)),
    })
}

/// Levels for dates, strongest first: exact, day/month swapped, a day (or day and month)
/// unknown on one side, one digit off (or two neighbours transposed), two digits off, else.
pub fn compare_dates(request: &DateParts, registry: &DateParts) -> Level {
    if request.year == registry.year
        && request.month == registry.month
        && request.day == registry.day
    {
        return Level::Exact;
    }
    if let Some(s) = request.swapped()
        && s.year == registry.year
        && s.month == registry.month
        && s.day == registry.day
    {
        return Level::Swapped;
    }
    // One side does not know the day, or neither day nor month; the rest agrees. Both
    // are kept apart: a month narrows the homonyms a registry can hold twelvefold.
    if request.year == registry.year {
        let (r, g) = (request, registry);
        let no_month =
            (r.month.is_none() && r.day.is_none()) || (g.month.is_none() && g.day.is_none());
        if no_month {
            return Level::YearOnly;
        }
        if r.month == g.month && (r.day.is_none() || g.day.is_none()) {
            return Level::UnknownDay;
        }
    }
    if one_edit(&request.digits, &registry.digits) {
        return Level::OneDigit;
    }
    let differing = request
        .digits
        .chars()
        .zip(registry.digits.chars())
        .filter(|(a, b)| a != b)
        .count();
    if request.digits.len() == registry.digits.len() && differing == 2 {
        return Level::TwoDigits;
    }
    Level::Else
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(s: &str) -> DateParts {
        DateParts::parse_request(s).unwrap()
    }

    fn reg(s: &str) -> DateParts {
        DateParts::from_value(&Value::Text(s.to_owned()), Some("%Y%m%d")).unwrap()
    }

    #[test]
    fn levels() {
        assert_eq!(
            compare_dates(&req("1970-03-01"), &reg("19700301")),
            Level::Exact
        );
        assert_eq!(
            compare_dates(&req("1970-03-01"), &reg("19700103")),
            Level::Swapped
        );
        assert_eq!(
            compare_dates(&req("1970-03-01"), &reg("19700300")),
            Level::UnknownDay
        );
        assert_eq!(
            compare_dates(&req("1970-03-01"), &reg("19700000")),
            Level::YearOnly
        );
        assert_eq!(
            compare_dates(&req("1970-03-01"), &reg("19700302")),
            Level::OneDigit
        );
        assert_eq!(
            compare_dates(&req("1970-03-01"), &reg("19073001")),
            Level::Else
        );
        assert_eq!(
            compare_dates(&req("1970-03-01"), &reg("19710302")),
            Level::TwoDigits
        );
        assert_eq!(
            compare_dates(&req("1970-03-01"), &reg("19481218")),
            Level::Else
        );
    }

    #[test]
    fn a_day_given_as_00_is_unknown_on_either_side() {
        let r = req("1970-03-00");
        assert_eq!(r.day, None);
        assert_eq!(
            compare_dates(&r, &reg("19700300")),
            Level::Exact,
            "both unknown"
        );
        assert_eq!(
            compare_dates(&req("1970-03-17"), &reg("19700300")),
            Level::UnknownDay
        );
        assert_eq!(
            compare_dates(&req("1970-03-00"), &reg("19700317")),
            Level::UnknownDay
        );
        assert_eq!(
            compare_dates(&req("1970-03-00"), &reg("19710317")),
            Level::Else
        );
    }

    #[test]
    fn invalid_request_dates_are_refused_and_registry_oddities_kept() {
        for bad in [
            "1970-13-01",
            "1970-02-30",
            "70-03-01",
            "1970-03-01T",
            "",
            "abcd-ef-gh",
        ] {
            assert!(DateParts::parse_request(bad).is_none(), "{bad}");
        }
        assert!(DateParts::parse_request("1970-03-01Z").is_some());
        assert!(DateParts::parse_request("1970-03-01+01:00").is_some());
        // Not a calendar date, but its digits still compare.
        let odd = reg("19960094");
        assert_eq!(odd.month, None);
        assert_eq!(compare_dates(&req("1996-10-04"), &odd), Level::TwoDigits);
        assert!(DateParts::from_value(&Value::Text("x".into()), Some("%Y%m%d")).is_none());
        assert_eq!(
            DateParts::from_value(&Value::Text("1970-03-01".into()), Some("%d.%m.%Y"))
                .unwrap()
                .format("%d.%m.%Y")
                .unwrap(),
            "01.03.1970"
        );
    }
}
