//! `oots-adapter preview`: renders, offline, the review page a citizen would see for one
//! of a mapping file's tests, so the authority can check it before going live.
//!
//! The test's request is sent with `PossibilityForPreview=true` through the same exchange
//! `oots-adapter test` runs (the test's registry fixtures, an in-memory state store, a
//! fixed clock, sequential ids). The `EDM:ERR:0002` answer leaves a preview session in the
//! store; its held data is rendered as the live route renders it after sign-in, with the
//! stylesheet inlined and the document link pointing at a copy of the held evidence
//! written next to the page.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use super::{CliError, init_logging};
use crate::clock::SequentialIds;
use crate::config::AdapterConfig;
use crate::edm::{self, ErrorCode, QueryResponse, XmlLimits};
use crate::exchange::{Answer, Attachment, Exchange, Outcome};
use crate::mapping::{Mapping, MappingSet, PreviewPolicy, TestCase};
use crate::preview::held::{Held, Produced};
use crate::preview::i18n::Lang;
use crate::preview::session::Session;
use crate::requester;
use crate::verify;
use crate::web::preview::page::{LOGO_PATH, PageContext, PreviewUi, STYLESHEET_PATH};
use crate::web::preview::routes::base_path;

/// The anti-forgery token written into the offline page's decision form (the live page
/// carries a random one per session).
const CSRF_PLACEHOLDER: &str = "offline-preview";

/// The browser the offline session is opened in (it only moves the session to "opened",
/// so the page shows the same deadline as the live one).
const OFFLINE_BROWSER: &str = "offline-preview";

/// Command-line options of `oots-adapter preview`.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// The mapping file whose test is rendered.
    #[arg(long)]
    mapping: PathBuf,
    /// The `name` of the test (under the mapping file's `tests:`) whose request and
    /// registry records are used.
    #[arg(long)]
    fixture: String,
    /// Where the HTML page is written; the held evidence document is written next to it
    /// (`page.html` → `page-evidence.pdf`, by media type).
    #[arg(long)]
    out: PathBuf,
    /// Page language (`de`, `fr`, …); default: the first supported language of the
    /// request, else English.
    #[arg(long)]
    lang: Option<String>,
    /// The deployment's adapter.yaml; default: the nearest one in the mapping file's
    /// folder or above it.
    #[arg(long)]
    config: Option<PathBuf>,
}

