//! Every metric the user docs name is one `/metrics` of a running `oots-adapter serve`
//! exports: a name in `docs/` that nothing exports sends an operator's alert rule into
//! the void.

mod as4_support;

use std::collections::BTreeSet;
use std::path::Path;

/// Metric names in a text: `oots_…` followed by `{`, or ending as metric families do.
fn named_metrics(text: &str) -> BTreeSet<String> {
    const SUFFIXES: &[&str] = &[
        "_total",
        "_seconds",
        "_info",
        "_failing",
        "_in_state",
        "_up",
    ];
    let mut out = BTreeSet::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(at) = text[i..].find("oots_") {
        let start = i + at;
        let before_ok = start == 0
            || !(bytes[start - 1].is_ascii_alphanumeric()
                || bytes[start - 1] == b'_'
                || bytes[start - 1] == b'-');
        let mut end = start;
        while end < bytes.len()
            && (bytes[end].is_ascii_lowercase()
                || bytes[end].is_ascii_digit()
                || bytes[end] == b'_')
        {
            end += 1;
        }
        let name = &text[start..end];
        let braced = bytes.get(end) == Some(&b'{');
        if before_ok && (braced || SUFFIXES.iter().any(|s| name.ends_with(s))) {
            out.insert(name.to_owned());
        }
        i = end.max(start + 1);
    }
    out
}

fn documented() -> BTreeSet<String> {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs");
    let mut out = BTreeSet::new();
    for entry in std::fs::read_dir(&docs).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            out.extend(named_metrics(&std::fs::read_to_string(&path).unwrap()));
        }
    }
    out
}

#[test]
fn metric_names_are_read_from_the_docs_as_operators_write_them() {
    let found = named_metrics(
        "`oots_exchanges{state}`, oots_sends_given_up_total, user oots_reader, rule oots_sent",
    );
    assert_eq!(
        found.into_iter().collect::<Vec<_>>(),
        ["oots_exchanges", "oots_sends_given_up_total"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_metric_the_docs_name_is_exported() {
    let named = documented();
    assert!(named.len() >= 10, "{named:?}");
    let dir = tempfile::tempdir().unwrap();
    as4_support::pki(dir.path(), &["AP_PROVIDER", "AP_REQUESTER"]);
    let port = as4_support::free_port();
    let config = as4_support::write_config(
        dir.path(),
        "AP_PROVIDER",
        port,
        "AP_REQUESTER",
        as4_support::free_port(),
    );
    let served = as4_support::spawn(&config, port);
    let text = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let exported: BTreeSet<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect();
    let missing: Vec<&String> = named.difference(&exported).collect();
    assert!(
        missing.is_empty(),
        "named in docs/ but not exported: {missing:?}\nexported: {exported:?}\n{}",
        served.stop()
    );
}
