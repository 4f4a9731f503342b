//! Shared helpers for the end-to-end suites.

pub mod domibus_replay;
