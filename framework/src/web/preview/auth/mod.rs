//! Signing the citizen in before the preview shows any evidence.
//!
//! An [`Authenticator`] runs one sign-in in two halves around a browser round trip to the
//! identity provider: [`Authenticator::begin`] returns the URL to send the browser to and a
//! [`PendingSignIn`] the preview keeps server-side (the session row); when the provider
//! sends the browser back, [`Authenticator::finish`] checks the callback against that
//! pending half and returns what the sign-in proved, as an [`AuthenticatedPerson`]
//! normalised to the eIDAS minimum data set.
//!
//! [`oidc::OidcAuthenticator`] implements it for OpenID Connect (authorisation code flow
//! with PKCE). A SAML or eIDAS-Node "specific connector" authenticator fits the same trait:
//! `begin` builds the request and the URL (or form) that carries it, `finish` verifies the
//! response and maps the eIDAS attributes.
//!
//! Nothing here logs or prints tokens or personal data: the types holding them implement
//! `Debug` by hand, and error messages name what failed, never the values.

pub mod http;
pub mod oidc;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

pub use oidc::{ClaimMapping, OidcAuthenticator, OidcSettings};

/// What a sign-in proved about the user, normalised to the eIDAS minimum data set.
///
/// `Debug` prints only whether each attribute is present, the level of assurance and a
/// masked subject: never names, dates or identifiers.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticatedPerson {
    /// Current family name(s).
    pub family_name: Option<String>,
    /// Current first name(s).
    pub given_name: Option<String>,
    /// Date of birth as `YYYY-MM-DD`; `None` when the provider gave none or only part of
    /// one (a year alone, `0000-MM-DD`).
    pub date_of_birth: Option<String>,
    /// A unique identifier of the person (e.g. the eIDAS `PersonIdentifier`), when a claim
    /// is mapped to it.
    pub person_identifier: Option<String>,
    /// `low`, `substantial` or `high` when the provider's `acr` is a recognised eIDAS level,
    /// otherwise the raw `acr`; `None` when the provider stated none.
    pub level_of_assurance: Option<String>,
    /// The provider's stable identifier of the user (`sub`).
    pub subject: String,
}

impl fmt::Debug for AuthenticatedPerson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthenticatedPerson")
            .field("subject", &Masked(&self.subject))
            .field("family_name", &Presence(self.family_name.is_some()))
            .field("given_name", &Presence(self.given_name.is_some()))
            .field("date_of_birth", &Presence(self.date_of_birth.is_some()))
            .field(
                "person_identifier",
                &Presence(self.person_identifier.is_some()),
            )
            .field("level_of_assurance", &self.level_of_assurance)
            .finish()
    }
}

/// A sign-in in progress: the server-side half kept (in the preview session) between the
/// redirect to the provider and the callback. It holds the CSRF `state`, the `nonce` and
/// the PKCE verifier, so it must never reach the browser; `Debug` masks them.
#[derive(Clone, Serialize, Deserialize)]
pub struct PendingSignIn {
    pub(crate) state: String,
    pub(crate) nonce: String,
    pub(crate) pkce_verifier: String,
    pub(crate) callback_url: String,
}

impl PendingSignIn {
    /// The CSRF `state` sent to the provider; the callback must carry the same value.
    pub fn state(&self) -> &str {
        &self.state
    }

    /// The callback URL the sign-in was started with (the token request repeats it).
    pub fn callback_url(&self) -> &str {
        &self.callback_url
    }

    /// Constant-time check of a callback's `state` against this sign-in's.
    pub(crate) fn state_matches(&self, candidate: &str) -> bool {
        self.state.as_bytes().ct_eq(candidate.as_bytes()).into()
    }
}

impl fmt::Debug for PendingSignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingSignIn")
            .field("state", &Masked(&self.state))
            .field("nonce", &"***")
            .field("pkce_verifier", &"***")
            .field("callback_url", &self.callback_url)
            .finish()
    }
}

/// A started sign-in: send the browser to `redirect_url`, keep `pending` server-side.
#[derive(Debug, Clone)]
pub struct SignIn {
    /// The provider's authorisation URL with this sign-in's parameters.
    pub redirect_url: String,
    /// The server-side half, needed by [`Authenticator::finish`].
    pub pending: PendingSignIn,
}

