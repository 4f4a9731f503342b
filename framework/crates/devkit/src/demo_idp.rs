//! The identity provider of `oots-adapter demo`: a small OpenID provider on loopback, so
//! the preview's sign-in runs the real OpenID Connect flow (discovery, authorisation code
//! with PKCE, RS256 ID token, userinfo) without any service outside the demo.
//!
//! Its sign-in page lets the person state who they are (prefilled with the demo request's
//! subject; change a name to see the identity check refuse). Demo only: one public client,
//! a signing key shipped with the binary, everything in memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use openidconnect::core::{
    CoreIdToken, CoreIdTokenClaims, CoreJsonWebKeySet, CoreJwsSigningAlgorithm,
    CoreProviderMetadata, CoreResponseType, CoreRsaPrivateSigningKey, CoreSubjectIdentifierType,
};
use openidconnect::{
    AccessToken, Audience, AuthUrl, EmptyAdditionalClaims, EmptyAdditionalProviderMetadata,
    EndUserBirthday, EndUserFamilyName, EndUserGivenName, IssuerUrl, JsonWebKeyId,
    JsonWebKeySetUrl, LocalizedClaim, Nonce, PkceCodeChallenge, PkceCodeVerifier,
    PrivateSigningKey, ResponseTypes, StandardClaims, SubjectIdentifier, TokenUrl, UserInfoUrl,
};
use serde::Deserialize;
use serde_json::json;

use oots_edm::escape_attr;

/// A demo-only signing key: it proves nothing outside the demo.
const SIGNING_KEY: &str = include_str!("demo-idp-key.pem");
/// The one client the demo provider knows (public: PKCE, no secret).
pub const CLIENT_ID: &str = "oots-demo";

/// Who signs in.
#[derive(Debug, Clone, Deserialize)]
pub struct Person {
    /// Family name, as the ID token's `family_name` claim.
    pub family_name: String,
    /// Given name, as the ID token's `given_name` claim.
    pub given_name: String,
    /// `YYYY-MM-DD`.
    pub birthdate: String,
}

struct Grant {
    challenge: String,
    nonce: String,
    person: Person,
}

struct Provider {
    issuer: String,
    callback: String,
    default: Person,
    key: CoreRsaPrivateSigningKey,
    grants: Mutex<HashMap<String, Grant>>,
    tokens: Mutex<HashMap<String, (String, Person)>>,
}

type Shared = Arc<Provider>;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// 32 random bytes in hex: authorization codes, access tokens and subjects that
/// cannot be guessed (as the adapter's own preview tokens).
fn secret_token() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Starts the provider on loopback; `callback` is the only redirect URI it accepts.
/// Returns its issuer URL.
pub async fn start(callback: String, default: Person) -> Result<String, String> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| e.to_string())?;
    let issuer = format!(
        "http://127.0.0.1:{}",
        listener.local_addr().map_err(|e| e.to_string())?.port()
    );
    let key =
        CoreRsaPrivateSigningKey::from_pem(SIGNING_KEY, Some(JsonWebKeyId::new("demo".to_owned())))
            .map_err(|e| format!("demo signing key: {e}"))?;
    let state = Arc::new(Provider {
        issuer: issuer.clone(),
        callback,
        default,
        key,
        grants: Mutex::default(),
        tokens: Mutex::default(),
    });
    let app = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(jwks))
        .route("/authorize", get(sign_in_page).post(signed_in))
        .route("/token", axum::routing::post(token))
        .route("/userinfo", get(userinfo))
        .with_state(state);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(issuer)
}

fn url<T>(make: fn(String) -> Result<T, openidconnect::url::ParseError>, s: String) -> Option<T> {
    make(s).ok()
}

async fn discovery(State(p): State<Shared>) -> Response {
    let i = &p.issuer;
    let (Some(issuer), Some(auth), Some(jwks), Some(token), Some(userinfo)) = (
        url(IssuerUrl::new, i.clone()),
        url(AuthUrl::new, format!("{i}/authorize")),
        url(JsonWebKeySetUrl::new, format!("{i}/jwks")),
        url(TokenUrl::new, format!("{i}/token")),
        url(UserInfoUrl::new, format!("{i}/userinfo")),
    ) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let metadata = CoreProviderMetadata::new(
        issuer,
        auth,
        jwks,
        vec![ResponseTypes::new(vec![CoreResponseType::Code])],
        vec![CoreSubjectIdentifierType::Public],
        vec![CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256],
        EmptyAdditionalProviderMetadata {},
    )
    .set_token_endpoint(Some(token))
    .set_userinfo_endpoint(Some(userinfo));
    Json(metadata).into_response()
}

async fn jwks(State(p): State<Shared>) -> Response {
    Json(CoreJsonWebKeySet::new(vec![p.key.as_verification_key()])).into_response()
}

/// The authorisation request, as the sign-in page carries it on.
#[derive(Debug, Deserialize)]
struct Authorize {
    client_id: String,
    redirect_uri: String,
    state: String,
    nonce: String,
    code_challenge: String,
    code_challenge_method: String,
}

impl Authorize {
    fn acceptable(&self, p: &Provider) -> bool {
        self.client_id == CLIENT_ID
            && self.redirect_uri == p.callback
            && self.code_challenge_method == "S256"
            && !self.code_challenge.is_empty()
    }
}

