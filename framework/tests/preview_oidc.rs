//! The OpenID Connect authenticator against an in-process OpenID provider on 127.0.0.1:
//! discovery, key set, an authorisation endpoint that answers at once, a token endpoint
//! that checks client authentication and PKCE and mints RS256 ID tokens, and userinfo.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine;
use oots_framework::preview::auth::{
    AuthError, AuthenticatedPerson, Authenticator, ClaimMapping, OidcAuthenticator, OidcSettings,
    PendingSignIn,
};
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

const SIGNING_KEY: &str = include_str!("fixtures/oidc/signing-key.pem");
const ROTATED_KEY: &str = include_str!("fixtures/oidc/rotated-key.pem");
const CLIENT_ID: &str = "oots-adapter";
const CLIENT_SECRET: &str = "s3cr3t-client-value";
const SUBJECT: &str = "248289761001-subject";
const CALLBACK: &str = "http://127.0.0.1:9/oots/preview/callback";

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
struct Knobs {
    /// Put this nonce in the ID token instead of the one from the authorisation request.
    nonce: Option<String>,
    /// Corrupt the ID token's signature.
    tamper_signature: bool,
    /// Sign ID tokens with the second key.
    sign_with_key_2: bool,
    /// Publish the second key instead of the first.
    publish_key_2: bool,
    /// Answer userinfo with another `sub`.
    userinfo_subject: Option<String>,
    /// Claims the ID token carries besides `sub`, `acr` and the protocol ones.
    id_token_profile: bool,
    /// Issue an ID token that expired a minute ago.
    expired: bool,
    /// Address the ID token to another client.
    audience: Option<String>,
    /// Compute `at_hash` over another access token.
    at_hash_of_other_token: bool,
    /// Omit the custom `national_id` claim everywhere.
    no_national_id: bool,
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

struct Provider {
    issuer: String,
    state: Shared,
}

impl Provider {
    async fn start() -> Provider {
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

    fn set(&self, f: impl FnOnce(&mut Knobs)) {
        f(&mut self.state.lock().unwrap().knobs);
    }

    fn settings(&self) -> OidcSettings {
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

    fn last_authorize(&self) -> BTreeMap<String, String> {
        self.state.lock().unwrap().last_authorize.clone()
    }
}

fn key(rotated: bool) -> CoreRsaPrivateSigningKey {
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
        "http://eidas.europa.eu/LoA/high".into(),
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
    let mut body = json!({
        "sub": s.knobs.userinfo_subject.clone().unwrap_or_else(|| subject.clone()),
        "family_name": "Müller-Lüdenscheidt",
        "given_name": "Renée",
        "birthdate": "1990-01-31",
    });
    if !s.knobs.no_national_id {
        body["national_id"] = json!("BE/DE/19900131-4711");
    }
    Json(body).into_response()
}

/// Begins a sign-in, follows it through the provider's authorisation endpoint, and
/// returns the pending half and the callback's query.
async fn sign_in(auth: &OidcAuthenticator) -> (PendingSignIn, BTreeMap<String, String>) {
    let sign_in = auth.begin(CALLBACK).await.unwrap();
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = browser.get(&sign_in.redirect_url).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let location = answer.headers()[header::LOCATION].to_str().unwrap();
    let location = openidconnect::url::Url::parse(location).unwrap();
    assert!(location.as_str().starts_with(CALLBACK));
    let query = location.query_pairs().into_owned().collect();
    (sign_in.pending, query)
}

async fn authenticator(provider: &Provider) -> OidcAuthenticator {
    OidcAuthenticator::discover(&provider.settings())
        .await
        .unwrap()
}

fn expect_err(result: Result<AuthenticatedPerson, AuthError>) -> AuthError {
    match result {
        Ok(person) => panic!("sign-in accepted: {person:?}"),
        Err(e) => e,
    }
}

#[tokio::test]
async fn signs_in_with_userinfo_claims_and_a_custom_identifier() {
    let provider = Provider::start().await;
    let auth = authenticator(&provider).await;
    assert_eq!(auth.kind(), "oidc");
    let (pending, query) = sign_in(&auth).await;

    let request = provider.last_authorize();
    assert_eq!(request["response_type"], "code");
    assert_eq!(request["client_id"], CLIENT_ID);
    assert_eq!(request["redirect_uri"], CALLBACK);
    assert_eq!(request["code_challenge_method"], "S256");
    assert_eq!(request["state"], pending.state());
    assert_eq!(request["acr_values"], "http://eidas.europa.eu/LoA/high");
    let scopes: Vec<&str> = request["scope"].split(' ').collect();
    assert!(scopes.contains(&"openid") && scopes.contains(&"profile"));
    assert!(request["nonce"].len() >= 16);

    let person = auth.finish(&pending, CALLBACK, &query).await.unwrap();
    assert_eq!(person.subject, SUBJECT);
    assert_eq!(person.family_name.as_deref(), Some("Müller-Lüdenscheidt"));
    assert_eq!(person.given_name.as_deref(), Some("Renée"));
    assert_eq!(person.date_of_birth.as_deref(), Some("1990-01-31"));
    assert_eq!(
        person.person_identifier.as_deref(),
        Some("BE/DE/19900131-4711")
    );
    assert_eq!(person.level_of_assurance.as_deref(), Some("high"));

    // The code is single-use: replaying the callback fails at the provider.
    let replay = expect_err(auth.finish(&pending, CALLBACK, &query).await);
    assert!(matches!(replay, AuthError::Token(_)), "{replay}");
}

#[tokio::test]
async fn reads_claims_from_the_id_token_without_userinfo() {
    let provider = Provider::start().await;
    provider.set(|k| k.id_token_profile = true);
    let mut settings = provider.settings();
    settings.userinfo = false;
    let auth = OidcAuthenticator::discover(&settings).await.unwrap();
    let (pending, query) = sign_in(&auth).await;
    let person = auth.finish(&pending, CALLBACK, &query).await.unwrap();
    assert_eq!(person.family_name.as_deref(), Some("Müller-Lüdenscheidt"));
    assert_eq!(person.given_name.as_deref(), Some("Renée"));
    // "1990-1-5" is normalised; a numeric custom claim becomes text.
    assert_eq!(person.date_of_birth.as_deref(), Some("1990-01-05"));
    assert_eq!(person.person_identifier.as_deref(), Some("19900105123"));
}

#[tokio::test]
async fn a_missing_mapped_identifier_is_refused() {
    let provider = Provider::start().await;
    provider.set(|k| k.no_national_id = true);
    let auth = authenticator(&provider).await;
    let (pending, query) = sign_in(&auth).await;
    let err = expect_err(auth.finish(&pending, CALLBACK, &query).await);
    assert!(matches!(err, AuthError::Claims(_)), "{err}");
    assert_eq!(err.code(), "OEA-AUTH-007");
}

#[tokio::test]
async fn a_state_mismatch_is_refused_before_the_token_request() {
    let provider = Provider::start().await;
    let auth = authenticator(&provider).await;
    let (pending, mut query) = sign_in(&auth).await;
    query.insert("state".into(), "forged-state".into());
    let err = expect_err(auth.finish(&pending, CALLBACK, &query).await);
    assert!(matches!(err, AuthError::StateMismatch), "{err}");
    assert_eq!(err.code(), "OEA-AUTH-003");

    query.remove("state");
    let err = expect_err(auth.finish(&pending, CALLBACK, &query).await);
    assert!(matches!(err, AuthError::StateMismatch), "{err}");
    assert_eq!(provider.state.lock().unwrap().token_requests, 0);
}

#[tokio::test]
async fn a_callback_naming_another_issuer_is_refused() {
    let provider = Provider::start().await;
    let auth = authenticator(&provider).await;
    let (pending, mut query) = sign_in(&auth).await;
    query.insert("iss".into(), "https://attacker.example".into());
    let err = expect_err(auth.finish(&pending, CALLBACK, &query).await);
    assert!(matches!(err, AuthError::StateMismatch), "{err}");
}

#[tokio::test]
async fn a_wrong_nonce_is_refused() {
    let provider = Provider::start().await;
    provider.set(|k| k.nonce = Some("another-sign-ins-nonce".into()));
    let auth = authenticator(&provider).await;
    let (pending, query) = sign_in(&auth).await;
    let err = expect_err(auth.finish(&pending, CALLBACK, &query).await);
    assert!(matches!(err, AuthError::IdToken(_)), "{err}");
    assert!(err.to_string().contains("nonce"), "{err}");
    assert_eq!(err.code(), "OEA-AUTH-006");
}

#[tokio::test]
async fn a_tampered_id_token_signature_is_refused() {
    let provider = Provider::start().await;
    provider.set(|k| k.tamper_signature = true);
    let auth = authenticator(&provider).await;
    let (pending, query) = sign_in(&auth).await;
    let err = expect_err(auth.finish(&pending, CALLBACK, &query).await);
    assert!(matches!(err, AuthError::IdToken(_)), "{err}");
    assert!(err.to_string().contains("signature"), "{err}");
}

#[tokio::test]
async fn expired_misaddressed_or_substituted_tokens_are_refused() {
    type Case = (fn(&mut Knobs), &'static str);
    let cases: [Case; 3] = [
        (|k| k.expired = true, "expired"),
        (
            |k| k.audience = Some("another-client".into()),
            "not issued to this client",
        ),
        (|k| k.at_hash_of_other_token = true, "at_hash"),
    ];
    for (knob, expected) in cases {
        let provider = Provider::start().await;
        provider.set(knob);
        let auth = authenticator(&provider).await;
        let (pending, query) = sign_in(&auth).await;
        let err = expect_err(auth.finish(&pending, CALLBACK, &query).await);
        assert!(matches!(err, AuthError::IdToken(_)), "{err}");
        assert!(err.to_string().contains(expected), "{err}");
    }
}

#[tokio::test]
async fn a_rotated_signing_key_is_fetched_once() {
    let provider = Provider::start().await;
    let auth = authenticator(&provider).await;
    assert_eq!(provider.state.lock().unwrap().jwks_fetches, 1);
    provider.set(|k| {
        k.sign_with_key_2 = true;
        k.publish_key_2 = true;
    });

    let (pending, query) = sign_in(&auth).await;
    let person = auth.finish(&pending, CALLBACK, &query).await.unwrap();
    assert_eq!(person.subject, SUBJECT);
    assert_eq!(provider.state.lock().unwrap().jwks_fetches, 2);

    // The new key is kept: the next sign-in needs no fetch.
    let (pending, query) = sign_in(&auth).await;
    auth.finish(&pending, CALLBACK, &query).await.unwrap();
    assert_eq!(provider.state.lock().unwrap().jwks_fetches, 2);
}

#[tokio::test]
async fn an_unknown_key_does_not_trigger_fetch_after_fetch() {
    let provider = Provider::start().await;
    let auth = authenticator(&provider).await;
    // Sign with key-2 while publishing key-1 only: the adapter fetches once, then stops.
    provider.set(|k| k.sign_with_key_2 = true);
    let (pending, query) = sign_in(&auth).await;
    let err = expect_err(auth.finish(&pending, CALLBACK, &query).await);
    assert!(matches!(err, AuthError::IdToken(_)), "{err}");
    assert_eq!(provider.state.lock().unwrap().jwks_fetches, 2);

    let (pending, query) = sign_in(&auth).await;
    let err = expect_err(auth.finish(&pending, CALLBACK, &query).await);
    assert!(matches!(err, AuthError::IdToken(_)), "{err}");
    assert_eq!(provider.state.lock().unwrap().jwks_fetches, 2);
}

#[tokio::test]
async fn a_userinfo_answer_about_someone_else_is_refused() {
    let provider = Provider::start().await;
    provider.set(|k| k.userinfo_subject = Some("someone-else".into()));
    let auth = authenticator(&provider).await;
    let (pending, query) = sign_in(&auth).await;
    let err = expect_err(auth.finish(&pending, CALLBACK, &query).await);
    assert!(matches!(err, AuthError::IdToken(_)), "{err}");
    assert!(!err.to_string().contains("someone-else"), "{err}");
    assert!(!err.to_string().contains(SUBJECT), "{err}");
}

#[tokio::test]
async fn a_wrong_pkce_verifier_is_refused_by_the_provider() {
    let provider = Provider::start().await;
    let auth = authenticator(&provider).await;
    let (pending, query) = sign_in(&auth).await;
    let mut stored = serde_json::to_value(&pending).unwrap();
    stored["pkce_verifier"] = json!("a".repeat(64));
    let tampered: PendingSignIn = serde_json::from_value(stored).unwrap();
    let err = expect_err(auth.finish(&tampered, CALLBACK, &query).await);
    assert!(matches!(err, AuthError::Token(_)), "{err}");
    assert!(err.to_string().contains("invalid_grant"), "{err}");
    assert_eq!(err.code(), "OEA-AUTH-005");
}

#[tokio::test]
async fn a_wrong_client_secret_is_refused_by_the_provider() {
    let provider = Provider::start().await;
    let secret_file = std::env::temp_dir().join(format!(
        "oots-oidc-test-wrong-secret-{}",
        std::process::id()
    ));
    std::fs::write(&secret_file, "not-the-secret").unwrap();
    let mut settings = provider.settings();
    settings.client_secret = Some(format!("file:{}", secret_file.display()));
    let auth = OidcAuthenticator::discover(&settings).await.unwrap();
    let (pending, query) = sign_in(&auth).await;
    let err = expect_err(auth.finish(&pending, CALLBACK, &query).await);
    assert!(err.to_string().contains("invalid_client"), "{err}");
}

#[tokio::test]
async fn a_cancelled_sign_in_is_a_provider_error() {
    let provider = Provider::start().await;
    let auth = authenticator(&provider).await;
    let sign_in = auth.begin(CALLBACK).await.unwrap();
    let query = BTreeMap::from([
        ("error".to_owned(), "access_denied".to_owned()),
        ("error_description".to_owned(), "User cancelled".to_owned()),
        ("state".to_owned(), sign_in.pending.state().to_owned()),
    ]);
    let err = expect_err(auth.finish(&sign_in.pending, CALLBACK, &query).await);
    match &err {
        AuthError::ProviderError { code } => assert_eq!(code, "access_denied"),
        other => panic!("{other}"),
    }
    assert!(err.is_cancelled());
    assert_eq!(err.code(), "OEA-AUTH-004");
}

#[tokio::test]
async fn the_callback_url_must_be_the_one_the_sign_in_started_with() {
    let provider = Provider::start().await;
    let auth = authenticator(&provider).await;
    let (pending, query) = sign_in(&auth).await;
    let err = expect_err(
        auth.finish(&pending, "http://127.0.0.1:9/elsewhere", &query)
            .await,
    );
    assert!(matches!(err, AuthError::Config(_)), "{err}");
}

#[tokio::test]
async fn an_http_issuer_is_refused_unless_allowed() {
    let provider = Provider::start().await;
    let mut settings = provider.settings();
    settings.allow_http_issuer = false;
    let err = OidcAuthenticator::discover(&settings).await.unwrap_err();
    assert!(matches!(err, AuthError::Config(_)), "{err}");
    assert!(err.to_string().contains("https"), "{err}");
    assert_eq!(err.code(), "OEA-AUTH-002");
    settings.allow_http_issuer = true;
    OidcAuthenticator::discover(&settings).await.unwrap();
}

#[tokio::test]
async fn an_issuer_that_names_itself_differently_is_refused() {
    let provider = Provider::start().await;
    let mut settings = provider.settings();
    settings.issuer = provider.issuer.replace("127.0.0.1", "localhost");
    let err = OidcAuthenticator::discover(&settings).await.unwrap_err();
    assert!(matches!(err, AuthError::Discovery(_)), "{err}");
}

#[tokio::test]
async fn an_unreachable_issuer_is_an_http_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let settings = OidcSettings {
        issuer,
        client_id: CLIENT_ID.into(),
        client_secret: None,
        scopes: vec!["openid".into()],
        acr_values: None,
        claims: ClaimMapping::default(),
        userinfo: true,
        allow_http_issuer: true,
    };
    let err = OidcAuthenticator::discover(&settings).await.unwrap_err();
    assert!(matches!(err, AuthError::Http(_)), "{err}");
    assert_eq!(err.code(), "OEA-AUTH-008");
}

#[tokio::test]
async fn inline_secrets_and_unmappable_claims_are_refused() {
    let provider = Provider::start().await;
    let mut settings = provider.settings();
    settings.client_secret = Some(CLIENT_SECRET.into());
    let err = OidcAuthenticator::discover(&settings).await.unwrap_err();
    assert!(matches!(err, AuthError::Config(_)), "{err}");
    assert!(!err.to_string().contains(CLIENT_SECRET), "{err}");

    let mut settings = provider.settings();
    settings.claims.family_name = "address".into();
    let err = OidcAuthenticator::discover(&settings).await.unwrap_err();
    assert!(matches!(err, AuthError::Config(_)), "{err}");
}

#[test]
fn settings_parse_with_defaults_and_refuse_unknown_keys() {
    let settings: OidcSettings = serde_json::from_value(json!({
        "issuer": "https://idp.example.org/realms/citizens",
        "client_id": "oots",
        "client_secret": "env:OIDC_SECRET",
    }))
    .unwrap();
    assert_eq!(settings.scopes, ["openid", "profile"]);
    assert!(settings.userinfo);
    assert!(!settings.allow_http_issuer);
    assert_eq!(settings.claims.family_name, "family_name");
    assert_eq!(settings.claims.given_name, "given_name");
    assert_eq!(settings.claims.date_of_birth, "birthdate");
    assert_eq!(settings.claims.person_identifier, None);

    let partial: OidcSettings = serde_json::from_value(json!({
        "issuer": "https://idp.example.org",
        "client_id": "oots",
        "client_secret": null,
        "claims": { "person_identifier": "urn:oid:1.2.3" },
    }))
    .unwrap();
    assert_eq!(partial.claims.family_name, "family_name");
    assert_eq!(
        partial.claims.person_identifier.as_deref(),
        Some("urn:oid:1.2.3")
    );

    let unknown = serde_json::from_value::<OidcSettings>(json!({
        "issuer": "https://idp.example.org",
        "client_id": "oots",
        "client_secret": null,
        "client_secrett": "env:X",
    }));
    assert!(unknown.is_err());
}

#[tokio::test]
async fn debug_output_holds_no_personal_data_tokens_or_secrets() {
    let provider = Provider::start().await;
    let auth = authenticator(&provider).await;
    let (pending, query) = sign_in(&auth).await;

    let pending_debug = format!("{pending:?}");
    let stored = serde_json::to_value(&pending).unwrap();
    for field in ["state", "nonce", "pkce_verifier"] {
        let value = stored[field].as_str().unwrap();
        assert!(value.len() >= 16);
        assert!(!pending_debug.contains(value), "{field}: {pending_debug}");
    }

    let person = auth.finish(&pending, CALLBACK, &query).await.unwrap();
    let person_debug = format!("{person:?}");
    for personal in ["Müller", "Renée", "1990", "19900131", "4711", SUBJECT] {
        assert!(!person_debug.contains(personal), "{person_debug}");
    }
    assert!(
        person_debug.contains("family_name: present"),
        "{person_debug}"
    );

    let auth_debug = format!("{auth:?}");
    assert!(!auth_debug.contains(CLIENT_SECRET), "{auth_debug}");

    let mut settings = provider.settings();
    let settings_debug = format!("{settings:?}");
    assert!(settings_debug.contains("file:"), "{settings_debug}");
    settings.client_secret = Some(CLIENT_SECRET.into());
    let settings_debug = format!("{settings:?}");
    assert!(!settings_debug.contains(CLIENT_SECRET), "{settings_debug}");
}
