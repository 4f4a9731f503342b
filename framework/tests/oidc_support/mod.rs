//! An in-process OpenID provider on 127.0.0.1 for the sign-in tests: discovery, key set,
//! an authorisation endpoint that answers at once (the user is always signed in), a token
//! endpoint that checks client authentication and PKCE and mints RS256 ID tokens, and
//! userinfo. Knobs make it misbehave, or sign in another person.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine;
use oots_framework::web::preview::auth::{ClaimMapping, OidcSettings};
use openidconnect::core::{
    CoreGenderClaim, CoreJsonWebKeySet, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreProviderMetadata, CoreResponseType, CoreRsaPrivateSigningKey, CoreSubjectIdentifierType,
};
use openidconnect::{
    AccessToken, AdditionalClaims, Audience, AuthUrl, AuthenticationContextClass,
    EmptyAdditionalProviderMetadata, EndUserBirthday, EndUserFamilyName, EndUserGivenName, IdToken,
    IdTokenClaims, IssuerUrl, JsonWebKeyId, JsonWebKeySetUrl, LocalizedClaim, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, PrivateSigningKey, ResponseTypes, StandardClaims,
    SubjectIdentifier, TokenUrl, UserInfoUrl,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub const SIGNING_KEY: &str = include_str!("../fixtures/oidc/signing-key.pem");
pub const ROTATED_KEY: &str = include_str!("../fixtures/oidc/rotated-key.pem");
pub const CLIENT_ID: &str = "oots-adapter";
pub const CLIENT_SECRET: &str = "s3cr3t-client-value";
pub const SUBJECT: &str = "248289761001-subject";
pub const CALLBACK: &str = "http://127.0.0.1:9/oots/preview/callback";

/// Custom claims of the test provider's tokens (e.g. `national_id`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct TestClaims {
    #[serde(flatten)]
    values: serde_json::Map<String, serde_json::Value>,
}

impl AdditionalClaims for TestClaims {}

type TestIdToken = IdToken<
    TestClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// What the provider does differently in a test.
#[derive(Default, Clone)]
pub struct Knobs {
    /// Put this nonce in the ID token instead of the one from the authorisation request.
    pub nonce: Option<String>,
    /// Corrupt the ID token's signature.
    pub tamper_signature: bool,
    /// Sign ID tokens with the second key.
    pub sign_with_key_2: bool,
    /// Publish the second key instead of the first.
    pub publish_key_2: bool,
    /// Answer userinfo with another `sub`.
    pub userinfo_subject: Option<String>,
    /// Claims the ID token carries besides `sub`, `acr` and the protocol ones.
    pub id_token_profile: bool,
    /// Issue an ID token that expired a minute ago.
    pub expired: bool,
    /// Address the ID token to another client.
    pub audience: Option<String>,
    /// Compute `at_hash` over another access token.
    pub at_hash_of_other_token: bool,
    /// Omit the custom `national_id` claim everywhere.
    pub no_national_id: bool,
    /// Userinfo describes this person instead of the default one.
    pub person: Option<Person>,
    /// The ID token's `acr` instead of `http://eidas.europa.eu/LoA/high`.
    pub acr: Option<String>,
}

struct Grant {
    challenge: String,
    nonce: String,
    redirect_uri: String,
}

#[derive(Default)]
struct ProviderState {
    issuer: String,
    knobs: Knobs,
    grants: HashMap<String, Grant>,
    tokens: HashMap<String, String>,
    /// The query of the last authorisation request.
    last_authorize: BTreeMap<String, String>,
    jwks_fetches: usize,
    token_requests: usize,
    counter: u64,
}

type Shared = Arc<Mutex<ProviderState>>;

/// Who userinfo says signed in.
#[derive(Clone, Debug)]
pub struct Person {
    pub family_name: String,
    pub given_name: String,
    pub birthdate: String,
    /// The `national_id` claim (left out when `None`).
    pub national_id: Option<String>,
}

pub struct Provider {
    pub issuer: String,
    state: Shared,
}

