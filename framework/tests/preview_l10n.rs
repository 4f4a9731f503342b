//! Dates, times and names on the preview pages follow the page language (issue 20
//! item 8): no ISO date or UTC time shown to a citizen, the requester's name never
//! after a word that must agree with it, no silently mixed languages, empty fields
//! shown as such; and `check` warns (OEA-W0101) when a mapping lacks a page language.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use oots_framework::preview::i18n::Lang;
use oots_framework::web::preview::page::{
    DocumentLink, EvidenceView, FieldView, Page, PageContext, PreviewUi,
};

const LANGS: [&str; 7] = ["de", "en", "es", "fr", "it", "nl", "pl"];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn ctx(lang: &str) -> PageContext {
    PageContext {
        lang: Lang(lang.to_owned()),
        base_path: "/preview".to_owned(),
        current_path: "/preview/abc".to_owned(),
        authority_name: "Ministère de l’Intérieur".to_owned(),
    }
}

/// A review page with a date, an empty field, a label only in English and a deadline
/// (13:05 UTC, 14:05 in Brussels).
fn review() -> Page {
    Page::Review {
        requester_name: "Ministère de l’Intérieur".to_owned(),
        subject_name: "Jean Dupont".to_owned(),
        evidences: vec![EvidenceView {
            title: "Birth certificate".to_owned(),
            title_lang: Some("en".to_owned()),
            fields: vec![
                FieldView::new("Name", "Dupont"),
                FieldView::new("Born", "2026-03-03"),
                FieldView::new("Birth name", ""),
                FieldView {
                    label: "Register number".to_owned(),
                    label_lang: Some("en".to_owned()),
                    value: "R-1".to_owned(),
                },
            ],
            document: Some(DocumentLink {
                url: "/preview/abc/document".to_owned(),
                media_type: "application/pdf".to_owned(),
                label: "Birth certificate".to_owned(),
            }),
            associated: Vec::new(),
            choice: None,
        }],
        action_url: "/preview/abc/decision".to_owned(),
        csrf_token: "t".to_owned(),
        expires_at: "2026-03-03T13:05:00Z".to_owned(),
    }
}

fn sign_in() -> Page {
    Page::SignIn {
        requester_name: "Ministère de l’Intérieur".to_owned(),
        evidence_titles: vec!["Birth certificate".to_owned()],
        sign_in_url: "/preview/abc/sign-in".to_owned(),
        expires_at: "2026-07-01T22:30:00Z".to_owned(),
    }
}

/// `true` if `html` holds an ISO date (`2026-03-03`) anywhere.
fn has_iso_date(html: &str) -> bool {
    let b = html.as_bytes();
    b.windows(10).any(|w| {
        w.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
    })
}

#[test]
fn dates_and_deadline_follow_the_page_language_in_de_fr_en() {
    let ui = PreviewUi::embedded().unwrap();
    let expected = [
        ("de", "3. März 2026", "Gültig bis: 3. März 2026, 14:05 CET."),
        ("fr", "3 mars 2026", "Date limite : 3 mars 2026, 14:05 CET."),
        (
            "en",
            "3 March 2026",
            "Valid until: 3 March 2026, 14:05 CET.",
        ),
    ];
    for (lang, date, deadline) in expected {
        let html = ui.render(&review(), &ctx(lang)).unwrap();
        assert!(html.contains(&format!("<dd>{date}</dd>")), "{lang}: {html}");
        assert!(html.contains(deadline), "{lang}: {html}");
    }
}

#[test]
fn no_page_in_any_language_shows_an_iso_date_or_a_utc_time() {
    let ui = PreviewUi::embedded().unwrap();
    for lang in LANGS {
        for page in [review(), sign_in()] {
            let html = ui.render(&page, &ctx(lang)).unwrap();
            assert!(!has_iso_date(&html), "{lang}: {html}");
            assert!(!html.contains("UTC"), "{lang}: {html}");
            assert!(!html.contains("T13:05"), "{lang}");
        }
    }
    // The sign-in deadline falls past midnight in Brussels: the date moves with it.
    let html = ui.render(&sign_in(), &ctx("pl")).unwrap();
    assert!(
        html.contains("Ważna do: 2 lipca 2026, 00:30 CEST."),
        "{html}"
    );
}

#[test]
fn the_configured_time_zone_is_used_and_named() {
    let lisbon: chrono_tz::Tz = "Europe/Lisbon".parse().unwrap();
    let ui = PreviewUi::embedded().unwrap().with_time_zone(lisbon);
    let html = ui.render(&review(), &ctx("es")).unwrap();
    assert!(
        html.contains("Válida hasta: 3 de marzo de 2026, 13:05 WET."),
        "{html}"
    );
    let ui = PreviewUi::embedded()
        .unwrap()
        .with_time_zone(chrono_tz::Tz::UTC);
    let html = ui.render(&review(), &ctx("it")).unwrap();
    // UTC only when configured, and then named.
    assert!(
        html.contains("Scadenza: 3 marzo 2026, 13:05 UTC."),
        "{html}"
    );
}