/// Renders the page; exit 1 when the test's answer offers no preview (with the reason).
pub(super) async fn run(o: &Options) -> Result<ExitCode, CliError> {
    init_logging(false, "error");
    let config_path = match &o.config {
        Some(c) => c.clone(),
        None => find_deployment(&o.mapping)?,
    };
    // As for `oots-adapter test`: only a deployment that checks clean is run.
    let outcome = verify::check(&config_path, false).await;
    let (Some(set), true) = (outcome.set.as_ref(), outcome.ok()) else {
        return Err(CliError::Other(format!(
            "{} does not pass `check`:\n{}",
            config_path.display(),
            outcome.diagnostics
        )));
    };
    let config = AdapterConfig::load(&config_path)?;
    let m = find_mapping(set, &o.mapping, &config_path)?;
    let t = find_test(m, &o.fixture)?;
    let Some(preview) = held_preview(&config, set, m, t).await? else {
        return Ok(ExitCode::FAILURE);
    };
    let Some(evidence) = preview.held.evidence() else {
        eprintln!(
            "no preview page for test `{}`: its request fits several records (on_ambiguous: preview), and the page shows the one the person's sign-in singles out; choose a test whose request matches one record",
            t.name
        );
        return Ok(ExitCode::FAILURE);
    };
    let page = render_review(o, &config, &preview)?;
    let evidence_path = write_files(o, &page, &preview.token, evidence)?;
    println!(
        "wrote {} (language {}; test `{}` of {})",
        o.out.display(),
        page.lang,
        t.name,
        m.file.display()
    );
    println!(
        "wrote {} ({}, {} bytes)",
        evidence_path.display(),
        evidence.media_type,
        evidence.bytes.len()
    );
    if config.preview.authentication.is_none() {
        println!(
            "note: preview.authentication is not configured, so `serve` does not serve this page yet (docs/preview.md)"
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The preview a test's request leads to, as the store holds it.
struct HeldPreview {
    /// The test's exchange (its clock opens the session).
    exchange: Exchange,
    /// The token of the preview link.
    token: String,
    /// When the link was made.
    created_at: chrono::DateTime<chrono::Utc>,
    held: Held,
}

/// Answers the test's request with `preview` set, through the test's exchange, and reads
/// back the preview the answer points to; `None` (said on stderr) when the answer is no
/// preview.
async fn held_preview(
    config: &AdapterConfig,
    set: &MappingSet,
    m: &Arc<Mapping>,
    t: &TestCase,
) -> Result<Option<HeldPreview>, CliError> {
    let (exchange, now) = verify::fixture_exchange(config, set, m, t)
        .await
        .map_err(CliError::Other)?;
    let mut spec = verify::request_spec(config, m, t).map_err(CliError::Other)?;
    spec.preview = true;
    let request = requester::build_request(&spec, &SequentialIds::default(), now);
    let xml = edm::write_request(&request);
    let answer = exchange
        .answer(xml.as_bytes(), None)
        .await
        .map_err(CliError::other)?;
    let Some(location) = preview_location(&answer) else {
        eprintln!(
            "no preview page for test `{}`: {}",
            t.name,
            no_preview_reason(m, &answer)
        );
        return Ok(None);
    };
    let token = location
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let link = exchange
        .store()
        .find_preview(&token)
        .await
        .map_err(CliError::other)?
        .ok_or_else(|| CliError::other("the preview link of the answer is not in the store"))?;
    let held: Held = link
        .data
        .decode()
        .map_err(|e| CliError::other(format!("the held preview data does not read: {e}")))?;
    Ok(Some(HeldPreview {
        exchange,
        token,
        created_at: link.created_at,
        held,
    }))
}

/// A rendered review page.
struct ReviewPage {
    ui: PreviewUi,
    lang: Lang,
    /// The base path of the preview routes.
    base: String,
    html: String,
}

/// Renders the review page as `serve` would show it right after sign-in, in the
/// language asked for or the request's.
fn render_review(
    o: &Options,
    config: &AdapterConfig,
    p: &HeldPreview,
) -> Result<ReviewPage, CliError> {
    let ui = PreviewUi::with_overrides(config.preview.ui_dir.as_deref())
        .map_err(CliError::other)?
        .with_time_zone(config.preview.zone());
    let lang = page_language(&ui, o.lang.as_deref(), &p.held.languages)?;
    let base = base_path(&config.preview.public_url);
    let timeouts = config.preview.timeouts();
    let mut session = Session::new(p.created_at);
    session
        .open(OFFLINE_BROWSER, p.exchange.now(), &timeouts)
        .map_err(|e| CliError::other(format!("the preview session does not open: {e:?}")))?;
    let expires_at = session
        .deadline(&timeouts)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default();
    let page = crate::web::preview::routes::review_page(
        &p.held,
        lang.as_str(),
        &base,
        &p.token,
        CSRF_PLACEHOLDER,
        &expires_at,
    );
    let context = PageContext {
        lang: lang.clone(),
        base_path: base.clone(),
        current_path: format!("{base}/{}", p.token),
        authority_name: Held::pick(&config.provider.name, lang.as_str())
            .unwrap_or_default()
            .to_owned(),
    };
    let html = ui.render(&page, &context).map_err(CliError::other)?;
    Ok(ReviewPage {
        ui,
        lang,
        base,
        html,
    })
}

/// Writes the evidence document next to `--out` and the page, with its document link
/// pointing to that file and its assets inlined; returns the document's path.
fn write_files(
    o: &Options,
    page: &ReviewPage,
    token: &str,
    evidence: &Produced,
) -> Result<PathBuf, CliError> {
    if let Some(dir) = o.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| CliError::other(format!("{}: {e}", dir.display())))?;
    }
    let name = evidence_file_name(&o.out, &evidence.media_type);
    let evidence_path = o.out.with_file_name(&name);
    std::fs::write(&evidence_path, &evidence.bytes)
        .map_err(|e| CliError::other(format!("{}: {e}", evidence_path.display())))?;
    let base = &page.base;
    let mut html = replace_attribute(
        &page.html,
        "href",
        &format!("{base}/{token}/document"),
        &handlebars::html_escape(&name),
    );
    // Structured evidence: the page links the human-readable version rendered for it.
    if let Some(readable) = &evidence.readable {
        let name = evidence_file_name(&o.out, &readable.media_type);
        let path = o.out.with_file_name(&name);
        std::fs::write(&path, &readable.bytes)
            .map_err(|e| CliError::other(format!("{}: {e}", path.display())))?;
        html = replace_attribute(
            &html,
            "href",
            &format!("{base}/{token}/readable/0"),
            &handlebars::html_escape(&name),
        );
    }
    let html = inline_assets(&html, base, &page.ui);
    std::fs::write(&o.out, html)
        .map_err(|e| CliError::other(format!("{}: {e}", o.out.display())))?;
    Ok(evidence_path)
}

/// The `adapter.yaml` of the deployment `mapping` belongs to: the nearest one in its
/// folder or a folder above.
fn find_deployment(mapping: &Path) -> Result<PathBuf, CliError> {
    if !mapping.is_file() {
        return Err(CliError::Other(format!(
            "{}: no such mapping file",
            mapping.display()
        )));
    }
    let absolute = std::path::absolute(mapping).map_err(CliError::other)?;
    absolute
        .ancestors()
        .skip(1)
        .map(|dir| dir.join("adapter.yaml"))
        .find(|c| c.is_file())
        .ok_or_else(|| {
            CliError::Other(format!(
                "{}: no adapter.yaml found in its folder or above (give --config)",
                mapping.display()
            ))
        })
}

/// The mapping of `set` loaded from `file`.
fn find_mapping<'a>(
    set: &'a MappingSet,
    file: &Path,
    config: &Path,
) -> Result<&'a Arc<Mapping>, CliError> {
    let wanted = std::fs::canonicalize(file)
        .map_err(|e| CliError::other(format!("{}: {e}", file.display())))?;
    set.mappings()
        .iter()
        .find(|m| std::fs::canonicalize(&m.file).is_ok_and(|p| p == wanted))
        .ok_or_else(|| {
            CliError::Other(format!(
                "{} is not a mapping file of {}; its mapping files are:\n{}",
                file.display(),
                config.display(),
                list(set.mappings().iter().map(|m| m.file.display().to_string()))
            ))
        })
}

