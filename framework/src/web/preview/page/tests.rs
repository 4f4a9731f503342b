//! Tests of the preview pages: every page in every language, escaping, overrides, the
//! stylesheet's contrast.

use super::values::short_format;
use super::*;

fn ctx(lang: &str) -> PageContext {
    PageContext {
        lang: Lang(lang.to_owned()),
        base_path: "/preview".to_owned(),
        current_path: "/preview/abc123".to_owned(),
        authority_name: "Registry <Office> & Co".to_owned(),
    }
}

fn review() -> Page {
    Page::Review {
        requester_name: "Ministry <i>X</i>".to_owned(),
        subject_name: "Jane \"Q\" Doe".to_owned(),
        evidences: vec![
            EvidenceView {
                title: "Birth certificate".to_owned(),
                title_lang: None,
                fields: vec![
                    FieldView::new("Family name", "<b>x</b>"),
                    FieldView::new("Date of birth", "1990-04-01"),
                ],
                document: Some(DocumentLink {
                    url: "/preview/abc123/document/0".to_owned(),
                    media_type: "application/pdf".to_owned(),
                    label: "Birth certificate (document)".to_owned(),
                }),
                associated: vec![DocumentLink {
                    url: "/preview/abc123/associated/0".to_owned(),
                    media_type: "application/pdf".to_owned(),
                    label: "Geburtsurkunde".to_owned(),
                }],
                choice: None,
            },
            EvidenceView {
                title: "Empty one".to_owned(),
                title_lang: None,
                fields: Vec::new(),
                document: None,
                associated: Vec::new(),
                choice: None,
            },
        ],
        action_url: "/preview/abc123/decision".to_owned(),
        csrf_token: "tok\"en<1>".to_owned(),
        expires_at: "2030-05-06T07:08:09+02:00".to_owned(),
    }
}

fn all_pages() -> Vec<Page> {
    let back = Some("https://requester.example/back?x=1&y=2".to_owned());
    vec![
        Page::SignIn {
            requester_name: "<b>x</b>".to_owned(),
            evidence_titles: vec!["Birth certificate".to_owned(), "<b>x</b>".to_owned()],
            sign_in_url: "/preview/abc123/sign-in".to_owned(),
            expires_at: "2030-05-06T07:08:09Z".to_owned(),
        },
        review(),
        Page::Decided {
            approved: true,
            return_url: back.clone(),
        },
        Page::Decided {
            approved: false,
            return_url: None,
        },
        Page::Expired {
            return_url: back.clone(),
        },
        Page::Expired { return_url: None },
        Page::IdentityMismatch {
            return_url: back.clone(),
        },
        Page::IdentityMismatch { return_url: None },
        Page::Unresolved {
            return_url: back.clone(),
        },
        Page::Unresolved { return_url: None },
        Page::Invalid,
        Page::Failed {
            reference: "<b>x</b>".to_owned(),
        },
    ]
}

fn ui() -> PreviewUi {
    PreviewUi::embedded().unwrap()
}

#[test]
fn preview_ui_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<PreviewUi>();
}

#[test]
fn every_page_renders_in_every_language() {
    let ui = ui();
    let langs = ui.catalog().languages();
    assert_eq!(langs.len(), 7);
    for lang in langs {
        for page in all_pages() {
            let html = ui
                .render(&page, &ctx(lang.as_str()))
                .unwrap_or_else(|e| panic!("{lang} {page:?}: {e}"));
            let what = format!("{lang} {}", page.template());
            assert!(html.starts_with("<!DOCTYPE html>"), "{what}");
            assert!(html.contains(&format!("<html lang=\"{lang}\"")), "{what}");
            assert_eq!(html.matches("<h1").count(), 1, "{what}");
            assert_eq!(html.matches("<title>").count(), 1, "{what}");
            assert_eq!(html.matches("<main").count(), 1, "{what}");
            assert_eq!(html.matches("<header").count(), 1, "{what}");
            assert_eq!(html.matches("<footer").count(), 1, "{what}");
            assert!(!html.to_lowercase().contains("<script"), "{what}");
            assert!(!html.contains(" style="), "{what}");
            assert!(!html.contains("<style"), "{what}");
            assert!(!html.contains("<b>"), "{what}: unescaped markup");
            assert!(!html.contains("<i>"), "{what}: unescaped markup");
            assert!(html.contains("href=\"#main\""), "{what}: skip link");
            // No untranslated placeholder or text key left.
            assert!(!html.contains("{requester}"), "{what}");
            assert!(!html.contains("{authority}"), "{what}");
            assert!(!html.contains("{expires_at}"), "{what}");
            // The page title is the text of the heading.
            let title = ui.catalog().text(&lang, page.title_key());
            let title = handlebars::html_escape(&title);
            assert!(html.contains(&format!("<h1>{title}</h1>")), "{what}");
            assert!(html.contains(&format!("<title>{title} – ")), "{what}");
        }
    }
}

