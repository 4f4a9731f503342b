//! The operator page: bearer token, the data it shows (mapping generation, connection
//! probes, exchanges) and the personal data it must not show.

mod common;

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tower::ServiceExt as _;

use oots_framework::config::AdapterConfig;
use oots_framework::connector::OpenMode;
use oots_framework::exchange::Exchange;
use oots_framework::mapping;
use oots_framework::store::SqliteStore;
use oots_framework::web::operator;

const TOKEN: &str = "op-token-9f2c";
/// A message id with characters HTML must escape.
const MESSAGE_ID: &str = "<m&1>@oots.test";
/// Personal data inside the stored request: none of it may reach the page.
const PERSONAL: [&str; 4] = ["Zwiebelmann", "Ottilie", "1987-03-14", "DE/DE/99887766"];

/// The quickstart deployment in a temporary folder (its registry is seeded there), with
/// one more connection no mapping uses.
async fn exchange(dir: &Path) -> Exchange {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/quickstart");
    common::copy_dir(&root, dir);
    let file = dir.join("adapter.yaml");
    let yaml = std::fs::read_to_string(&file).unwrap();
    let yaml = yaml.replacen(
        "    max_rows: 500\n",
        "    max_rows: 500\n  spare:\n    type: sql\n    url: sqlite://state/spare.db\n",
        1,
    );
    assert!(yaml.contains("  spare:"));
    std::fs::write(&file, yaml).unwrap();
    let config = Arc::new(AdapterConfig::load(&file).unwrap());
    let set = mapping::load(&config, OpenMode::Live).await.unwrap();
    let store = SqliteStore::in_memory().await.unwrap();
    Exchange::new(config, Arc::new(set), Arc::new(store))
}

async fn get(app: &axum::Router, path: &str, auth: Option<&str>) -> (StatusCode, String, String) {
    let mut req = Request::builder().uri(path);
    if let Some(a) = auth {
        req = req.header(header::AUTHORIZATION, a);
    }
    let resp = app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let content_type = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        content_type,
        String::from_utf8(body.to_vec()).unwrap(),
    )
}

#[tokio::test]
async fn operator_page_needs_the_token_and_shows_no_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let ex = exchange(dir.path()).await;
    let header_xml = format!(
        "<eb:UserMessage><eb:MessageId>{MESSAGE_ID}</eb:MessageId><eb:ConversationId>c1</eb:ConversationId></eb:UserMessage>"
    );
    let regrep = format!(
        "<query:QueryRequest><FamilyName>{}</FamilyName><GivenName>{}</GivenName><DateOfBirth>{}</DateOfBirth><Identifier>{}</Identifier></query:QueryRequest>",
        PERSONAL[0], PERSONAL[1], PERSONAL[2], PERSONAL[3]
    );
    let stored = ex
        .store()
        .store_inbound(
            MESSAGE_ID,
            &header_xml,
            regrep.as_bytes(),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    assert!(stored);
    let generation = ex.mappings().generation().to_owned();
    let app = operator::router(ex, Some(TOKEN.to_owned()));

    // Without, with a wrong and with a malformed token: 401, and nothing else.
    for auth in [
        None,
        Some("Bearer wrong"),
        Some(TOKEN),
        Some("Basic b3A6dG9rZW4="),
    ] {
        for path in ["/operator", "/operator.json"] {
            let (status, _, body) = get(&app, path, auth).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{path} {auth:?}");
            assert!(!body.contains(MESSAGE_ID) && !body.contains("m&amp;1"));
        }
    }

    let bearer = format!("Bearer {TOKEN}");
    let (status, content_type, html) = get(&app, "/operator", Some(&bearer)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("<h1>") && html.contains("<th scope=\"col\">"));
    assert!(!html.contains("<script"));
    // The message id, escaped; never raw.
    assert!(html.contains("&lt;m&amp;1&gt;@oots.test"), "{html}");
    assert!(!html.contains(MESSAGE_ID));
    assert!(html.contains(&generation));
    assert!(html.contains("birth-certificate"));
    assert!(html.contains("birth_register"));
    assert!(
        html.contains("answers"),
        "the seeded SQLite registry answers its probe"
    );
    assert!(html.contains("spare") && html.contains("not in use"));
    for pd in PERSONAL {
        assert!(!html.contains(pd), "{pd} on the page");
    }

    let (status, content_type, json) = get(&app, "/operator.json", Some(&bearer)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    for pd in PERSONAL {
        assert!(!json.contains(pd), "{pd} in the JSON");
    }
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["mappings"]["generation"], generation.as_str());
    assert_eq!(v["mappings"]["mappings"][0]["name"], "birth-certificate");
    assert!(
        v["mappings"]["mappings"][0]["evidence_types"][0]
            .as_str()
            .is_some_and(|t| t.starts_with("https://"))
    );
    assert_eq!(v["recent_exchanges"][0]["message_id"], MESSAGE_ID);
    assert_eq!(v["recent_exchanges"][0]["state"], "received");
    assert!(v["store_error"].is_null());
    let count = |state: &str| {
        v["exchange_counts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["state"] == state)
            .map(|c| c["count"].as_i64().unwrap())
    };
    assert_eq!(count("received"), Some(1));
    assert_eq!(count("answered"), Some(0));
    let conn = |name: &str| {
        v["connections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(conn("birth_register")["status"], "ok");
    assert_eq!(conn("birth_register")["kind"], "sql");
    assert_eq!(conn("spare")["status"], "not_in_use");

    // Without a token the page is open (an internal listener).
    let dir2 = tempfile::tempdir().unwrap();
    let open = operator::router(exchange(dir2.path()).await, None);
    let (status, _, _) = get(&open, "/operator.json", None).await;
    assert_eq!(status, StatusCode::OK);
}