/// The test of `m` named `name`.
fn find_test<'a>(m: &'a Mapping, name: &str) -> Result<&'a TestCase, CliError> {
    if let Some(t) = m.spec.tests.iter().find(|t| t.name == name) {
        return Ok(t);
    }
    Err(CliError::Other(if m.spec.tests.is_empty() {
        format!("no test named `{name}`: {} has no tests", m.file.display())
    } else {
        format!(
            "no test named `{name}` in {}; its tests are:\n{}",
            m.file.display(),
            list(m.spec.tests.iter().map(|t| t.name.clone()))
        )
    }))
}

fn list(items: impl Iterator<Item = String>) -> String {
    items
        .map(|i| format!("  - {i}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `PreviewLocation` of an `EDM:ERR:0002` answer.
fn preview_location(answer: &Answer) -> Option<String> {
    if answer.code() != Some(ErrorCode::MissingAuthorization.code()) {
        return None;
    }
    match edm::parse_response(answer.document.as_bytes(), &XmlLimits::default()) {
        Ok(QueryResponse::Error(e)) => e
            .exceptions
            .into_iter()
            .find_map(|x| x.preview_location)
            .filter(|l| !l.is_empty()),
        _ => None,
    }
}

/// Why the answer offers no preview, for the message.
fn no_preview_reason(m: &Mapping, answer: &Answer) -> String {
    match &answer.outcome {
        Outcome::Evidence { .. } => {
            if m.spec.policy.preview == PreviewPolicy::Never {
                "the mapping's policy is `preview: never`, so the evidence is sent without a preview".to_owned()
            } else {
                "the evidence was answered directly, without a preview".to_owned()
            }
        }
        // Only a follow-up whose user declined is answered so; a first request never is.
        Outcome::Declined { .. } => {
            "the user declined in the preview: the answer is an evidence response without evidence"
                .to_owned()
        }
        Outcome::Deferred { available, .. } => format!(
            "the record's evidence is not available yet: the answer is a deferral until {available}"
        ),
        // The detail of a subject not found is the same for every reason; the matching
        // outcome tells the authority which it was.
        Outcome::Error { code, detail } => match &answer.matching {
            Some(m) => format!(
                "the answer is {code}: {detail} (matching {}{})",
                m.name(),
                m.explanation()
                    .map(|e| format!(": {}", e.summary()))
                    .unwrap_or_default()
            ),
            None => format!("the answer is {code}: {detail}"),
        },
    }
}

/// `--lang` if given (it must be a language of the preview UI), else the page language
/// the live route negotiates from the request's languages, else English.
fn page_language(
    ui: &PreviewUi,
    explicit: Option<&str>,
    requested: &[String],
) -> Result<Lang, CliError> {
    let catalog = ui.catalog();
    match explicit {
        None => Ok(catalog.negotiate(None, None, requested)),
        Some(tag) => Lang::parse(tag)
            .filter(|l| catalog.supports(l))
            .ok_or_else(|| {
                CliError::Other(format!(
                    "--lang {tag}: the preview pages have no texts in that language; they have: {}",
                    catalog
                        .languages()
                        .iter()
                        .map(Lang::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }),
    }
}

/// `<stem>-evidence.<ext>` for the page file `out` (the extension by media type, as for
/// the answer's attachments).
fn evidence_file_name(out: &Path, media_type: &str) -> String {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "page".to_owned());
    Attachment {
        content_id: format!("{stem}-evidence"),
        mime_type: media_type.to_owned(),
        bytes: Vec::new(),
    }
    .file_name()
}

/// `html` with every `name="value"` attribute (`value` as the page escapes it) set to
/// `replacement` (already escaped).
fn replace_attribute(html: &str, name: &str, value: &str, replacement: &str) -> String {
    html.replace(
        &format!("{name}=\"{}\"", handlebars::html_escape(value)),
        &format!("{name}=\"{replacement}\""),
    )
}

/// The page made self-contained: the stylesheet link replaced by a `<style>` element with
/// the stylesheet, and the logo (if any) as a `data:` URL.
fn inline_assets(html: &str, base: &str, ui: &PreviewUi) -> String {
    let css = ui.stylesheet().replace("</", "<\\/");
    let style = format!("<style>\n{css}\n</style>");
    let href = format!(
        "href=\"{}\"",
        handlebars::html_escape(&format!("{base}{STYLESHEET_PATH}"))
    );
    let linked = html.find(&href).and_then(|at| {
        let start = html[..at].rfind("<link")?;
        let end = at + html[at..].find('>')? + 1;
        Some((start, end))
    });
    let mut page = match linked {
        Some((start, end)) => format!("{}{style}{}", &html[..start], &html[end..]),
        None => match html.find("</head>") {
            Some(at) => format!("{}{style}\n{}", &html[..at], &html[at..]),
            None => format!("{style}\n{html}"),
        },
    };
    if let Some((media_type, bytes)) = ui.logo() {
        use base64::Engine as _;
        let data = format!(
            "data:{media_type};base64,{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        );
        page = replace_attribute(&page, "src", &format!("{base}{LOGO_PATH}"), &data);
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stylesheet_link_becomes_a_style_element() {
        let ui = PreviewUi::embedded().unwrap();
        let html = "<head>\n<link rel=\"stylesheet\" href=\"/p/static/preview.css\">\n</head>";
        let out = inline_assets(html, "/p", &ui);
        assert!(!out.contains("<link"), "{out}");
        assert!(out.contains("<style>"), "{out}");
        let without_link = inline_assets("<head></head>", "/p", &ui);
        assert!(without_link.contains("<style>") && without_link.ends_with("</head>"));
    }

    #[test]
    fn evidence_files_are_named_after_the_page() {
        assert_eq!(
            evidence_file_name(Path::new("out/page.html"), "application/pdf"),
            "page-evidence.pdf"
        );
        assert_eq!(
            evidence_file_name(Path::new("review.htm"), "application/xml"),
            "review-evidence.xml"
        );
    }
}
