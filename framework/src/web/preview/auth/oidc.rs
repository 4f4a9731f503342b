//! OpenID Connect sign-in: authorisation code flow with PKCE (S256), a random `state`
//! (CSRF) and `nonce`, the ID token verified against the provider's published keys, and
//! the profile read from the ID token and, if configured, the userinfo endpoint.
//!
//! The provider is found by discovery (`{issuer}/.well-known/openid-configuration`) when
//! the adapter starts. Its signing keys are fetched then, and again (at most once a
//! minute) when an ID token is signed with a key the adapter does not know yet, so a key
//! rotation at the provider needs no restart.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreClientAuthMethod,
    CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::url::Url;
use openidconnect::{
    AccessToken, AccessTokenHash, AdditionalClaims, AuthType, AuthenticationContextClass,
    AuthorizationCode, ClaimsVerificationError, Client, ClientId, ClientSecret, CsrfToken,
    DiscoveryError, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet,
    IdTokenClaims, IdTokenFields, IssuerUrl, JsonWebKeySet, LanguageTag, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError,
    Scope, SignatureVerificationError, StandardClaims, StandardErrorResponse,
    StandardTokenResponse, TokenResponse, UserInfoClaims, UserInfoError,
};
use serde::{Deserialize, Serialize};

use super::http::{DEFAULT_TIMEOUT, HttpClient, HttpError};
use super::{
    AuthError, AuthenticatedPerson, Authenticator, PendingSignIn, SignIn, level_of_assurance,
    normalise_date_of_birth, sanitise_error_code,
};
pub use crate::config::oidc::{ClaimMapping, OidcSettings};
use crate::secret::SecretRef;

/// The shortest interval between two fetches of the provider's key set triggered by an
/// unknown signing key (a forged token must not make the adapter hammer the provider).
const JWKS_REFRESH_INTERVAL: Duration = Duration::from_secs(60);

/// Claims beyond the standard ones, kept as JSON values; `Debug` prints only their names.
#[derive(Clone, Default, Serialize, Deserialize)]
struct ExtraClaims {
    #[serde(flatten)]
    values: serde_json::Map<String, serde_json::Value>,
}

impl AdditionalClaims for ExtraClaims {}

impl fmt::Debug for ExtraClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.values.keys()).finish()
    }
}

type OidcTokenResponse = StandardTokenResponse<
    IdTokenFields<
        ExtraClaims,
        EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    CoreTokenType,
>;

type OidcClient = Client<
    ExtraClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    OidcTokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

type OidcIdTokenClaims = IdTokenClaims<ExtraClaims, CoreGenderClaim>;
type OidcUserInfoClaims = UserInfoClaims<ExtraClaims, CoreGenderClaim>;

/// Signs the citizen in with an OpenID Connect provider.
pub struct OidcAuthenticator {
    issuer: String,
    client_id: ClientId,
    client_secret: Option<ClientSecret>,
    auth_type: AuthType,
    scopes: Vec<Scope>,
    acr_values: Vec<AuthenticationContextClass>,
    claims: ClaimMapping,
    userinfo: bool,
    allowed_algs: Vec<CoreJwsSigningAlgorithm>,
    http: HttpClient,
    provider: CoreProviderMetadata,
    client: RwLock<Arc<OidcClient>>,
    last_jwks_refresh: Mutex<Option<Instant>>,
}

impl fmt::Debug for OidcAuthenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcAuthenticator")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id.as_str())
            .field("confidential", &self.client_secret.is_some())
            .field("userinfo", &self.userinfo)
            .finish_non_exhaustive()
    }
}

