//! Renderer behaviour: strict mode, per-kind escaping, output validation, helpers.

use chrono::NaiveDate;
use oots_framework::render::{DocumentKind, RenderError, Renderer};
use serde_json::{Value, json};

fn renderer(name: &str, kind: DocumentKind, source: &str) -> Renderer {
    let mut r = Renderer::new();
    r.register(name, kind, source, "templates/test.hbs")
        .unwrap();
    r
}

fn text(r: &Renderer, name: &str, data: &Value) -> String {
    String::from_utf8(r.render(name, data).unwrap().bytes).unwrap()
}

#[test]
fn strict_mode_missing_field_names_the_path_not_values() {
    let r = renderer(
        "birth",
        DocumentKind::Xml,
        "<Birth>\n  <Given>{{person.givenName}}</Given>\n  <Family>{{person.familyName}}</Family>\n</Birth>",
    );
    let err = r
        .render(
            "birth",
            &json!({"person": {"givenName": "Sensitive-Given"}}),
        )
        .unwrap_err();
    assert_eq!(err.code(), "RENDER_MISSING_FIELD");
    match &err {
        RenderError::MissingField {
            template,
            path,
            line,
            ..
        } => {
            assert_eq!(template, "birth");
            assert_eq!(path, "person.familyName");
            assert_eq!(*line, Some(3));
        }
        other => panic!("unexpected {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("person.familyName"), "{msg}");
    assert!(!msg.contains("Sensitive"), "{msg}");
}

#[test]
fn strict_mode_applies_inside_helpers() {
    let r = renderer(
        "t",
        DocumentKind::Html,
        "<p>{{upper person.familyName}}</p>",
    );
    let err = r.render("t", &json!({"person": {}})).unwrap_err();
    assert_eq!(err.code(), "RENDER_MISSING_FIELD");
    assert!(err.to_string().contains("person.familyName"), "{err}");
}

#[test]
fn optional_fields_can_be_guarded_with_if() {
    let r = renderer(
        "t",
        DocumentKind::Xml,
        "<a>{{#if person.middleName}}<m>{{person.middleName}}</m>{{/if}}</a>",
    );
    assert_eq!(text(&r, "t", &json!({"person": {}})), "<a></a>");
}

#[test]
fn xml_escaping_keeps_documents_well_formed_and_round_trips() {
    let r = renderer(
        "t",
        DocumentKind::Xml,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r a=\"{{v}}\" b='{{v}}'>{{v}}</r>",
    );
    let value = "<a&b> \"quoted\" 'single'";
    let out = text(&r, "t", &json!({ "v": value }));
    let doc = roxmltree::Document::parse(&out).unwrap();
    let root = doc.root_element();
    assert_eq!(root.text(), Some(value));
    assert_eq!(root.attribute("a"), Some(value));
    assert_eq!(root.attribute("b"), Some(value));
}

#[test]
fn triple_stash_stays_raw() {
    let r = renderer("t", DocumentKind::Xml, "<r>{{{fragment}}}</r>");
    let out = text(&r, "t", &json!({"fragment": "<b>bold</b>"}));
    assert_eq!(out, "<r><b>bold</b></r>");
}

#[test]
fn broken_xml_is_invalid_output_without_values() {
    let r = renderer("t", DocumentKind::Xml, "<a><b>{{v}}</a>");
    let err = r.render("t", &json!({"v": "Secret-Value"})).unwrap_err();
    assert_eq!(err.code(), "RENDER_INVALID_OUTPUT");
    assert!(matches!(&err, RenderError::InvalidOutput { template, .. } if template == "t"));
    assert!(!err.to_string().contains("Secret"), "{err}");
}

#[test]
fn xml_with_dtd_is_refused() {
    let r = renderer(
        "t",
        DocumentKind::Xml,
        "<!DOCTYPE r [<!ENTITY x \"y\">]><r>&x;</r>",
    );
    let err = r.render("t", &json!({})).unwrap_err();
    assert_eq!(err.code(), "RENDER_INVALID_OUTPUT");
}

#[test]
fn json_escaping_yields_parseable_json() {
    let r = renderer(
        "t",
        DocumentKind::Json,
        "{ \"name\": \"{{name}}\", \"note\": \"{{note}}\" }",
    );
    let name = "Anna \"Ann\" O'Neil \\ test";
    let note = "line 1\nline 2\ttab\u{1}ctl";
    let out = text(&r, "t", &json!({"name": name, "note": note}));
    let parsed: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(parsed["name"], name);
    assert_eq!(parsed["note"], note);
}

#[test]
fn broken_json_is_invalid_output() {
    let r = renderer("t", DocumentKind::Json, "{ \"a\": {{n}} ");
    let err = r.render("t", &json!({"n": 1})).unwrap_err();
    assert_eq!(err.code(), "RENDER_INVALID_OUTPUT");
}

#[test]
fn html_escaping() {
    let r = renderer("t", DocumentKind::Html, "<p>{{v}}</p>");
    assert_eq!(
        text(&r, "t", &json!({"v": "<script>&"})),
        "<p>&lt;script&gt;&amp;</p>"
    );
}

#[test]
fn compile_error_reports_origin_line_and_column() {
    let mut r = Renderer::new();
    let err = r
        .register(
            "broken",
            DocumentKind::Xml,
            "<a>\n  <b>{{ok}}</b>\n  <c>{{#if x}}</c>\n</a>\n",
            "templates/birth.xml.hbs",
        )
        .unwrap_err();
    assert_eq!(err.code(), "RENDER_TEMPLATE_SYNTAX");
    let RenderError::TemplateSyntax { line, column, .. } = &err else {
        panic!("unexpected {err:?}");
    };
    assert!(*line >= 3, "line {line}");
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!("templates/birth.xml.hbs:{line}:{column}:")),
        "{msg}"
    );

    let err = r
        .register("bad", DocumentKind::Json, "{\n{{foo bar}\n", "x.hbs")
        .unwrap_err();
    let RenderError::TemplateSyntax { line, .. } = err else {
        panic!("unexpected {err:?}");
    };
    assert_eq!(line, 2);
}

