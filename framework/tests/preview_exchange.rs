//! A 2.0 preview follow-up continues the exchange its link was offered in (issue 19 item
//! 9): it carries the first request's ebMS `ExchangeId` (TDD 4.4/4.9), else it is refused
//! `EDM:ERR:0003` naming TDD 4.9 §2 step 12, and the held evidence stays held for the
//! requester's own follow-up. `oots-adapter serve` behind the Domibus simulator.

mod preview_support;

use std::time::Duration;

use oots_framework::edm::ErrorCode;
use oots_framework::requester::RequestSpec;
use preview_support::{Adapter, FollowUpExchange, client, csrf, decide, exception, preview_link};

/// The quickstart's Jean Dupont birth certificate request, allowing a preview (2.0).
fn jean() -> RequestSpec {
    RequestSpec {
        preview: true,
        ..RequestSpec::quickstart_birth("Dupont", "Jean", "1992-10-22", "application/pdf")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follow_up_in_another_exchange_is_refused_and_the_session_kept() {
    let mut adapter = Adapter::start(2400).await;
    let (location, token) = preview_link(&mut adapter).await;

    // Another exchange's follow-up (a forged or mixed-up ExchangeId): refused at once,
    // naming the rule, with nothing of the evidence.
    let other = "9b0c1f4e-0000-4000-8000-00000000dead";
    adapter.send_follow_up_in(&jean(), &location, FollowUpExchange::Other(other));
    let refused = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("refused at once, not held");
    assert_eq!(refused.header.action, "ExceptionResponse");
    assert_eq!(refused.header.exchange_id(), Some(other));
    assert_eq!(refused.payloads.len(), 1, "no attachment");
    let e = exception(&refused);
    assert_eq!(e.code, ErrorCode::InvalidRequest, "{e:?}");
    assert_eq!(
        e.detail.as_deref(),
        Some(
            "TDD 4.9 §2 step 12: PreviewLocation not issued for this exchange, or already answered"
        )
    );
    let xml = String::from_utf8_lossy(&refused.payloads[0].bytes);
    assert!(!xml.contains("Dupont") && !xml.contains("%PDF"), "{xml}");

    // A 2.0 follow-up without any ExchangeId: the header refusal, as for any request.
    adapter.send_follow_up_in(&jean(), &location, FollowUpExchange::Missing);
    let headerless = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("refused");
    let e = exception(&headerless);
    assert_eq!(e.code, ErrorCode::InvalidRequest, "{e:?}");
    assert!(
        e.detail
            .as_deref()
            .unwrap_or("")
            .starts_with("R-EDM-ebMS-018: "),
        "{e:?}"
    );

    // The session is kept: the requester's own follow-up (same ExchangeId) is held,
    // and answered with the evidence once the user approves.
    adapter.send_follow_up_in(&jean(), &location, FollowUpExchange::Same);
    assert!(
        adapter.answer(Duration::from_millis(1500)).await.is_none(),
        "the legitimate follow-up is held while the user decides"
    );
    let http = client();
    let page_url = adapter.url(&format!("/preview/{token}"));
    let r = http.get(&page_url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let cookie = preview_support::browser_cookie(&r);
    let form = csrf(&r.text().await.unwrap());
    let decided = decide(&http, &page_url, &cookie, &form, "approve").await;
    assert_eq!(decided.status(), 303);
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("the legitimate follow-up is answered");
    assert_eq!(answer.header.action, "ExecuteQueryResponse");
    assert!(
        answer
            .payloads
            .iter()
            .any(|p| p.mime_type == "application/pdf"),
        "{:?}",
        answer.header
    );
    let log = adapter.stop();
    assert!(!log.contains("Dupont"), "{log}");
}
