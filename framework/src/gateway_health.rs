//! Whether the access point (Domibus or the native AS4 peer) takes the answers we submit:
//! the outcome of the newest submissions, shown in `/readyz` and on the operator page so
//! an unreachable peer is seen without reading the logs.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// The submission history kept for the probes (no message contents, codes only).
#[derive(Debug, Default)]
pub struct GatewayHealth {
    state: Mutex<GatewayStatus>,
}

/// What `/readyz` and the operator page show about the access point.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct GatewayStatus {
    /// When the access point last took an answer.
    pub last_ok_at: Option<DateTime<Utc>>,
    /// The first failure since the last answer taken; `None` while submissions pass.
    pub failing_since: Option<DateTime<Utc>>,
    /// The stable error code of the newest failure (cleared by the next success).
    pub last_error_code: Option<String>,
    /// Failed submission attempts since the last answer taken.
    pub failures_in_a_row: u64,
}

impl GatewayHealth {
    /// The access point took an answer: whatever failed before is over.
    pub fn ok(&self) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        *s = GatewayStatus {
            last_ok_at: Some(Utc::now()),
            ..GatewayStatus::default()
        };
    }

    /// A submission attempt failed with `code` (a stable error code).
    pub fn failed(&self, code: &str) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.failing_since.get_or_insert_with(Utc::now);
        s.last_error_code = Some(code.to_owned());
        s.failures_in_a_row += 1;
    }

    pub fn status(&self) -> GatewayStatus {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl GatewayStatus {
    /// One line for `/readyz` while submissions fail; `None` while they pass.
    pub fn problem(&self) -> Option<String> {
        let since = self.failing_since?;
        Some(format!(
            "access point failing since {} ({}, {} failed attempts in a row); answers wait in the outbox",
            since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            self.last_error_code.as_deref().unwrap_or("unknown"),
            self.failures_in_a_row
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_success_clears_the_failures() {
        let h = GatewayHealth::default();
        assert_eq!(h.status().problem(), None);
        h.failed("GW-0001");
        h.failed("GW-0002");
        let s = h.status();
        assert_eq!(s.failures_in_a_row, 2);
        assert!(s.problem().unwrap().contains("GW-0002, 2 failed attempts"));
        h.ok();
        assert_eq!(h.status().problem(), None);
        assert!(h.status().last_ok_at.is_some());
    }
}