#[test]
fn an_empty_field_is_listed_with_the_not_recorded_marker_in_every_language() {
    let ui = PreviewUi::embedded().unwrap();
    let marker = |lang: &str| {
        let text =
            std::fs::read_to_string(workspace().join(format!("preview-ui/i18n/{lang}.json")))
                .unwrap();
        let map: BTreeMap<String, String> = serde_json::from_str(&text).unwrap();
        map["field_empty"].clone()
    };
    for lang in LANGS {
        let html = ui.render(&review(), &ctx(lang)).unwrap();
        let expected = format!(
            "<dt>Birth name</dt>\n      <dd class=\"empty\">{}</dd>",
            marker(lang)
        );
        assert!(html.contains(&expected), "{lang}: {html}");
    }
    let html = ui.render(&review(), &ctx("de")).unwrap();
    assert!(html.contains("<dd class=\"empty\">nicht erfasst</dd>"));
}

#[test]
fn fallback_texts_carry_their_own_language() {
    let ui = PreviewUi::embedded().unwrap();
    let html = ui.render(&review(), &ctx("fr")).unwrap();
    assert!(html.contains("<html lang=\"fr\""));
    assert!(
        html.contains("<dt lang=\"en\">Register number</dt>"),
        "{html}"
    );
    assert!(html.contains("<h2 id=\"evidence-0\" lang=\"en\">Birth certificate</h2>"));
    // Labels in the page language get no attribute of their own.
    assert!(html.contains("<dt>Name</dt>"));
}

#[test]
fn the_requester_name_stands_after_a_label_in_every_language() {
    let ui = PreviewUi::embedded().unwrap();
    let expected = [
        ("fr", "Demandeur : Ministère de l’Intérieur"),
        ("de", "Anfordernde Stelle: Ministère de l’Intérieur"),
        ("en", "Requested by: Ministère de l’Intérieur"),
        ("es", "Solicitante: Ministère de l’Intérieur"),
        ("it", "Richiedente: Ministère de l’Intérieur"),
        ("nl", "Aanvrager: Ministère de l’Intérieur"),
        ("pl", "Podmiot wnioskujący: Ministère de l’Intérieur"),
    ];
    for (lang, line) in expected {
        for page in [review(), sign_in()] {
            let html = ui.render(&page, &ctx(lang)).unwrap();
            let html = html.replace("&#x27;", "'");
            assert!(html.contains(line), "{lang}: {html}");
            for bad in [
                "à Minist",
                "au Minist",
                "an Minist",
                " a Minist",
                "do Minist",
            ] {
                assert!(!html.contains(bad), "{lang}: `{bad}` in {html}");
            }
        }
    }
}

/// The texts of every shipped language.
fn catalog_files() -> BTreeMap<String, BTreeMap<String, String>> {
    LANGS
        .iter()
        .map(|l| {
            let path = workspace().join(format!("preview-ui/i18n/{l}.json"));
            let text = std::fs::read_to_string(path).unwrap();
            ((*l).to_owned(), serde_json::from_str(&text).unwrap())
        })
        .collect()
}

fn placeholders(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        out.insert(rest[start + 1..start + end].to_owned());
        rest = &rest[start + end + 1..];
    }
    out
}

#[test]
fn every_language_has_every_key_with_the_same_placeholders() {
    let files = catalog_files();
    let en = &files["en"];
    for (lang, texts) in &files {
        let keys: BTreeSet<&String> = texts.keys().collect();
        let en_keys: BTreeSet<&String> = en.keys().collect();
        assert_eq!(keys, en_keys, "{lang}: keys differ from en.json");
        for (key, text) in texts {
            assert!(!text.trim().is_empty(), "{lang}.{key} is empty");
            assert_eq!(
                placeholders(text),
                placeholders(&en[key]),
                "{lang}.{key}: placeholders differ from English"
            );
        }
    }
}

