//! Secrets as references; see [`oots_connector::secret`].
pub use oots_connector::secret::*;