impl OidcAuthenticator {
    /// Checks the settings, resolves the client secret, and reads the provider's discovery
    /// document and key set.
    pub async fn discover(settings: &OidcSettings) -> Result<OidcAuthenticator, AuthError> {
        check_url("issuer", &settings.issuer, settings.allow_http_issuer)?;
        if settings.client_id.trim().is_empty() {
            return Err(AuthError::Config("client_id is empty".into()));
        }
        let client_secret = match &settings.client_secret {
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
        };
        for name in mapped_claims(&settings.claims) {
            check_claim_name(name)?;
        }
        let acr_values = settings
            .acr_values
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .map(|v| AuthenticationContextClass::new(v.to_owned()))
            .collect();
        let scopes = settings
            .scopes
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty() && *s != "openid")
            .map(|s| Scope::new(s.to_owned()))
            .collect();

        let issuer = IssuerUrl::new(settings.issuer.clone())
            .map_err(|e| AuthError::Config(format!("issuer: {e}")))?;
        let http = HttpClient::new(DEFAULT_TIMEOUT)?;
        let provider = CoreProviderMetadata::discover_async(issuer, &http)
            .await
            .map_err(discovery_error)?;

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
        let auth_type = client_auth_type(provider.token_endpoint_auth_methods_supported());

        let client_id = ClientId::new(settings.client_id.clone());
        let client = build_client(
            provider.clone(),
            client_id.clone(),
            client_secret.clone(),
            auth_type.clone(),
        );
        Ok(OidcAuthenticator {
            issuer: settings.issuer.clone(),
            client_id,
            client_secret,
            auth_type,
            scopes,
            acr_values,
            claims: settings.claims.clone(),
            userinfo: settings.userinfo,
            allowed_algs,
            http,
            provider,
            client: RwLock::new(Arc::new(client)),
            last_jwks_refresh: Mutex::new(None),
        })
    }

    fn build(&self, provider: CoreProviderMetadata) -> OidcClient {
        build_client(
            provider,
            self.client_id.clone(),
            self.client_secret.clone(),
            self.auth_type.clone(),
        )
    }

    fn client(&self) -> Arc<OidcClient> {
        self.client
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Fetches the provider's key set again, unless that was done less than
    /// [`JWKS_REFRESH_INTERVAL`] ago; returns the client with the new keys.
    async fn refresh_jwks(&self) -> Result<Option<Arc<OidcClient>>, AuthError> {
        {
            let mut last = self
                .last_jwks_refresh
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if last.is_some_and(|t| t.elapsed() < JWKS_REFRESH_INTERVAL) {
                return Ok(None);
            }
            *last = Some(Instant::now());
        }
        let jwks = JsonWebKeySet::fetch_async(self.provider.jwks_uri(), &self.http)
            .await
            .map_err(discovery_error)?;
        let client = Arc::new(self.build(self.provider.clone().set_jwks(jwks)));
        *self.client.write().unwrap_or_else(|e| e.into_inner()) = client.clone();
        tracing::info!(issuer = %self.issuer, "identity provider keys refreshed");
        Ok(Some(client))
    }

    /// Verifies the ID token (signature, issuer, audience, expiry, nonce) and the access
    /// token hash when the token carries one.
    fn verify<'t>(
        &self,
        client: &OidcClient,
        response: &'t OidcTokenResponse,
        nonce: &Nonce,
    ) -> Result<&'t OidcIdTokenClaims, ClaimsVerificationError> {
        let id_token = response.id_token().ok_or_else(|| {
            ClaimsVerificationError::Other("the token answer has no ID token".into())
        })?;
        let verifier = client
            .id_token_verifier()
            .set_allowed_algs(self.allowed_algs.iter().cloned());
        let claims = id_token.claims(&verifier, nonce)?;
        if let Some(expected) = claims.access_token_hash() {
            let alg = id_token
                .signing_alg()
                .map_err(ClaimsVerificationError::SignatureVerification)?;
            let key = id_token
                .signing_key(&verifier)
                .map_err(ClaimsVerificationError::SignatureVerification)?;
            let actual = AccessTokenHash::from_token(response.access_token(), alg, key)
                .map_err(|_| ClaimsVerificationError::Other("at_hash cannot be computed".into()))?;
            if actual != *expected {
                return Err(ClaimsVerificationError::Other(
                    "at_hash does not match the access token".into(),
                ));
            }
        }
        Ok(claims)
    }

    async fn user_info(
        &self,
        client: &OidcClient,
        access_token: &AccessToken,
        id_claims: &OidcIdTokenClaims,
    ) -> Result<OidcUserInfoClaims, AuthError> {
        client
            .user_info(access_token.clone(), Some(id_claims.subject().clone()))
            .map_err(|e| AuthError::Config(e.to_string()))?
            .request_async(&self.http)
            .await
            .map_err(userinfo_error)
    }

    fn person(
        &self,
        id_claims: &OidcIdTokenClaims,
        userinfo: Option<&OidcUserInfoClaims>,
    ) -> Result<AuthenticatedPerson, AuthError> {
        let lookup = |name: &str| -> Result<Option<String>, AuthError> {
            if let Some(u) = userinfo
                && let Some(v) = claim(u.standard_claims(), u.additional_claims(), name)?
            {
                return Ok(Some(v));
            }
            claim(id_standard(id_claims), id_claims.additional_claims(), name)
        };
        let person_identifier = match &self.claims.person_identifier {
            None => None,
            Some(name) => Some(
                lookup(name)?
                    .ok_or_else(|| AuthError::Claims(format!("claim `{name}` is missing")))?,
            ),
        };
        Ok(AuthenticatedPerson {
            family_name: lookup(&self.claims.family_name)?,
            given_name: lookup(&self.claims.given_name)?,
            date_of_birth: lookup(&self.claims.date_of_birth)?
                .as_deref()
                .and_then(normalise_date_of_birth),
            person_identifier,
            level_of_assurance: id_claims
                .auth_context_ref()
                .map(|acr| level_of_assurance(acr.as_str())),
            subject: id_claims.subject().as_str().to_owned(),
        })
    }
}