/// A name (or a date) filled into a sentence must agree with the words before it
/// ("à Ministère", "an Ministerium", "jusqu’à 3 mars"): in every language it stands
/// after a label's colon only, never after a preposition or article.
#[test]
fn names_and_dates_in_the_texts_follow_a_label_colon_only() {
    for (lang, texts) in catalog_files() {
        for (key, text) in &texts {
            for name in ["requester", "authority", "subject", "expires_at"] {
                let placeholder = format!("{{{name}}}");
                for (at, _) in text.match_indices(&placeholder) {
                    let before = text[..at].trim_end_matches([' ', '\u{a0}', '\u{202f}']);
                    assert!(
                        before.ends_with(':'),
                        "{lang}.{key}: {placeholder} must follow a label colon, not `{}`",
                        &before[before.len().saturating_sub(12)..]
                    );
                    let label_word = before.trim_end_matches(':').trim_end();
                    let last = label_word
                        .rsplit([' ', '\u{a0}'])
                        .next()
                        .unwrap_or("")
                        .to_lowercase();
                    // A label ending in a preposition still makes the name agree with
                    // it ("Transmis à : …"); a date after "until:" does not (the long
                    // date form is the one that follows "do"/"bis"/"tot").
                    if name == "expires_at" {
                        continue;
                    }
                    for preposition in ["à", "au", "an", "a", "aan", "naar", "do", "von", "door"] {
                        assert_ne!(last, preposition, "{lang}.{key}: `{before}`");
                    }
                }
            }
        }
    }
}

fn check(path: &Path) -> String {
    let out = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .arg("check")
            .arg(path),
        120,
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{stdout}");
    stdout
}

/// The quickstart deployment in `dir` with its page texts (title, labels, provider name)
/// in English and German only; the shipped one has all seven languages.
fn only_english_and_german(dir: &Path) {
    let others = ["ES", "FR", "IT", "NL", "PL"];
    for file in ["mappings/birth-certificate.yaml", "adapter.yaml"] {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let mut in_labels = false;
        let mut lines: Vec<String> = Vec::new();
        for line in text.lines() {
            if line == "labels:" {
                in_labels = true;
            } else if in_labels && line.starts_with("  ") {
                let field = line.trim().split(':').next().unwrap();
                lines.push(format!("  {field}: {{ EN: x, DE: x }}"));
                continue;
            } else {
                in_labels = false;
            }
            if others
                .iter()
                .any(|l| line.starts_with(&format!("    {l}: ")))
            {
                continue;
            }
            lines.push(line.to_owned());
        }
        std::fs::write(&path, lines.join("\n")).unwrap();
    }
}

#[test]
fn check_warns_when_a_mapping_lacks_a_page_language() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&workspace().join("examples/quickstart"), dir.path());
    only_english_and_german(dir.path());
    let out = check(dir.path());
    assert!(
        out.contains(
            "birth-certificate.yaml: OEA-W0101: texts of the preview page lack languages it offers (es, fr, it, nl, pl): evidence_type.title, labels.family_name,"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "adapter.yaml: OEA-W0101: texts of the preview page lack languages it offers (es, fr, it, nl, pl): provider.name; pages in those languages show it in another language, inside their sentences"
        ),
        "{out}"
    );
    assert!(out.contains("no problems"), "warnings never fail: {out}");

    // Every text in the seven languages: no warning.
    let mapping = dir.path().join("mappings/birth-certificate.yaml");
    let text = std::fs::read_to_string(&mapping).unwrap();
    let all = "{ EN: x, DE: x, ES: x, FR: x, IT: x, NL: x, PL: x }";
    let mut lines: Vec<String> = Vec::new();
    let mut in_labels = false;
    for line in text.lines() {
        if line == "labels:" {
            in_labels = true;
        } else if in_labels && line.starts_with("  ") {
            let field = line.trim().split(':').next().unwrap();
            lines.push(format!("  {field}: {all}"));
            continue;
        } else {
            in_labels = false;
        }
        lines.push(line.to_owned());
    }
    let text = lines.join("\n").replacen(
        "    DE: Geburtsurkunde\n",
        "    DE: Geburtsurkunde\n    ES: x\n    FR: x\n    IT: x\n    NL: x\n    PL: x\n",
        1,
    );
    std::fs::write(&mapping, text).unwrap();
    let cfg = dir.path().join("adapter.yaml");
    let text = std::fs::read_to_string(&cfg).unwrap().replacen(
        "    DE: Standesamt Berlin I\n",
        "    DE: Standesamt Berlin I\n    ES: x\n    FR: x\n    IT: x\n    NL: x\n    PL: x\n",
        1,
    );
    std::fs::write(&cfg, text).unwrap();
    let out = check(dir.path());
    assert!(!out.contains("OEA-W0101"), "{out}");
}

#[test]
fn an_unknown_time_zone_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&workspace().join("examples/quickstart"), dir.path());
    let cfg = dir.path().join("adapter.yaml");
    let text = std::fs::read_to_string(&cfg).unwrap().replacen(
        "preview:\n",
        "preview:\n  time_zone: Europe/Atlantis\n",
        1,
    );
    std::fs::write(&cfg, text).unwrap();
    let out = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .arg("check")
            .arg(dir.path()),
        120,
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!out.status.success());
    assert!(
        stdout.contains(
            "OEA-E0131: preview.time_zone: 'Europe/Atlantis' is not an IANA time zone name"
        ),
        "{stdout}"
    );
}