/// A requester's name (or the subject's) with a right-to-left override would show the
/// citizen another name than the one sent ("Ministry" spelt backwards is "yrtsiniM").
#[test]
fn bidi_and_invisible_characters_of_request_names_are_shown_as_replacement_marks() {
    let ui = ui();
    let page = Page::SignIn {
        requester_name: "Bank\u{202E}yrtsiniM\u{200B}".to_owned(),
        evidence_titles: vec!["Birth certificate".to_owned()],
        sign_in_url: "/preview/abc123/sign-in".to_owned(),
        expires_at: "2030-05-06T07:08:09+02:00".to_owned(),
    };
    let html = ui.render(&page, &ctx("en")).unwrap();
    assert!(
        !html.contains('\u{202E}') && !html.contains('\u{200B}'),
        "{html}"
    );
    assert!(html.contains("Bank\u{FFFD}yrtsiniM\u{FFFD}"), "{html}");
    let mut review = review();
    if let Page::Review { subject_name, .. } = &mut review {
        *subject_name = "Jane\u{2066}Doe".to_owned();
    }
    let html = ui.render(&review, &ctx("en")).unwrap();
    assert!(!html.contains('\u{2066}'), "{html}");
}

#[test]
fn user_values_are_escaped() {
    let ui = ui();
    for page in all_pages() {
        let html = ui.render(&page, &ctx("en")).unwrap();
        assert!(html.contains("Registry &lt;Office&gt; &amp; Co"));
        if matches!(
            page,
            Page::SignIn { .. } | Page::Review { .. } | Page::Failed { .. }
        ) {
            assert!(html.contains("&lt;b&gt;x&lt;/b&gt;"), "{}", page.template());
        }
    }
    let html = ui.render(&review(), &ctx("en")).unwrap();
    assert!(html.contains("Ministry &lt;i&gt;X&lt;/i&gt;"));
    assert!(html.contains("Jane &quot;Q&quot; Doe"));
}

#[test]
fn review_has_the_form_the_fields_and_the_document() {
    let html = ui().render(&review(), &ctx("fr")).unwrap();
    assert!(html.contains(
        "<form id=\"decision-form\" method=\"post\" action=\"/preview/abc123/decision\">"
    ));
    assert!(html.contains("<input type=\"hidden\" name=\"csrf\" value=\"tok&quot;en&lt;1&gt;\">"));
    assert!(
        html.contains("name=\"decision\" value=\"approve\">Utiliser ces justificatifs</button>")
    );
    assert!(html.contains("name=\"decision\" value=\"decline\">Ne pas utiliser</button>"));
    assert!(html.contains("<dt>Family name</dt>"));
    assert!(html.contains("<dd>&lt;b&gt;x&lt;/b&gt;</dd>"));
    assert!(html.contains("<dt>Date of birth</dt>"));
    // A record date in the page language, never ISO.
    assert!(html.contains("<dd>1er avril 1990</dd>"), "{html}");
    assert!(!html.contains("1990-04-01"));
    assert!(html.contains(
        "<a href=\"/preview/abc123/document/0\" type=\"application/pdf\">Birth certificate (document)</a>"
    ));
    assert!(html.contains("(PDF)"));
    assert!(html.contains("<h2 id=\"evidence-0\">Birth certificate</h2>"));
    assert!(html.contains("aria-labelledby=\"evidence-1\""));
    assert!(html.contains("Aucun détail à afficher pour ce justificatif."));
    assert!(html.contains("Demandeur : Ministry &lt;i&gt;X&lt;/i&gt;</p>"));
    // RFC 3339 expiry shown in the default zone (Brussels), named, in French.
    assert!(
        html.contains("Date limite : 6 mai 2030, 07:08 CEST."),
        "{html}"
    );
    assert!(!html.contains("2030-05-06"));
    assert_eq!(html.matches("<form").count(), 1);
    assert_eq!(html.matches("type=\"submit\"").count(), 2);
    // One evidence alone: no tick-box, the two buttons decide.
    assert!(!html.contains("type=\"checkbox\""), "{html}");
}