/// Why a sign-in could not be started or finished. Messages name what failed, never a
/// token or a personal value; [`AuthError::code`] gives a stable code (docs/error-codes.md).
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The provider's discovery document or key set cannot be fetched or is unusable.
    #[error("identity provider discovery failed: {0}")]
    Discovery(String),
    /// The authenticator's settings are unusable (URL, secret reference, claim mapping).
    #[error("sign-in configuration: {0}")]
    Config(String),
    /// The callback does not belong to the pending sign-in (`state` or `iss` differ):
    /// a forged or replayed callback, or a second tab.
    #[error("the sign-in callback does not match the sign-in in progress")]
    StateMismatch,
    /// The provider answered with an error instead of a code; `access_denied` means the
    /// user cancelled at the provider.
    #[error("the identity provider returned `{code}`")]
    ProviderError {
        /// The OAuth 2.0 `error` code (sanitised), e.g. `access_denied`.
        code: String,
    },
    /// The token request failed or its answer is unusable (wrong code or PKCE verifier,
    /// client authentication refused, no ID token).
    #[error("token exchange failed: {0}")]
    Token(String),
    /// The ID token (or the userinfo answer) fails verification: signature, issuer,
    /// audience, expiry, nonce, access-token hash or subject.
    #[error("ID token rejected: {0}")]
    IdToken(String),
    /// A mapped claim is missing (when required) or malformed.
    #[error("claims unusable: {0}")]
    Claims(String),
    /// The provider cannot be reached (connection, timeout, oversized answer).
    #[error("identity provider unreachable: {0}")]
    Http(String),
}

impl AuthError {
    /// Stable code for logs, the audit trail and the error page (docs/error-codes.md).
    ///
    /// | code | variant |
    /// | --- | --- |
    /// | `OEA-AUTH-001` | [`AuthError::Discovery`] |
    /// | `OEA-AUTH-002` | [`AuthError::Config`] |
    /// | `OEA-AUTH-003` | [`AuthError::StateMismatch`] |
    /// | `OEA-AUTH-004` | [`AuthError::ProviderError`] |
    /// | `OEA-AUTH-005` | [`AuthError::Token`] |
    /// | `OEA-AUTH-006` | [`AuthError::IdToken`] |
    /// | `OEA-AUTH-007` | [`AuthError::Claims`] |
    /// | `OEA-AUTH-008` | [`AuthError::Http`] |
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::Discovery(_) => "OEA-AUTH-001",
            AuthError::Config(_) => "OEA-AUTH-002",
            AuthError::StateMismatch => "OEA-AUTH-003",
            AuthError::ProviderError { .. } => "OEA-AUTH-004",
            AuthError::Token(_) => "OEA-AUTH-005",
            AuthError::IdToken(_) => "OEA-AUTH-006",
            AuthError::Claims(_) => "OEA-AUTH-007",
            AuthError::Http(_) => "OEA-AUTH-008",
        }
    }

    /// True when the user cancelled at the provider (`access_denied`): the preview says
    /// "you cancelled" rather than "something went wrong".
    pub fn is_cancelled(&self) -> bool {
        matches!(self, AuthError::ProviderError { code } if code == "access_denied")
    }
}

/// A way of signing the citizen in (OpenID Connect now; SAML / eIDAS-Node later).
#[async_trait::async_trait]
pub trait Authenticator: Send + Sync + fmt::Debug {
    /// `"oidc"` (later `"saml"`, `"eidas-node"`).
    fn kind(&self) -> &'static str;

    /// Starts a sign-in; `callback_url` is where the provider sends the browser back.
    async fn begin(&self, callback_url: &str) -> Result<SignIn, AuthError>;

    /// Finishes it with the callback's query parameters (`code`, `state`, or `error`).
    async fn finish(
        &self,
        pending: &PendingSignIn,
        callback_url: &str,
        query: &BTreeMap<String, String>,
    ) -> Result<AuthenticatedPerson, AuthError>;
}