#[test]
fn date_helper_formats_iso_dates() {
    let r = renderer(
        "t",
        DocumentKind::Html,
        "{{date d \"%d.%m.%Y\"}}|{{date d}}|{{date ts \"%d/%m/%Y %H:%M\"}}|{{date n}}",
    );
    let out = text(
        &r,
        "t",
        &json!({"d": "1990-02-01", "ts": "2024-05-06T07:08:09+02:00", "n": null}),
    );
    assert_eq!(out, "01.02.1990|1990-02-01|06/05/2024 07:08|");

    let err = r
        .render(
            "t",
            &json!({"d": "01.02.1990", "ts": "2024-05-06", "n": null}),
        )
        .unwrap_err();
    assert_eq!(err.code(), "RENDER_FAILED");
    assert!(err.to_string().contains("`d`"), "{err}");
    assert!(!err.to_string().contains("01.02.1990"), "{err}");
}

#[test]
fn date_helper_rejects_bad_patterns_without_panicking() {
    let r = renderer("t", DocumentKind::Html, "{{date d \"%Q\"}}");
    let err = r.render("t", &json!({"d": "1990-02-01"})).unwrap_err();
    assert_eq!(err.code(), "RENDER_FAILED");
}

#[test]
fn default_upper_lower_eq_helpers() {
    let r = renderer(
        "t",
        DocumentKind::Html,
        "{{default a \"—\"}},{{default b \"—\"}},{{default c \"—\"}},{{default d \"x\"}},{{upper e}},{{lower e}},{{#if (eq s \"ACTIVE\")}}yes{{else}}no{{/if}},{{#if (eq n 1)}}one{{/if}}",
    );
    let out = text(
        &r,
        "t",
        &json!({"b": null, "c": "", "d": "kept", "e": "Straße", "s": "ACTIVE", "n": 1.0}),
    );
    assert_eq!(out, "—,—,—,kept,STRASSE,straße,yes,one");
}

#[test]
fn eq_on_missing_variable_is_a_strict_error() {
    let r = renderer("t", DocumentKind::Html, "{{#if (eq status \"X\")}}y{{/if}}");
    let err = r.render("t", &json!({})).unwrap_err();
    assert_eq!(err.code(), "RENDER_MISSING_FIELD");
    assert!(err.to_string().contains("status"), "{err}");
}

