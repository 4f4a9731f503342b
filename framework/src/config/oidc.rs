//! The OpenID Connect sign-in settings (`preview.authentication.oidc`). The sign-in
//! itself is [`crate::web::preview::auth::OidcAuthenticator`]'s job.

use std::fmt;

use serde::Deserialize;

use crate::secret::SecretRef;

/// How the adapter signs in with an OpenID Connect provider (`preview.auth.oidc`).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcSettings {
    /// The provider's issuer URL; discovery reads `{issuer}/.well-known/openid-configuration`
    /// and the discovered `issuer` must equal it exactly. Must be https (see
    /// `allow_http_issuer`).
    pub issuer: String,
    /// The client id the provider registered for the adapter.
    pub client_id: String,
    /// The client secret as a reference (`env:NAME` or `file:/path`), resolved when the
    /// authenticator is built; none for a public client (PKCE only). Inline values are
    /// refused.
    pub client_secret: Option<String>,
    /// Scopes requested; `openid` is always sent. Default `["openid", "profile"]`.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// `acr_values` sent with the authorisation request (space-separated when several),
    /// e.g. `http://eidas.europa.eu/LoA/high`.
    #[serde(default)]
    pub acr_values: Option<String>,
    /// Which claims carry the eIDAS attributes.
    #[serde(default)]
    pub claims: ClaimMapping,
    /// Also read the userinfo endpoint (some providers put profile claims only there).
    #[serde(default = "default_true")]
    pub userinfo: bool,
    /// Accept an `http://` issuer and endpoints: only for local tests and demos on
    /// 127.0.0.1. Otherwise every provider URL must be https.
    #[serde(default)]
    pub allow_http_issuer: bool,
}

fn default_scopes() -> Vec<String> {
    vec!["openid".to_owned(), "profile".to_owned()]
}

fn default_true() -> bool {
    true
}

impl fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A reference (`env:NAME`) is printed; anything else is an inline secret that will
        // be refused, and must not reach a log on the way.
        let secret = self
            .client_secret
            .as_deref()
            .map(|s| match SecretRef::parse(s) {
                Ok(r) => format!("{r:?}"),
                Err(_) => "<inline value, refused>".to_owned(),
            });
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &secret)
            .field("scopes", &self.scopes)
            .field("acr_values", &self.acr_values)
            .field("claims", &self.claims)
            .field("userinfo", &self.userinfo)
            .field("allow_http_issuer", &self.allow_http_issuer)
            .finish()
    }
}

/// Which claim carries each eIDAS attribute. A claim is looked up in the userinfo answer
/// first, then in the ID token. Standard claims may carry a language tag
/// (`family_name#de`); any other name is read as a custom claim (string or number).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClaimMapping {
    /// Claim for `CurrentFamilyName`; default `family_name`.
    pub family_name: String,
    /// Claim for `CurrentGivenName`; default `given_name`.
    pub given_name: String,
    /// Claim for `DateOfBirth` (`YYYY-MM-DD`); default `birthdate`.
    pub date_of_birth: String,
    /// Claim for `PersonIdentifier`; none by default. When set, a sign-in without it fails.
    pub person_identifier: Option<String>,
}

impl Default for ClaimMapping {
    fn default() -> Self {
        Self {
            family_name: "family_name".to_owned(),
            given_name: "given_name".to_owned(),
            date_of_birth: "birthdate".to_owned(),
            person_identifier: None,
        }
    }
}
