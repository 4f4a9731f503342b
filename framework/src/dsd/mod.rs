//! The provider's registration in the Data Service Directory (DSD), generated from the
//! mapping files and `adapter.yaml`: written as the LCM `SubmitObjectsRequest`
//! (`export`), summarised for a person (`summary`), and compared with what a DSD query
//! answers (`parse`, `diff`). docs/dsd.md says what is confirmed and what is not.

mod diff;
mod export;
mod model;
mod parse;
mod summary;
mod warnings;

pub use diff::{Drift, diff};
pub use export::write_submit_objects;
pub use model::{AccessService, Distribution, Publisher, Registration, ServiceType, registration};
pub use parse::{DsdAnswer, parse_answer};
pub use summary::{summary_json, summary_text};
pub use warnings::warnings;

/// Why a DSD command could not do its work; each carries a stable `OEA-D` code
/// (docs/error-codes.md) and ends the command with exit status 2.
#[derive(Debug, thiserror::Error)]
pub enum DsdError {
    /// The DSD answer file cannot be read, or is larger than the limit.
    #[error("OEA-D0001: {0}")]
    Unreadable(String),
    /// The DSD answer is not well-formed, or is refused as hostile XML (DTD, entities, limits).
    #[error("OEA-D0002: {0}")]
    NotXml(String),
    /// The document is not a RegRep `query:QueryResponse`.
    #[error("OEA-D0003: {0}")]
    NotQueryResponse(String),
    /// A `DataServiceEvidenceType` of the answer lacks what identifies it.
    #[error("OEA-D0004: {0}")]
    BadEntry(String),
    /// The path names no deployment or several, or the deployment does not pass `check`.
    #[error("OEA-D0005: {0}")]
    Deployment(String),
    /// `--out` cannot be written.
    #[error("OEA-D0006: {0}")]
    Output(String),
}

/// The largest DSD answer read (bytes): a DSD answer for one provider is a few kB.
pub const MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;
