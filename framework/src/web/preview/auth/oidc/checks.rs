//! The checks OpenID Connect discovery makes before the adapter trusts a provider: its
//! URLs (absolute, https), the client secret (resolvable, not empty) and the provider's
//! discovery document (https endpoints, a token endpoint, a userinfo endpoint when
//! configured, a usable ID token signing algorithm). Kept together so a reviewer sees
//! the checks in one place; claim names are checked in [`super::claims`].

use openidconnect::ClientSecret;
use openidconnect::core::{CoreJwsSigningAlgorithm, CoreProviderMetadata};
use openidconnect::url::Url;

use super::super::AuthError;
use super::{ClaimMapping, OidcSettings};
use crate::secret::SecretRef;

/// The client secret the settings refer to, resolved; `None` for a public client. An
/// empty secret is refused.
pub(super) fn client_secret(settings: &OidcSettings) -> Result<Option<ClientSecret>, AuthError> {
    Ok(match &settings.client_secret {
        None => None,
        Some(reference) => {
            let secret = SecretRef::parse(reference)
                .and_then(|r| r.resolve())
                .map_err(|e| AuthError::Config(format!("client_secret: {e}")))?;
            if secret.is_empty() {
                return Err(AuthError::Config("client_secret is empty".into()));
            }
            Some(ClientSecret::new(secret.expose().to_owned()))
        }
    })
}

/// The provider's endpoints must be absolute and https (unless `allow_http_issuer`),
/// its token endpoint and (when used) userinfo endpoint present; returns the ID token
/// signing algorithms accepted (`none` never is).
pub(super) fn check_provider(
    provider: &CoreProviderMetadata,
    settings: &OidcSettings,
) -> Result<Vec<CoreJwsSigningAlgorithm>, AuthError> {
    let allow_http = settings.allow_http_issuer;
    check_url(
        "authorization_endpoint",
        provider.authorization_endpoint().as_str(),
        allow_http,
    )?;
    check_url("jwks_uri", provider.jwks_uri().as_str(), allow_http)?;
    match provider.token_endpoint() {
        Some(url) => check_url("token_endpoint", url.as_str(), allow_http)?,
        None => {
            return Err(AuthError::Discovery(
                "the provider has no token_endpoint".into(),
            ));
        }
    }
    if settings.userinfo {
        match provider.userinfo_endpoint() {
            Some(url) => check_url("userinfo_endpoint", url.as_str(), allow_http)?,
            None => {
                return Err(AuthError::Config(
                    "the provider has no userinfo_endpoint; set `userinfo: false`".into(),
                ));
            }
        }
    }
    let allowed_algs: Vec<CoreJwsSigningAlgorithm> = provider
        .id_token_signing_alg_values_supported()
        .iter()
        .filter(|a| **a != CoreJwsSigningAlgorithm::None)
        .cloned()
        .collect();
    if allowed_algs.is_empty() {
        return Err(AuthError::Discovery(
            "the provider signs ID tokens with no usable algorithm".into(),
        ));
    }
    Ok(allowed_algs)
}

/// A provider URL must be absolute, and https unless `allow_http`.
pub(super) fn check_url(what: &str, value: &str, allow_http: bool) -> Result<(), AuthError> {
    let url = Url::parse(value).map_err(|e| AuthError::Config(format!("{what}: {e}")))?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if allow_http => {
            tracing::warn!(
                what,
                "identity provider reached over plain http (allow_http_issuer)"
            );
            Ok(())
        }
        "http" => Err(AuthError::Config(format!(
            "{what} must be https (allow_http_issuer is for local tests only)"
        ))),
        other => Err(AuthError::Config(format!(
            "{what}: unsupported scheme `{other}`"
        ))),
    }
}

/// The claim names the mapping reads.
pub(super) fn mapped_claims(mapping: &ClaimMapping) -> impl Iterator<Item = &str> {
    [
        Some(mapping.family_name.as_str()),
        Some(mapping.given_name.as_str()),
        Some(mapping.date_of_birth.as_str()),
        mapping.person_identifier.as_deref(),
    ]
    .into_iter()
    .flatten()
}
