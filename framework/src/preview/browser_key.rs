//! The secret that binds a preview link to the browser that first opened it, and the
//! random tokens of the pages' forms: made server-side only, compared in constant time.

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

/// The secret a browser's `__Host-oots_preview` cookie holds. Made only here, server-side,
/// when a link is first opened and again at sign-in: a value a client offers is compared
/// with it, never adopted (session fixation).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BrowserKey(pub(super) String);

impl BrowserKey {
    /// A fresh random key (256 bits).
    pub fn fresh() -> Self {
        BrowserKey(secret_token())
    }

    /// The cookie's value.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether a client presented this key (constant-time).
    pub fn matches(&self, presented: Option<&str>) -> bool {
        presented.is_some_and(|p| same(&self.0, p))
    }
}

impl std::fmt::Debug for BrowserKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BrowserKey(..)")
    }
}

/// A fresh random secret (256 bits, hex): browser cookies and form tokens.
pub fn secret_token() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Constant-time equality of two secrets.
pub(super) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}
