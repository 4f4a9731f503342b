//! Any `query:QueryResponse`, as read back (the requester simulator, tests): evidence or
//! error. Its own module so that the model of each kind imports neither the other nor
//! the XML code.

use serde::Serialize;

use crate::error::ErrorResponse;
use crate::model::{DeferredResponse, EvidenceResponse};

/// Any `query:QueryResponse`: evidence, error or deferral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum QueryResponse {
    /// Evidence returned (`status=…:Success`).
    Evidence(EvidenceResponse),
    /// Refusal or preview redirect (`status=…:Failure`).
    Error(ErrorResponse),
    /// Evidence available later (`status=…:Unavailable`, `ResponseAvailableDateTime`).
    Deferred(DeferredResponse),
}
