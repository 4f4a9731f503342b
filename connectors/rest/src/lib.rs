//! REST registry connector: JSON lookups over HTTP(S) with JSONPath field mapping.
//!
//! A mapping's `query` is a GET path template relative to `base_url`
//! (`/persons?birthDate={date_of_birth}`); placeholders are percent-encoded parameter
//! values, never raw text. The response's records are selected with the `records`
//! JSONPath, further pages followed (`next_link` or numbered `page`), and each output field
//! is the first node its JSONPath selects in a record. Every lookup is bounded (time,
//! rows, pages, bytes), cancellable and retried only on transient failures. See
//! `docs/connector-rest.md`.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod connector;
mod factory;
mod jsonpath;
mod records;
mod settings;
mod template;

pub use connector::RestConnector;
pub use factory::RestFactory;
pub use settings::{AuthSettings, Pagination, RestSettings};