/// Several evidences (`evidence.several`): a tick-box each, bound to the decision form,
/// unticked, carrying the evidence id; and the text saying only ticked ones are sent.
#[test]
fn several_evidences_get_a_tick_box_each() {
    let mut page = review();
    if let Page::Review { evidences, .. } = &mut page {
        evidences[0].choice = Some("id-\"1\"".to_owned());
        evidences[1].choice = Some("id-2".to_owned());
    }
    let html = ui().render(&page, &ctx("en")).unwrap();
    assert_eq!(html.matches("type=\"checkbox\"").count(), 2, "{html}");
    assert!(html.contains(
        "<input type=\"checkbox\" form=\"decision-form\" name=\"evidence\" value=\"id-&quot;1&quot;\">"
    ));
    assert!(html.contains("name=\"evidence\" value=\"id-2\"> Send this evidence"));
    assert!(!html.contains("checked"), "{html}");
    assert!(html.contains("only the ticked ones are sent"));
}

#[test]
fn header_has_stylesheet_and_labelled_language_switcher() {
    let html = ui().render(&Page::Invalid, &ctx("de")).unwrap();
    assert!(html.contains("<link rel=\"stylesheet\" href=\"/preview/static/preview.css\">"));
    assert!(html.contains("<nav class=\"languages\" aria-label=\"Sprache\">"));
    assert!(html.contains(
        "<a href=\"/preview/abc123?lang&#x3D;de\" lang=\"de\" hreflang=\"de\" aria-current=\"true\">Deutsch</a>"
    ));
    assert!(html.contains(
        "<a href=\"/preview/abc123?lang&#x3D;fr\" lang=\"fr\" hreflang=\"fr\">Français</a>"
    ));
    assert_eq!(html.matches("aria-current").count(), 1);
    assert_eq!(html.matches("hreflang=").count(), 7);
    assert!(!html.contains("<img"), "no logo unless overridden");
    assert!(html.contains("<title>Dieser Link kann nicht verwendet werden – Registry"));
}

#[test]
fn unsupported_context_language_renders_in_english() {
    let html = ui().render(&Page::Invalid, &ctx("cs")).unwrap();
    assert!(html.contains("<html lang=\"en\""));
    assert!(html.contains("This link cannot be used"));
}

#[test]
fn decided_pages_differ_and_return_link_is_optional() {
    let ui = ui();
    let approved = ui
        .render(
            &Page::Decided {
                approved: true,
                return_url: Some("https://req.example/back".into()),
            },
            &ctx("en"),
        )
        .unwrap();
    assert!(approved.contains("Your evidence will be sent"));
    assert!(approved.contains("href=\"https://req.example/back\""));
    let declined = ui
        .render(
            &Page::Decided {
                approved: false,
                return_url: None,
            },
            &ctx("en"),
        )
        .unwrap();
    assert!(declined.contains("Your evidence will not be sent"));
    assert!(declined.contains("You can now close this page"));
    // A dangerous return link is left out rather than shown.
    let js = ui
        .render(
            &Page::Decided {
                approved: false,
                return_url: Some("javascript:alert(1)".into()),
            },
            &ctx("en"),
        )
        .unwrap();
    assert!(!js.contains("javascript"));
    assert!(js.contains("You can now close this page"));
}

