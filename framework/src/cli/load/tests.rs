use std::time::{Duration, Instant};

use super::parse_rate;
use super::report::{Sent, Summary, Tally};

#[test]
fn rates_read_with_or_without_per_second() {
    assert_eq!(parse_rate("50/s"), Ok(50.0));
    assert_eq!(parse_rate("2.5"), Ok(2.5));
    assert!(parse_rate("0/s").is_err());
    assert!(parse_rate("fast").is_err());
    assert!(parse_rate("inf").is_err());
}

fn sent(case: usize, at: Instant, answered: Option<Result<(), String>>, extra: usize) -> Sent {
    Sent {
        case,
        at,
        answered: answered.map(|o| (at + Duration::from_millis(10), o)),
        extra,
        send_failed: None,
    }
}

#[test]
fn a_run_passes_only_with_one_right_answer_per_request() {
    let t0 = Instant::now();
    let titles = vec!["m › found".to_owned(), "m › nobody".to_owned()];
    let mut tally = Tally {
        first_send: Some(t0),
        last_answer: Some(t0 + Duration::from_millis(10)),
        ..Tally::default()
    };
    tally.sent.insert("a".into(), sent(0, t0, Some(Ok(())), 0));
    tally.sent.insert("b".into(), sent(1, t0, Some(Ok(())), 0));
    // An answer to a request of another run is counted, and does not fail this one.
    tally.unknown = 1;
    let ok = Summary::new("domibus", 2, &tally, &titles);
    assert!(ok.passed());
    assert_eq!(ok.json()["unknown_answers"], 1);
    assert_eq!((ok.correct, ok.missing), (2, 0));

    // A duplicate, a wrong outcome, a missing answer and a request never sent.
    if let Some(s) = tally.sent.get_mut("a") {
        s.extra = 1;
    }
    tally.sent.insert(
        "c".into(),
        sent(
            1,
            t0,
            Some(Err("expected EDM:ERR:0004, got evidence".into())),
            0,
        ),
    );
    tally.sent.insert("d".into(), sent(0, t0, None, 0));
    let bad = Summary::new("domibus", 5, &tally, &titles);
    assert!(!bad.passed());
    assert_eq!(bad.duplicates, 1);
    assert_eq!(bad.wrong, 1);
    assert_eq!(bad.missing, 2, "one unanswered, one never sent");
    let json = bad.json();
    assert_eq!(json["errors"]["missing"], 2);
    assert_eq!(json["wrong_outcomes"][0]["test"], "m › nobody");
    assert_eq!(json["passed"], false);
    assert!(
        bad.text()
            .contains("1 × m › nobody: expected EDM:ERR:0004, got evidence")
    );
}

#[test]
fn the_progress_line_redraws_itself() {
    let t0 = Instant::now();
    let mut tally = Tally::default();
    tally.sent.insert("a".into(), sent(0, t0, Some(Ok(())), 0));
    tally.sent.insert("b".into(), sent(0, t0, None, 0));
    let line = super::report::progress(4, &tally, t0);
    assert!(line.starts_with('\r'), "{line:?}");
    assert!(line.contains("sent 2/4, answered 1"), "{line:?}");
    assert!(
        line.contains(&format!("[{}{}]", "#".repeat(7), "-".repeat(23))),
        "{line:?}"
    );
}
