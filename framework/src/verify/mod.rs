//! Verifying a deployment before it answers: `oots-adapter check` (configuration, mapping
//! files, templates, live probes) and `oots-adapter test` (the tests written in mapping
//! files, sent through the real exchange). It sits above [`crate::exchange`] because the
//! tests run requests through it; [`crate::mapping`] itself never depends on it.

mod check;
mod columns;
mod positions;
mod preview_texts;
mod select_list;
mod testing;
mod warnings;

pub use check::{CheckOutcome, check};
pub use testing::{TestResult, fixture_exchange, request_spec, run_tests};
