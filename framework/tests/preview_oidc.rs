//! The OpenID Connect authenticator against an in-process OpenID provider on 127.0.0.1
//! (`oidc_support`): discovery, key set, authorisation, token and userinfo.

mod oidc_support;

use std::collections::BTreeMap;

use axum::http::{StatusCode, header};
use oidc_support::*;
use oots_framework::web::preview::auth::{
    AuthError, AuthenticatedPerson, Authenticator, ClaimMapping, OidcAuthenticator, OidcSettings,
    PendingSignIn,
};
use serde_json::json;

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
    assert_eq!(provider.token_requests(), 0);
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
    assert_eq!(provider.jwks_fetches(), 1);
    provider.set(|k| {
        k.sign_with_key_2 = true;
        k.publish_key_2 = true;
    });

    let (pending, query) = sign_in(&auth).await;
    let person = auth.finish(&pending, CALLBACK, &query).await.unwrap();
    assert_eq!(person.subject, SUBJECT);
    assert_eq!(provider.jwks_fetches(), 2);

    // The new key is kept: the next sign-in needs no fetch.
    let (pending, query) = sign_in(&auth).await;
    auth.finish(&pending, CALLBACK, &query).await.unwrap();
    assert_eq!(provider.jwks_fetches(), 2);
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
    assert_eq!(provider.jwks_fetches(), 2);

    let (pending, query) = sign_in(&auth).await;
    let err = expect_err(auth.finish(&pending, CALLBACK, &query).await);
    assert!(matches!(err, AuthError::IdToken(_)), "{err}");
    assert_eq!(provider.jwks_fetches(), 2);
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