impl Provider {
    pub async fn start() -> Provider {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let state: Shared = Arc::new(Mutex::new(ProviderState {
            issuer: issuer.clone(),
            ..ProviderState::default()
        }));
        let app = axum::Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .route("/userinfo", get(userinfo))
            .with_state(state.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Provider { issuer, state }
    }

    pub fn set(&self, f: impl FnOnce(&mut Knobs)) {
        f(&mut self.state.lock().unwrap().knobs);
    }

    pub fn settings(&self) -> OidcSettings {
        let secret_file = std::env::temp_dir().join(format!(
            "oots-oidc-test-secret-{}-{}",
            std::process::id(),
            self.issuer.rsplit(':').next().unwrap()
        ));
        std::fs::write(&secret_file, format!("{CLIENT_SECRET}\n")).unwrap();
        OidcSettings {
            issuer: self.issuer.clone(),
            client_id: CLIENT_ID.into(),
            client_secret: Some(format!("file:{}", secret_file.display())),
            scopes: vec!["openid".into(), "profile".into()],
            acr_values: Some("http://eidas.europa.eu/LoA/high".into()),
            claims: ClaimMapping {
                person_identifier: Some("national_id".into()),
                ..ClaimMapping::default()
            },
            userinfo: true,
            allow_http_issuer: true,
        }
    }

    /// Signs in this person from now on (`national_id` left out when `None`).
    pub fn signing_in(
        &self,
        family_name: &str,
        given_name: &str,
        birthdate: &str,
        national_id: Option<&str>,
    ) {
        let person = Person {
            family_name: family_name.into(),
            given_name: given_name.into(),
            birthdate: birthdate.into(),
            national_id: national_id.map(str::to_owned),
        };
        self.set(|k| k.person = Some(person));
    }

    /// The adapter's `preview.authentication` for this provider (YAML lines under
    /// `preview:`, indented by two), its `national_id` claim mapped to PersonIdentifier
    /// when `identifier_claim`.
    pub fn preview_authentication(&self, identifier_claim: bool) -> String {
        let claims = if identifier_claim {
            "      claims: { person_identifier: national_id }\n"
        } else {
            ""
        };
        let secret = std::env::temp_dir().join(format!(
            "oots-preview-secret-{}-{}",
            std::process::id(),
            self.issuer.rsplit(':').next().unwrap()
        ));
        std::fs::write(&secret, CLIENT_SECRET).unwrap();
        format!(
            "  authentication:\n    oidc:\n      issuer: {}\n      client_id: {CLIENT_ID}\n      client_secret: file:{}\n      allow_http_issuer: true\n{claims}",
            self.issuer,
            secret.display(),
        )
    }

    pub fn last_authorize(&self) -> BTreeMap<String, String> {
        self.state.lock().unwrap().last_authorize.clone()
    }

    pub fn jwks_fetches(&self) -> usize {
        self.state.lock().unwrap().jwks_fetches
    }

    pub fn token_requests(&self) -> usize {
        self.state.lock().unwrap().token_requests
    }
}

pub fn key(rotated: bool) -> CoreRsaPrivateSigningKey {
    let (pem, kid) = if rotated {
        (ROTATED_KEY, "key-2")
    } else {
        (SIGNING_KEY, "key-1")
    };
    CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new(kid.into()))).unwrap()
}

async fn discovery(State(state): State<Shared>) -> Response {
    let issuer = state.lock().unwrap().issuer.clone();
    let metadata = CoreProviderMetadata::new(
        IssuerUrl::new(issuer.clone()).unwrap(),
        AuthUrl::new(format!("{issuer}/authorize")).unwrap(),
        JsonWebKeySetUrl::new(format!("{issuer}/jwks")).unwrap(),
        vec![ResponseTypes::new(vec![CoreResponseType::Code])],
        vec![CoreSubjectIdentifierType::Public],
        vec![CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256],
        EmptyAdditionalProviderMetadata {},
    )
    .set_token_endpoint(Some(TokenUrl::new(format!("{issuer}/token")).unwrap()))
    .set_userinfo_endpoint(Some(
        UserInfoUrl::new(format!("{issuer}/userinfo")).unwrap(),
    ));
    Json(metadata).into_response()
}

async fn jwks(State(state): State<Shared>) -> Response {
    let mut s = state.lock().unwrap();
    s.jwks_fetches += 1;
    let set = CoreJsonWebKeySet::new(vec![key(s.knobs.publish_key_2).as_verification_key()]);
    Json(set).into_response()
}

