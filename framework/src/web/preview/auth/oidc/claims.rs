//! Reading the mapped claims from an ID token or a userinfo answer: standard claims
//! through the library's typed accessors (with language tags), others as JSON text or
//! numbers; and which claim names can be mapped at all.

use openidconnect::LanguageTag;
use openidconnect::StandardClaims;
use openidconnect::core::CoreGenderClaim;

use super::super::AuthError;
use super::{ExtraClaims, OidcIdTokenClaims};

/// Standard claims that may carry a language tag (`family_name#de`).
const LOCALISED: &[&str] = &[
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
];
/// Standard claims the mapping can read (besides [`LOCALISED`]).
const PLAIN: &[&str] = &[
    "sub",
    "preferred_username",
    "email",
    "birthdate",
    "phone_number",
];
/// Standard claims the library types as something else than text: they cannot be mapped.
const UNMAPPABLE: &[&str] = &[
    "profile",
    "picture",
    "website",
    "email_verified",
    "gender",
    "birthday",
    "zoneinfo",
    "locale",
    "phone_number_verified",
    "address",
    "updated_at",
];

/// A claim name must be non-empty and name a claim that holds text.
pub(super) fn check_claim_name(name: &str) -> Result<(), AuthError> {
    if name.trim().is_empty() {
        return Err(AuthError::Config("a claim mapping is empty".into()));
    }
    if UNMAPPABLE.contains(&split_tag(name).0) {
        return Err(AuthError::Config(format!(
            "claim `{name}` cannot be mapped to a text attribute"
        )));
    }
    Ok(())
}

/// `family_name#de` → (`family_name`, `de`).
fn split_tag(name: &str) -> (&str, Option<&str>) {
    match name.split_once('#') {
        Some((base, tag)) => (base, Some(tag)),
        None => (name, None),
    }
}

/// The standard claims of an ID token, as the view userinfo also offers.
pub(super) fn id_standard(claims: &OidcIdTokenClaims) -> StandardClaimsView<'_> {
    StandardClaimsView::IdToken(claims)
}

/// One source's standard claims: the ID token's or the userinfo answer's.
pub(super) enum StandardClaimsView<'a> {
    IdToken(&'a OidcIdTokenClaims),
    UserInfo(&'a StandardClaims<CoreGenderClaim>),
}

impl<'a> From<&'a StandardClaims<CoreGenderClaim>> for StandardClaimsView<'a> {
    fn from(claims: &'a StandardClaims<CoreGenderClaim>) -> Self {
        StandardClaimsView::UserInfo(claims)
    }
}

macro_rules! standard_claim {
    ($claims:expr, $base:expr, $tag:expr) => {{
        let c = $claims;
        match $base {
            "name" => c
                .name()
                .and_then(|l| l.get($tag))
                .map(|v| v.as_str().to_owned()),
            "given_name" => c
                .given_name()
                .and_then(|l| l.get($tag))
                .map(|v| v.as_str().to_owned()),
            "family_name" => c
                .family_name()
                .and_then(|l| l.get($tag))
                .map(|v| v.as_str().to_owned()),
            "middle_name" => c
                .middle_name()
                .and_then(|l| l.get($tag))
                .map(|v| v.as_str().to_owned()),
            "nickname" => c
                .nickname()
                .and_then(|l| l.get($tag))
                .map(|v| v.as_str().to_owned()),
            "sub" => Some(c.subject().as_str().to_owned()),
            "preferred_username" => c.preferred_username().map(|v| v.as_str().to_owned()),
            "email" => c.email().map(|v| v.as_str().to_owned()),
            "birthdate" => c.birthdate().map(|v| v.as_str().to_owned()),
            "phone_number" => c.phone_number().map(|v| v.as_str().to_owned()),
            _ => None,
        }
    }};
}

impl StandardClaimsView<'_> {
    /// The standard claim `base` in language `tag`.
    fn get(&self, base: &str, tag: Option<&LanguageTag>) -> Option<String> {
        match self {
            StandardClaimsView::IdToken(c) => standard_claim!(c, base, tag),
            StandardClaimsView::UserInfo(c) => standard_claim!(c, base, tag),
        }
    }
}

/// Reads the claim `name` from one source: typed for standard claims, as a JSON value
/// (string or number) for others. `Ok(None)` when absent or empty.
pub(super) fn claim<'a>(
    standard: impl Into<StandardClaimsView<'a>>,
    extra: &ExtraClaims,
    name: &str,
) -> Result<Option<String>, AuthError> {
    let (base, tag) = split_tag(name);
    let value = if LOCALISED.contains(&base) || (tag.is_none() && PLAIN.contains(&base)) {
        let tag = tag.map(|t| LanguageTag::new(t.to_owned()));
        standard.into().get(base, tag.as_ref())
    } else {
        match extra.values.get(name) {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            Some(_) => {
                return Err(AuthError::Claims(format!(
                    "claim `{name}` is neither text nor a number"
                )));
            }
        }
    };
    Ok(value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()))
}