#[test]
fn partials_take_the_escaping_of_the_including_template() {
    let mut r = Renderer::new();
    r.register_partial("name", "{{person.name}}", "partials/name.hbs")
        .unwrap();
    r.register("x", DocumentKind::Xml, "<n>{{> name}}</n>", "x.hbs")
        .unwrap();
    r.register("j", DocumentKind::Json, "{\"n\": \"{{> name}}\"}", "j.hbs")
        .unwrap();
    let data = json!({"person": {"name": "A & \"B\""}});
    assert_eq!(text(&r, "x", &data), "<n>A &amp; &quot;B&quot;</n>");
    let parsed: Value = serde_json::from_str(&text(&r, "j", &data)).unwrap();
    assert_eq!(parsed["n"], "A & \"B\"");
}

#[test]
fn unknown_template_and_reregistration() {
    let mut r = Renderer::new();
    let err = r.render("nope", &json!({})).unwrap_err();
    assert_eq!(err.code(), "RENDER_UNKNOWN_TEMPLATE");

    r.register("t", DocumentKind::Xml, "<a/>", "a.hbs").unwrap();
    r.register("t", DocumentKind::Json, "{\"a\": 1}", "a.hbs")
        .unwrap();
    let out = r.render("t", &json!({})).unwrap();
    assert_eq!(out.kind, DocumentKind::Json);
    assert_eq!(out.media_type, "application/json");
    assert_eq!(r.kind_of("t"), Some(DocumentKind::Json));
}

#[test]
fn pdf_templates_render_markup_to_stable_pdf() {
    let r = renderer(
        "p",
        DocumentKind::Pdf,
        "@lang de\n# Geburtsurkunde\nFamilienname | {{familyName}}\nBemerkung | {{remark}}\n> Elektronisch erstellt.\n",
    );
    let data = json!({"familyName": "Muster", "remark": "# not a title\n---"});
    let at = NaiveDate::from_ymd_opt(2024, 1, 2)
        .unwrap()
        .and_hms_opt(3, 4, 5)
        .unwrap();
    let a = r.render_at("p", &data, at).unwrap();
    let b = r.render_at("p", &data, at).unwrap();
    assert_eq!(a.kind, DocumentKind::Pdf);
    assert_eq!(a.media_type, "application/pdf");
    assert!(a.bytes.starts_with(b"%PDF-"));
    assert_eq!(a.bytes, b.bytes);
    let pdf = String::from_utf8_lossy(&a.bytes);
    assert!(pdf.contains("/Title(Geburtsurkunde)"), "title from markup");
    assert!(pdf.contains("/Lang(de)"));
    // The value's markup characters arrive as text of the row, not as a title or rule.
    let Some(tool) = oots_testskip::skip_unless_env(
        "PDFTOTEXT",
        "the text check (set PDFTOTEXT=/usr/bin/pdftotext, Debian poppler-utils)",
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.pdf");
    std::fs::write(&path, &a.bytes).unwrap();
    let out = std::process::Command::new(tool)
        .args(["-raw", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Bemerkung # not a title ---"),
        "escaped value shown literally: {text}"
    );
}

#[test]
fn pdf_language_comes_from_the_markup_else_from_the_distribution() {
    let at = NaiveDate::from_ymd_opt(2024, 1, 2)
        .unwrap()
        .and_hms_opt(3, 4, 5)
        .unwrap();
    let data = json!({"evidence": {"language": "EL"}});
    let plain = renderer("p", DocumentKind::Pdf, "# Πιστοποιητικό\n");
    let pdf = plain.render_at("p", &data, at).unwrap().bytes;
    let pdf = String::from_utf8_lossy(&pdf);
    assert!(pdf.contains("/Lang(el)"), "the distribution's language");
    assert!(pdf.contains("<pdfaid:conformance>A</pdfaid:conformance>"));
    let marked = renderer("p", DocumentKind::Pdf, "@lang de\n# Urkunde\n");
    let pdf = marked.render_at("p", &data, at).unwrap().bytes;
    assert!(
        String::from_utf8_lossy(&pdf).contains("/Lang(de)"),
        "@lang wins"
    );
    let none = plain.render_at("p", &json!({}), at).unwrap().bytes;
    let none = String::from_utf8_lossy(&none);
    assert!(!none.contains("/Lang("));
    assert!(none.contains("<pdfaid:conformance>U</pdfaid:conformance>"));
}