#[test]
fn mismatch_and_failed_texts() {
    let ui = ui();
    let html = ui
        .render(&Page::IdentityMismatch { return_url: None }, &ctx("en"))
        .unwrap();
    assert!(html.contains(
        "The identity you signed in with does not match the person named in the request. No evidence was sent."
    ));
    let html = ui
        .render(
            &Page::Failed {
                reference: "INC-42".into(),
            },
            &ctx("en"),
        )
        .unwrap();
    assert!(html.contains("<code>INC-42</code>"));
    assert!(html.contains("Authority to contact: Registry &lt;Office&gt; &amp; Co. Please quote"));
}

#[test]
fn unsafe_required_links_are_refused() {
    let page = Page::SignIn {
        requester_name: "R".into(),
        evidence_titles: vec![],
        sign_in_url: "javascript:alert(1)".into(),
        expires_at: "soon".into(),
    };
    let err = ui().render(&page, &ctx("en")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "page `sign_in`: `sign_in_url` is not a safe link (expected https://, http:// or a path starting with /)"
    );
}

#[test]
fn non_rfc3339_expiry_is_shown_as_given() {
    let page = Page::SignIn {
        requester_name: "R".into(),
        evidence_titles: vec!["E".into()],
        sign_in_url: "https://idp.example/auth?a=1".into(),
        expires_at: "in 15 minutes".into(),
    };
    let html = ui().render(&page, &ctx("en")).unwrap();
    assert!(html.contains("Valid until: in 15 minutes."));
    assert!(
        html.contains("class=\"button button-primary\" href=\"https://idp.example/auth?a&#x3D;1\"")
    );
}

#[test]
fn language_urls_replace_the_lang_parameter() {
    assert_eq!(language_url("/p/abc", "fr"), "/p/abc?lang=fr");
    assert_eq!(language_url("/p/abc?lang=de", "fr"), "/p/abc?lang=fr");
    assert_eq!(
        language_url("/p/abc?x=1&lang=de#top", "fr"),
        "/p/abc?x=1&lang=fr"
    );
}

#[test]
fn short_formats() {
    assert_eq!(short_format("application/pdf"), "PDF");
    assert_eq!(short_format("Application/XML; charset=utf-8"), "XML");
    assert_eq!(short_format("image/tiff"), "image/tiff");
}

// ---------------------------------------------------------------- overrides

fn write(dir: &Path, name: &str, text: &str) {
    if let Some(parent) = dir.join(name).parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(dir.join(name), text).unwrap();
}

fn czech(without: Option<&str>) -> String {
    let en: BTreeMap<String, String> =
        serde_json::from_str(include_str!("../../../../../preview-ui/i18n/en.json")).unwrap();
    let mut cs: BTreeMap<String, String> = en
        .into_iter()
        .map(|(k, v)| (k, format!("[cs] {v}")))
        .collect();
    cs.insert("lang_name".into(), "Čeština".into());
    cs.insert("invalid_title".into(), "Tento odkaz nelze použít".into());
    if let Some(key) = without {
        cs.remove(key);
    }
    serde_json::to_string_pretty(&cs).unwrap()
}

#[test]
fn override_template_and_incomplete_language_gets_the_key_in_english() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "review.hbs",
        "{{#> layout}}<h1>Custom {{page.subject_name}}</h1>{{/layout}}",
    );
    write(dir.path(), "cs.json", &czech(Some("invalid_text")));
    let ui = PreviewUi::with_overrides(Some(dir.path())).unwrap();
    let html = ui.render(&Page::Invalid, &ctx("cs")).unwrap();
    assert!(html.contains("<h1>Tento odkaz nelze použít</h1>"));
    assert!(html.contains("The link is not valid"), "{html}");
}

