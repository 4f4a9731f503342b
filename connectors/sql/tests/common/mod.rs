//! Helpers shared by the SQL connector test suites.
#![allow(dead_code)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use oots_connector::{Limits, Params, Value};

/// Parameters from `(name, value)` pairs.
pub fn params<const N: usize>(pairs: [(&str, Value); N]) -> Params {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

pub fn limits(timeout_ms: u64, max_rows: usize) -> Limits {
    Limits {
        timeout: Duration::from_millis(timeout_ms),
        max_rows,
    }
}

/// A name unlikely to clash with a parallel or earlier run (tables, markers).
pub fn unique(prefix: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!("{prefix}_{}_{nanos}", std::process::id())
}

pub fn date(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

pub fn datetime(y: i32, m: u32, d: u32, h: u32, mi: u32, s: u32) -> chrono::NaiveDateTime {
    date(y, m, d)
        .and_hms_opt(h, mi, s)
        .expect("valid test time")
}
