//! OpenID Connect sign-in: authorisation code flow with PKCE (S256), a random `state`
//! (CSRF) and `nonce`, the ID token verified against the provider's published keys, and
//! the profile read from the ID token and, if configured, the userinfo endpoint.
//!
//! The provider is found by discovery (`{issuer}/.well-known/openid-configuration`) when
//! the adapter starts. Its signing keys are fetched then, and again (at most once a
//! minute) when an ID token is signed with a key the adapter does not know yet, so a key
//! rotation at the provider needs no restart.
//!
//! The checks discovery makes are in `checks`, reading claims in `claims`, and the
//! mapping of the library's errors in `errors`.

mod checks;
mod claims;
mod errors;

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
use openidconnect::{
    AccessToken, AccessTokenHash, AdditionalClaims, AuthType, AuthenticationContextClass,
    AuthorizationCode, ClaimsVerificationError, Client, ClientId, ClientSecret, CsrfToken,
    EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenClaims,
    IdTokenFields, IssuerUrl, JsonWebKeySet, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, SignatureVerificationError, StandardErrorResponse,
    StandardTokenResponse, TokenResponse, UserInfoClaims,
};
use serde::{Deserialize, Serialize};

use super::http::{DEFAULT_TIMEOUT, HttpClient};
use super::{
    AuthError, AuthenticatedPerson, Authenticator, PendingSignIn, SignIn, level_of_assurance,
    normalise_date_of_birth, sanitise_error_code,
};
pub use crate::config::oidc::{ClaimMapping, OidcSettings};
use checks::{check_provider, check_url, client_secret, mapped_claims};
use claims::{check_claim_name, claim, id_standard};
use errors::{discovery_error, id_token_error, token_error, userinfo_error};

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
        let client_secret = client_secret(settings)?;
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

        let allowed_algs = check_provider(&provider, settings)?;
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