#[test]
fn override_template_and_complete_language_adds_czech() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "review.hbs",
        "{{#> layout}}<h1>Custom {{page.subject_name}}</h1>{{/layout}}",
    );
    write(dir.path(), "cs.json", &czech(None));
    let ui = PreviewUi::with_overrides(Some(dir.path())).unwrap();
    let codes: Vec<String> = ui.catalog().languages().into_iter().map(|l| l.0).collect();
    assert_eq!(codes, ["en", "cs", "de", "es", "fr", "it", "nl", "pl"]);
    let html = ui.render(&review(), &ctx("en")).unwrap();
    assert!(html.contains("<h1>Custom Jane &quot;Q&quot; Doe</h1>"));
    assert!(!html.contains("<form"));
    let html = ui.render(&Page::Invalid, &ctx("cs")).unwrap();
    assert!(html.contains("<html lang=\"cs\""));
    assert!(html.contains("<h1>Tento odkaz nelze použít</h1>"));
    assert!(html.contains(">Čeština</a>"));
    let lang = ui.catalog().negotiate(None, Some("cs-CZ,en;q=0.5"), &[]);
    assert_eq!(lang.as_str(), "cs");
}

#[test]
fn override_subfolders_css_and_logo() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "static/preview.css", "body { color: #000000; }");
    write(
        dir.path(),
        "static/logo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\"></svg>",
    );
    write(
        dir.path(),
        "templates/invalid.hbs",
        "{{#> layout}}<h1>Nope</h1>{{/layout}}",
    );
    write(dir.path(), "i18n/fr.json", &czech(None));
    write(dir.path(), "README.md", "ignored");
    let ui = PreviewUi::with_overrides(Some(dir.path())).unwrap();
    assert_eq!(ui.stylesheet(), "body { color: #000000; }");
    let (media_type, bytes) = ui.logo().unwrap();
    assert_eq!(media_type, "image/svg+xml");
    assert!(bytes.starts_with(b"<svg"));
    let html = ui.render(&Page::Invalid, &ctx("fr")).unwrap();
    assert!(html.contains("<h1>Nope</h1>"));
    assert!(html.contains("<img class=\"logo\" src=\"/preview/static/logo\" alt=\"\">"));
    // fr.json was replaced as a whole.
    assert!(html.contains("[cs] Aller") || html.contains("[cs] Skip to main content"));
}

#[test]
fn override_errors_are_clear() {
    let case = |files: &[(&str, &str)]| -> String {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            write(dir.path(), name, text);
        }
        let err = PreviewUi::with_overrides(Some(dir.path())).unwrap_err();
        err.to_string()
            .replace(&dir.path().display().to_string(), "DIR")
    };
    assert_eq!(
        case(&[("reviw.hbs", "x")]),
        "DIR/reviw.hbs: not a preview template (expected one of: layout.hbs, sign_in.hbs, \
         review.hbs, decided.hbs, expired.hbs, identity_mismatch.hbs, unresolved.hbs, invalid.hbs, \
         failed.hbs)"
    );
    assert!(
        case(&[("review.hbs", "{{#> layout}}{{#if}}{{/layout}}")]).starts_with("DIR/review.hbs:1:")
    );
    assert_eq!(
        case(&[("review.hbs", "{{#> layout}}{{page.nope}}{{/layout}}")]),
        "template `review` at 1:14: missing field `page.nope`"
    );
    assert_eq!(
        case(&[("invalid.hbs", "{{t \"no_such_key\"}}")]),
        "template `invalid` at 1:1: no text for key `no_such_key`"
    );
    assert_eq!(
        case(&[("English.json", "{}")]),
        "DIR/English.json: translation files are named after a 2- or 3-letter lowercase \
         language code, e.g. cs.json"
    );
    assert!(case(&[("cs.json", "[1, 2]")]).starts_with("DIR/cs.json: not a flat JSON object"));
    let mut with_empty: BTreeMap<String, String> = serde_json::from_str(&czech(None)).unwrap();
    with_empty.insert("skip_link".into(), " ".into());
    assert_eq!(
        case(&[("cs.json", &serde_json::to_string(&with_empty).unwrap())]),
        "DIR/cs.json: key `skip_link` has an empty text"
    );
    let mut bad_placeholder: BTreeMap<String, String> = serde_json::from_str(&czech(None)).unwrap();
    bad_placeholder.insert("review_intro".into(), "{requestor} žádá".into());
    assert_eq!(
        case(&[("cs.json", &serde_json::to_string(&bad_placeholder).unwrap())]),
        "DIR/cs.json: key `review_intro` uses placeholder `{requestor}`, which the English \
         text does not have"
    );
    assert_eq!(
        case(&[("style.css", "")]),
        "DIR/style.css: not a preview UI file (expected preview.css)"
    );
    assert_eq!(
        case(&[("preview.css", "a"), ("static/preview.css", "b")]),
        "DIR/preview.css and DIR/static/preview.css: the same file is given twice; keep one"
    );
    assert_eq!(
        case(&[("logo.png", "not a png")]),
        "DIR/logo.png: not a image/png file"
    );
    assert_eq!(
        case(&[("logo.jpg", "x")]),
        "DIR/logo.jpg: not a preview UI file (expected logo.svg or logo.png)"
    );
    let missing = Path::new("/nonexistent/preview-ui-overrides");
    let err = PreviewUi::with_overrides(Some(missing)).unwrap_err();
    assert!(err.to_string().starts_with(
        "preview UI override directory /nonexistent/preview-ui-overrides: cannot be read"
    ));
}

