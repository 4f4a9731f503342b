//! File-drop registry connector.
//!
//! Some registries export their data as files dropped in a folder: a nightly CSV export,
//! JSON or XML dumps, a Kubernetes ConfigMap mounted as a folder. This connector answers
//! lookups from an in-memory index of the folder's *complete* files (size and mtime
//! unchanged for `settle_ms`; hidden, `~`, `.tmp` and `.part` names ignored), rebuilt
//! whenever a file changes — driven by file-system events, with polling as a fallback —
//! and swapped atomically. A file that fails to parse keeps its last good data and marks
//! the connection degraded in [`health`](oots_connector::Connector::health).
//!
//! Queries are `field = :param [and field = :param]...`; see `docs/connector-filedrop.md`.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod connector;
mod factory;
mod index;
mod parse;
mod path;
mod query;
mod scan;
mod settings;

pub use connector::FiledropConnector;
pub use factory::FiledropFactory;
pub use settings::{CsvOptions, FileFormat, FiledropSettings};
