//! The trace of one exchange: what happened, stage by stage, in words free of personal data.

use std::fmt;

use serde::Serialize;

/// Names of the stages, for the trace shown by `demo` and kept with the exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Received,
    Parsed,
    Routed,
    LookedUp,
    Matched,
    Preview,
    Rendered,
    Answered,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Stage::Received => "received",
            Stage::Parsed => "parsed",
            Stage::Routed => "routed",
            Stage::LookedUp => "looked up",
            Stage::Matched => "matched",
            Stage::Preview => "preview",
            Stage::Rendered => "rendered",
            Stage::Answered => "answered",
        };
        f.write_str(s)
    }
}

/// What happened, step by step, in words free of personal data.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Trace {
    pub steps: Vec<(Stage, String)>,
}

impl Trace {
    pub fn push(&mut self, stage: Stage, what: impl Into<String>) {
        self.steps.push((stage, what.into()));
    }
}