/// Maps an `acr` value to the eIDAS level it denotes, when recognisable; the raw value
/// otherwise. Only notified eIDAS levels are recognised (`…/NotNotified/…` stays raw).
pub fn level_of_assurance(acr: &str) -> String {
    let lower = acr.trim().to_ascii_lowercase();
    let level = match lower.as_str() {
        "http://eidas.europa.eu/loa/low" | "eidas1" | "low" => "low",
        "http://eidas.europa.eu/loa/substantial" | "eidas2" | "substantial" => "substantial",
        "http://eidas.europa.eu/loa/high" | "eidas3" | "high" => "high",
        _ => return acr.to_owned(),
    };
    level.to_owned()
}

/// Normalises a date of birth to `YYYY-MM-DD`; `None` for anything else, including
/// partial dates (OpenID Connect allows `YYYY` alone and `0000-MM-DD`).
pub fn normalise_date_of_birth(value: &str) -> Option<String> {
    let value = value.trim();
    let mut parts = value.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || year.len() != 4
        || !(1..=2).contains(&month.len())
        || !(1..=2).contains(&day.len())
        || ![year, month, day]
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let (y, m, d) = (year.parse().ok()?, month.parse().ok()?, day.parse().ok()?);
    if y == 0 {
        return None;
    }
    let date = chrono::NaiveDate::from_ymd_opt(y, m, d)?;
    Some(date.format("%Y-%m-%d").to_string())
}

/// Keeps an OAuth 2.0 `error` code printable: `[A-Za-z0-9_.-]`, at most 64 characters.
pub(crate) fn sanitise_error_code(code: &str) -> String {
    let clean: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .take(64)
        .collect();
    if clean.is_empty() {
        "invalid_error".to_owned()
    } else {
        clean
    }
}

/// Prints the first two characters of a value and its length: enough to tell two values
/// apart in a log, not enough to recover them.
struct Masked<'a>(&'a str);

impl fmt::Debug for Masked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.chars().count();
        if n >= 8 {
            let head: String = self.0.chars().take(2).collect();
            write!(f, "\"{head}…\" ({n} chars)")
        } else {
            write!(f, "\"***\"")
        }
    }
}

/// Prints `present` / `absent` instead of a value.
struct Presence(bool);

impl fmt::Debug for Presence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0 { "present" } else { "absent" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_of_birth_are_normalised_or_refused() {
        assert_eq!(
            normalise_date_of_birth("1990-01-31").as_deref(),
            Some("1990-01-31")
        );
        assert_eq!(
            normalise_date_of_birth(" 1990-1-5 ").as_deref(),
            Some("1990-01-05")
        );
        for bad in [
            "1990",
            "0000-01-31",
            "1990-02-30",
            "31.01.1990",
            "1990-01-31T00:00:00Z",
            "+1990-01-31",
            "",
        ] {
            assert_eq!(normalise_date_of_birth(bad), None, "{bad}");
        }
    }

    #[test]
    fn acr_values_map_to_eidas_levels() {
        assert_eq!(
            level_of_assurance("http://eidas.europa.eu/LoA/high"),
            "high"
        );
        assert_eq!(level_of_assurance("eidas2"), "substantial");
        assert_eq!(level_of_assurance("Low"), "low");
        assert_eq!(
            level_of_assurance("http://eidas.europa.eu/NotNotified/LoA/high"),
            "http://eidas.europa.eu/NotNotified/LoA/high"
        );
        assert_eq!(level_of_assurance("urn:x:loa:3"), "urn:x:loa:3");
    }

    #[test]
    fn error_codes_are_sanitised() {
        assert_eq!(sanitise_error_code("access_denied"), "access_denied");
        assert_eq!(sanitise_error_code("<script>"), "script");
        assert_eq!(sanitise_error_code("€"), "invalid_error");
    }

    #[test]
    fn pending_sign_in_compares_state() {
        let p = PendingSignIn {
            state: "abc".into(),
            nonce: "n".into(),
            pkce_verifier: "v".into(),
            callback_url: "https://x/cb".into(),
        };
        assert!(p.state_matches("abc"));
        assert!(!p.state_matches("abd"));
        assert!(!p.state_matches("ab"));
        assert!(!p.state_matches(""));
    }
}
