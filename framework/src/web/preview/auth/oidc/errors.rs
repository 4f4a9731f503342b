//! The provider's and the library's errors as [`AuthError`]s: stable kinds, bounded and
//! sanitised messages, never a claim value.

use openidconnect::core::CoreErrorResponseType;
use openidconnect::{
    ClaimsVerificationError, DiscoveryError, RequestTokenError, SignatureVerificationError,
    StandardErrorResponse, UserInfoError,
};

use super::super::http::HttpError;
use super::super::{AuthError, sanitise_error_code};

/// A failed discovery.
pub(super) fn discovery_error(e: DiscoveryError<HttpError>) -> AuthError {
    match e {
        DiscoveryError::Request(e) => AuthError::Http(e.to_string()),
        DiscoveryError::Response(_, _, msg) => AuthError::Discovery(msg),
        DiscoveryError::Parse(e) => {
            AuthError::Discovery(format!("document malformed at `{}`", e.path()))
        }
        DiscoveryError::UrlParse(e) => AuthError::Config(format!("issuer: {e}")),
        DiscoveryError::Validation(msg) | DiscoveryError::Other(msg) => AuthError::Discovery(msg),
        other => AuthError::Discovery(other.to_string()),
    }
}

/// A failed code exchange; the provider's description is cut to 200 characters.
pub(super) fn token_error(
    e: RequestTokenError<HttpError, StandardErrorResponse<CoreErrorResponseType>>,
) -> AuthError {
    match e {
        RequestTokenError::ServerResponse(r) => {
            let description: String = r
                .error_description()
                .map(|d| d.chars().take(200).collect())
                .unwrap_or_default();
            AuthError::Token(format!(
                "the provider answered `{}`{}{}",
                sanitise_error_code(r.error().as_ref()),
                if description.is_empty() { "" } else { ": " },
                description
            ))
        }
        RequestTokenError::Request(e) => AuthError::Http(e.to_string()),
        RequestTokenError::Parse(e, _) => {
            AuthError::Token(format!("the answer is malformed at `{}`", e.path()))
        }
        RequestTokenError::Other(msg) => AuthError::Token(msg),
    }
}

/// A failed userinfo request.
pub(super) fn userinfo_error(e: UserInfoError<HttpError>) -> AuthError {
    match e {
        UserInfoError::ClaimsVerification(e) => id_token_error(e),
        UserInfoError::Parse(e) => {
            AuthError::Claims(format!("userinfo answer malformed at `{}`", e.path()))
        }
        UserInfoError::Request(e) => AuthError::Http(e.to_string()),
        UserInfoError::Response(status, _, msg) => {
            AuthError::Token(format!("userinfo endpoint: {msg} ({status})"))
        }
        UserInfoError::Other(msg) => AuthError::Token(format!("userinfo: {msg}")),
        other => AuthError::Token(format!("userinfo: {other}")),
    }
}

/// Names what failed without echoing claim values (the library's messages for subject
/// and audience mismatches quote them).
pub(super) fn id_token_error(e: ClaimsVerificationError) -> AuthError {
    let what = match &e {
        ClaimsVerificationError::Expired(_) => "expired".to_owned(),
        ClaimsVerificationError::InvalidAudience(_) => "not issued to this client".to_owned(),
        ClaimsVerificationError::InvalidAuthContext(_) => "acr refused".to_owned(),
        ClaimsVerificationError::InvalidAuthTime(_) => "auth_time refused".to_owned(),
        ClaimsVerificationError::InvalidIssuer(_) => "wrong issuer".to_owned(),
        ClaimsVerificationError::InvalidNonce(_) => "nonce does not match".to_owned(),
        ClaimsVerificationError::InvalidSubject(_) => {
            "the userinfo subject differs from the ID token's".to_owned()
        }
        ClaimsVerificationError::SignatureVerification(s) => match s {
            SignatureVerificationError::NoMatchingKey => {
                "signed with a key the provider does not publish".to_owned()
            }
            SignatureVerificationError::NoSignature => "unsigned".to_owned(),
            SignatureVerificationError::DisallowedAlg(a)
            | SignatureVerificationError::UnsupportedAlg(a) => {
                format!("signature algorithm `{a}` not accepted")
            }
            _ => "invalid signature".to_owned(),
        },
        ClaimsVerificationError::Unsupported(m) => format!("unsupported: {m}"),
        ClaimsVerificationError::Other(m) => m.clone(),
        _ => "verification failed".to_owned(),
    };
    AuthError::IdToken(what)
}