// ---------------------------------------------------------------- stylesheet

/// `--name: #rrggbb;` custom properties of the stylesheet.
fn css_colours() -> BTreeMap<String, (f64, f64, f64)> {
    let mut colours = BTreeMap::new();
    for line in STYLESHEET.lines() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("--") else {
            continue;
        };
        let (name, value) = rest.split_once(':').unwrap();
        let hex = value.trim().trim_end_matches(';').trim_start_matches('#');
        assert_eq!(hex.len(), 6, "--{name} must be #rrggbb");
        let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap();
        colours.insert(
            name.trim().to_owned(),
            (
                f64::from(channel(0)),
                f64::from(channel(2)),
                f64::from(channel(4)),
            ),
        );
    }
    colours
}

/// WCAG 2.1 contrast ratio.
fn contrast(a: (f64, f64, f64), b: (f64, f64, f64)) -> f64 {
    fn lum((r, g, b): (f64, f64, f64)) -> f64 {
        let c = |v: f64| {
            let s = v / 255.0;
            if s <= 0.039_28 {
                s / 12.92
            } else {
                ((s + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b)
    }
    let (la, lb) = (lum(a), lum(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

#[test]
fn stylesheet_colours_have_enough_contrast() {
    let c = css_colours();
    let text_pairs = [
        ("text", "background"),
        ("muted", "background"),
        ("link", "background"),
        ("link-visited", "background"),
        ("link-hover", "background"),
        ("header-text", "header-background"),
        ("footer-text", "footer-background"),
        ("link", "footer-background"),
        ("text", "notice-background"),
        ("primary-text", "primary-background"),
        ("primary-text", "primary-hover"),
        ("secondary-text", "secondary-background"),
        ("secondary-text", "secondary-hover"),
        ("focus-text", "focus"),
    ];
    for (fg, bg) in text_pairs {
        let ratio = contrast(c[fg], c[bg]);
        assert!(ratio >= 4.5, "--{fg} on --{bg}: {ratio:.2} < 4.5");
    }
    // Non-text contrast (focus ring, borders, button outline): at least 3:1.
    let ui_pairs = [
        ("focus", "header-background"),
        ("focus-text", "background"),
        ("border", "background"),
        ("notice-border", "notice-background"),
        ("primary-background", "background"),
    ];
    for (fg, bg) in ui_pairs {
        let ratio = contrast(c[fg], c[bg]);
        assert!(ratio >= 3.0, "--{fg} on --{bg}: {ratio:.2} < 3");
    }
}

#[test]
fn stylesheet_is_self_contained_with_large_buttons_and_focus_styles() {
    assert!(!STYLESHEET.contains("@import"));
    assert!(!STYLESHEET.contains("url("));
    assert!(STYLESHEET.contains("min-height: 44px"));
    assert!(STYLESHEET.contains(":focus"));
    assert!(STYLESHEET.contains("@media (max-width"));
}

#[test]
fn the_review_page_links_the_documents_held_with_the_evidence() {
    let html = ui().render(&review(), &ctx("en")).unwrap();
    assert!(
        html.contains(
            "<a href=\"/preview/abc123/associated/0\" type=\"application/pdf\">Geburtsurkunde</a>"
        ),
        "{html}"
    );
}