async fn authorize(
    State(state): State<Shared>,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    let mut s = state.lock().unwrap();
    s.counter += 1;
    let code = format!("code-{}", s.counter);
    s.grants.insert(
        code.clone(),
        Grant {
            challenge: query.get("code_challenge").cloned().unwrap_or_default(),
            nonce: query.get("nonce").cloned().unwrap_or_default(),
            redirect_uri: query.get("redirect_uri").cloned().unwrap_or_default(),
        },
    );
    s.last_authorize = query.clone();
    let mut target = openidconnect::url::Url::parse(&query["redirect_uri"]).unwrap();
    target
        .query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &query["state"])
        .append_pair("iss", &s.issuer);
    Redirect::to(target.as_str()).into_response()
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

async fn token(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    let mut s = state.lock().unwrap();
    s.token_requests += 1;
    // client_secret_basic: both parts form-urlencoded, then base64.
    let authorised = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .is_some_and(|pair| pair == format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    if !authorised {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "bad client");
    }
    if form.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "");
    }
    let Some(grant) = form.get("code").and_then(|c| s.grants.remove(c)) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "unknown code");
    };
    if form.get("redirect_uri") != Some(&grant.redirect_uri) {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "redirect_uri");
    }
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    let pkce_ok = (43..=128).contains(&verifier.len())
        && PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(verifier)).as_str()
            == grant.challenge;
    if !pkce_ok {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "PKCE verification failed",
        );
    }

    s.counter += 1;
    let access_token = format!("access-{}", s.counter);
    s.tokens.insert(access_token.clone(), SUBJECT.into());
    let knobs = s.knobs.clone();
    let now = chrono::Utc::now();
    let mut standard = StandardClaims::new(SubjectIdentifier::new(SUBJECT.into()));
    let mut extra = TestClaims::default();
    if knobs.id_token_profile {
        standard = standard
            .set_family_name(Some(LocalizedClaim::from(EndUserFamilyName::new(
                "Müller-Lüdenscheidt".into(),
            ))))
            .set_given_name(Some(LocalizedClaim::from(EndUserGivenName::new(
                "Renée".into(),
            ))))
            .set_birthdate(Some(EndUserBirthday::new("1990-1-5".into())));
        if !knobs.no_national_id {
            extra
                .values
                .insert("national_id".into(), json!(19900105123u64));
        }
    }
    let (issued, expires) = if knobs.expired {
        (
            now - chrono::Duration::seconds(600),
            now - chrono::Duration::seconds(60),
        )
    } else {
        (now, now + chrono::Duration::seconds(300))
    };
    let audience = knobs.audience.unwrap_or_else(|| CLIENT_ID.into());
    let claims = IdTokenClaims::new(
        IssuerUrl::new(s.issuer.clone()).unwrap(),
        vec![Audience::new(audience)],
        expires,
        issued,
        standard,
        extra,
    )
    .set_nonce(Some(Nonce::new(knobs.nonce.unwrap_or(grant.nonce))))
    .set_auth_context_ref(Some(AuthenticationContextClass::new(
        knobs
            .acr
            .clone()
            .unwrap_or_else(|| "http://eidas.europa.eu/LoA/high".into()),
    )));
    let id_token = TestIdToken::new(
        claims,
        &key(knobs.sign_with_key_2),
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        Some(&AccessToken::new(if knobs.at_hash_of_other_token {
            "some-other-access-token".to_owned()
        } else {
            access_token.clone()
        })),
        None,
    )
    .unwrap();
    let mut jwt = id_token.to_string();
    if knobs.tamper_signature {
        let (signed, signature) = jwt.rsplit_once('.').unwrap();
        let mut signature = signature.to_owned();
        let first = if signature.starts_with('A') { "B" } else { "A" };
        signature.replace_range(0..1, first);
        jwt = format!("{signed}.{signature}");
    }
    Json(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": jwt,
    }))
    .into_response()
}

async fn userinfo(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let s = state.lock().unwrap();
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let Some(subject) = s.tokens.get(token) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let person = s.knobs.person.clone().unwrap_or_else(|| Person {
        family_name: "Müller-Lüdenscheidt".into(),
        given_name: "Renée".into(),
        birthdate: "1990-01-31".into(),
        national_id: Some("BE/DE/19900131-4711".into()),
    });
    let mut body = json!({
        "sub": s.knobs.userinfo_subject.clone().unwrap_or_else(|| subject.clone()),
        "family_name": person.family_name,
        "given_name": person.given_name,
        "birthdate": person.birthdate,
    });
    if let Some(id) = person.national_id.filter(|_| !s.knobs.no_national_id) {
        body["national_id"] = json!(id);
    }
    Json(body).into_response()
}