async fn sign_in_page(State(p): State<Shared>, Query(q): Query<Authorize>) -> Response {
    if !q.acceptable(&p) {
        return (StatusCode::BAD_REQUEST, "invalid authorisation request").into_response();
    }
    let hidden = |n: &str, v: &str| {
        format!(
            "<input type=\"hidden\" name=\"{n}\" value=\"{}\">",
            escape_attr(v)
        )
    };
    let field = |n: &str, label: &str, v: &str| {
        format!(
            "<p><label for=\"{n}\">{label}</label><br><input id=\"{n}\" name=\"{n}\" value=\"{}\" required></p>",
            escape_attr(v)
        )
    };
    let d = &p.default;
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Demo identity provider</title></head>\
         <body><main><h1>Demo identity provider</h1>\
         <p>Sign in as the person the evidence is about. Change a name to see the preview refuse somebody else.</p>\
         <form method=\"post\" action=\"/authorize\">{}{}{}{}{}{}{}{}{}\
         <p><button type=\"submit\">Sign in</button></p></form></main></body></html>",
        hidden("client_id", &q.client_id),
        hidden("redirect_uri", &q.redirect_uri),
        hidden("state", &q.state),
        hidden("nonce", &q.nonce),
        hidden("code_challenge", &q.code_challenge),
        hidden("code_challenge_method", &q.code_challenge_method),
        field("family_name", "Family name", &d.family_name),
        field("given_name", "Given name", &d.given_name),
        field("birthdate", "Date of birth (YYYY-MM-DD)", &d.birthdate),
    ))
    .into_response()
}

/// The sign-in form, posted.
#[derive(Debug, Deserialize)]
struct SignedIn {
    #[serde(flatten)]
    request: Authorize,
    #[serde(flatten)]
    person: Person,
}

async fn signed_in(State(p): State<Shared>, Form(f): Form<SignedIn>) -> Response {
    if !f.request.acceptable(&p) {
        return (StatusCode::BAD_REQUEST, "invalid authorisation request").into_response();
    }
    let code = secret_token();
    lock(&p.grants).insert(
        code.clone(),
        Grant {
            challenge: f.request.code_challenge.clone(),
            nonce: f.request.nonce.clone(),
            person: f.person,
        },
    );
    let Ok(mut target) = openidconnect::url::Url::parse(&f.request.redirect_uri) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    target
        .query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &f.request.state)
        .append_pair("iss", &p.issuer);
    Redirect::to(target.as_str()).into_response()
}

fn oauth_error(error: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": error }))).into_response()
}

async fn token(State(p): State<Shared>, Form(form): Form<HashMap<String, String>>) -> Response {
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    if field("grant_type") != "authorization_code" || field("redirect_uri") != p.callback {
        return oauth_error("invalid_request");
    }
    let Some(grant) = lock(&p.grants).remove(field("code")) else {
        return oauth_error("invalid_grant");
    };
    let verifier = PkceCodeVerifier::new(field("code_verifier").to_owned());
    if PkceCodeChallenge::from_code_verifier_sha256(&verifier).as_str() != grant.challenge {
        return oauth_error("invalid_grant");
    }
    let subject = format!("demo-{}", &secret_token()[..12]);
    let access = secret_token();
    let now = chrono::Utc::now();
    let person = &grant.person;
    let standard = StandardClaims::new(SubjectIdentifier::new(subject.clone()))
        .set_family_name(Some(LocalizedClaim::from(EndUserFamilyName::new(
            person.family_name.clone(),
        ))))
        .set_given_name(Some(LocalizedClaim::from(EndUserGivenName::new(
            person.given_name.clone(),
        ))))
        .set_birthdate(Some(EndUserBirthday::new(person.birthdate.clone())));
    let Ok(issuer) = IssuerUrl::new(p.issuer.clone()) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let claims = CoreIdTokenClaims::new(
        issuer,
        vec![Audience::new(CLIENT_ID.to_owned())],
        now + chrono::Duration::minutes(5),
        now,
        standard,
        EmptyAdditionalClaims {},
    )
    .set_nonce(Some(Nonce::new(grant.nonce.clone())))
    // A demo eID at level High, so a mapping's `policy.min_level_of_assurance` (every
    // shipped mapping states one) is reached in the demo's preview sign-in.
    .set_auth_context_ref(Some(openidconnect::AuthenticationContextClass::new(
        "http://eidas.europa.eu/LoA/high".to_owned(),
    )));
    let Ok(id_token) = CoreIdToken::new(
        claims,
        &p.key,
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        Some(&AccessToken::new(access.clone())),
        None,
    ) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    lock(&p.tokens).insert(access.clone(), (subject, grant.person));
    Json(json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token.to_string(),
    }))
    .into_response()
}

async fn userinfo(State(p): State<Shared>, headers: HeaderMap) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    match lock(&p.tokens).get(bearer) {
        Some((sub, person)) => Json(json!({
            "sub": sub,
            "family_name": person.family_name,
            "given_name": person.given_name,
            "birthdate": person.birthdate,
        }))
        .into_response(),
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}