#[async_trait::async_trait]
impl Authenticator for OidcAuthenticator {
    fn kind(&self) -> &'static str {
        "oidc"
    }

    async fn begin(&self, callback_url: &str) -> Result<SignIn, AuthError> {
        let redirect = RedirectUrl::new(callback_url.to_owned())
            .map_err(|e| AuthError::Config(format!("callback URL: {e}")))?;
        let client = self.client();
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_redirect_uri(Cow::Owned(redirect))
            .set_pkce_challenge(challenge)
            .add_scopes(self.scopes.iter().cloned());
        for acr in &self.acr_values {
            request = request.add_auth_context_value(acr.clone());
        }
        let (url, state, nonce) = request.url();
        Ok(SignIn {
            redirect_url: url.to_string(),
            pending: PendingSignIn {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
                callback_url: callback_url.to_owned(),
            },
        })
    }

    async fn finish(
        &self,
        pending: &PendingSignIn,
        callback_url: &str,
        query: &BTreeMap<String, String>,
    ) -> Result<AuthenticatedPerson, AuthError> {
        if callback_url != pending.callback_url {
            return Err(AuthError::Config(
                "the callback URL differs from the one the sign-in was started with".into(),
            ));
        }
        let state = query.get("state").map(String::as_str).unwrap_or("");
        if !pending.state_matches(state) {
            return Err(AuthError::StateMismatch);
        }
        // RFC 9207: a provider that names itself must be the one the sign-in went to.
        if query.get("iss").is_some_and(|iss| *iss != self.issuer) {
            return Err(AuthError::StateMismatch);
        }
        if let Some(error) = query.get("error") {
            return Err(AuthError::ProviderError {
                code: sanitise_error_code(error),
            });
        }
        let code = query
            .get("code")
            .filter(|c| !c.is_empty())
            .ok_or_else(|| AuthError::Token("the callback carries no code".into()))?;

        let redirect = RedirectUrl::new(pending.callback_url.clone())
            .map_err(|e| AuthError::Config(format!("callback URL: {e}")))?;
        let mut client = self.client();
        let response = client
            .exchange_code(AuthorizationCode::new(code.clone()))
            .map_err(|e| AuthError::Config(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .set_redirect_uri(Cow::Owned(redirect))
            .request_async(&self.http)
            .await
            .map_err(token_error)?;
        if response.id_token().is_none() {
            return Err(AuthError::Token("the token answer has no ID token".into()));
        }

        let nonce = Nonce::new(pending.nonce.clone());
        let id_claims = match self.verify(&client, &response, &nonce) {
            Ok(claims) => claims,
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => match self.refresh_jwks().await? {
                Some(fresh) => {
                    client = fresh;
                    self.verify(&client, &response, &nonce)
                        .map_err(id_token_error)?
                }
                None => {
                    return Err(id_token_error(
                        ClaimsVerificationError::SignatureVerification(
                            SignatureVerificationError::NoMatchingKey,
                        ),
                    ));
                }
            },
            Err(e) => return Err(id_token_error(e)),
        };

        let userinfo = if self.userinfo {
            Some(
                self.user_info(&client, response.access_token(), id_claims)
                    .await?,
            )
        } else {
            None
        };
        self.person(id_claims, userinfo.as_ref())
    }
}

fn build_client(
    provider: CoreProviderMetadata,
    client_id: ClientId,
    client_secret: Option<ClientSecret>,
    auth_type: AuthType,
) -> OidcClient {
    OidcClient::from_provider_metadata(provider, client_id, client_secret).set_auth_type(auth_type)
}

/// `client_secret_basic` unless the provider supports only `client_secret_post`.
fn client_auth_type(supported: Option<&Vec<CoreClientAuthMethod>>) -> AuthType {
    match supported {
        Some(methods)
            if !methods.contains(&CoreClientAuthMethod::ClientSecretBasic)
                && methods.contains(&CoreClientAuthMethod::ClientSecretPost) =>
        {
            AuthType::RequestBody
        }
        _ => AuthType::BasicAuth,
    }
}

/// A provider URL must be absolute, and https unless `allow_http`.
fn check_url(what: &str, value: &str, allow_http: bool) -> Result<(), AuthError> {
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

fn mapped_claims(mapping: &ClaimMapping) -> impl Iterator<Item = &str> {
    [
        Some(mapping.family_name.as_str()),
        Some(mapping.given_name.as_str()),
        Some(mapping.date_of_birth.as_str()),
        mapping.person_identifier.as_deref(),
    ]
    .into_iter()
    .flatten()
}

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

fn check_claim_name(name: &str) -> Result<(), AuthError> {
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

fn split_tag(name: &str) -> (&str, Option<&str>) {
    match name.split_once('#') {
        Some((base, tag)) => (base, Some(tag)),
        None => (name, None),
    }
}

/// The standard claims of an ID token, as the view userinfo also offers.
fn id_standard(claims: &OidcIdTokenClaims) -> StandardClaimsView<'_> {
    StandardClaimsView::IdToken(claims)
}

/// One source's standard claims: the ID token's or the userinfo answer's.
enum StandardClaimsView<'a> {
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
    fn get(&self, base: &str, tag: Option<&LanguageTag>) -> Option<String> {
        match self {
            StandardClaimsView::IdToken(c) => standard_claim!(c, base, tag),
            StandardClaimsView::UserInfo(c) => standard_claim!(c, base, tag),
        }
    }
}

/// Reads the claim `name` from one source: typed for standard claims, as a JSON value
/// (string or number) for others. `Ok(None)` when absent or empty.
fn claim<'a>(
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

fn discovery_error(e: DiscoveryError<HttpError>) -> AuthError {
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

fn token_error(
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

fn userinfo_error(e: UserInfoError<HttpError>) -> AuthError {
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
fn id_token_error(e: ClaimsVerificationError) -> AuthError {
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
