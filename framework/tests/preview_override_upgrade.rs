//! A translation override written before the adapter's texts changed (issue 20): the
//! upgrade must not take the service down. Missing keys are filled from the shipped file
//! of the same language, `{requester}` in a sentence that no longer allows it is refused
//! by `check` (OEA-E0132) while the adapter still starts with the shipped text, and a hot
//! reload keeps the running generation and reports why.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use oots_framework::config::AdapterConfig;
use oots_framework::connector::OpenMode;
use oots_framework::mapping::{self, Generations};
use oots_framework::preview::i18n::{Catalog, Lang};
use oots_framework::web::preview::page::PreviewUi;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The French file as shipped before `requested_by` and `field_empty` were added.
fn old_french() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/preview-ui-before-requested-by/fr.json")
}

/// The quickstart deployment with `preview.ui_dir: ui` holding `files`.
fn deployment(files: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&workspace().join("examples/quickstart"), dir.path());
    let cfg = dir.path().join("adapter.yaml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    let text = text.replace("preview:\n", "preview:\n  ui_dir: ui\n");
    std::fs::write(&cfg, text).unwrap();
    std::fs::create_dir_all(dir.path().join("ui")).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join("ui").join(name), text).unwrap();
    }
    dir
}

fn old_french_text() -> String {
    std::fs::read_to_string(old_french()).unwrap()
}

/// The old French file with the retired `{requester}` sentences rewritten as an
/// authority would after reading the check's hint: only the new keys are missing.
fn old_french_without_retired() -> String {
    let mut map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&old_french_text()).unwrap();
    map.insert(
        "sign_in_intro".into(),
        "Les justificatifs suivants vous concernant sont demandés :".into(),
    );
    map.insert(
        "review_intro".into(),
        "Les justificatifs suivants vous concernant sont demandés.".into(),
    );
    map.insert(
        "decision_explain".into(),
        "Si vous choisissez « Utiliser ces justificatifs », ils seront transmis au demandeur."
            .into(),
    );
    serde_json::to_string_pretty(&map).unwrap()
}

fn check(path: &Path) -> (bool, String) {
    let out = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .arg("check")
            .arg(path),
        120,
    );
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn an_old_override_still_loads_with_the_shipped_texts_of_its_language() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fr.json"), old_french_text()).unwrap();
    let (catalog, upgrades) = Catalog::load_overrides(dir.path()).unwrap();
    let fr = Lang("fr".into());
    let shipped = Catalog::embedded();
    // New keys come from the shipped French file, not English.
    assert_eq!(
        catalog.text(&fr, "requested_by"),
        shipped.text(&fr, "requested_by")
    );
    assert_eq!(
        catalog.text(&fr, "field_empty"),
        shipped.text(&fr, "field_empty")
    );
    assert_ne!(catalog.text(&fr, "field_empty"), "not recorded");
    // Retired sentences get the shipped text; the authority's other wording stays.
    for key in ["sign_in_intro", "review_intro", "decision_explain"] {
        assert_eq!(catalog.text(&fr, key), shipped.text(&fr, key), "{key}");
        assert!(!catalog.text(&fr, key).contains("{requester}"), "{key}");
    }
    let old: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&old_french_text()).unwrap();
    assert_eq!(
        catalog.text(&fr, "footer_text"),
        old["footer_text"].as_str().unwrap()
    );
    assert_eq!(upgrades.len(), 4, "{upgrades:?}");
    // The whole UI (every page in every language) builds from it.
    PreviewUi::with_overrides(Some(dir.path())).unwrap();
}

#[test]
fn a_new_language_lacking_keys_gets_them_in_english() {
    let dir = tempfile::tempdir().unwrap();
    let mut cs: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&old_french_text()).unwrap();
    cs.insert("lang_name".into(), "Čeština".into());
    for key in ["sign_in_intro", "review_intro", "decision_explain"] {
        cs.remove(key);
    }
    std::fs::write(
        dir.path().join("cs.json"),
        serde_json::to_string(&cs).unwrap(),
    )
    .unwrap();
    let (catalog, _) = Catalog::load_overrides(dir.path()).unwrap();
    let cs = Lang("cs".into());
    assert_eq!(
        catalog.text(&cs, "requested_by"),
        "Requested by: {requester}"
    );
    assert_eq!(catalog.text(&cs, "field_empty"), "not recorded");
    assert_eq!(catalog.text(&cs, "lang_name"), "Čeština");
}

#[test]
fn check_refuses_a_retired_placeholder_naming_file_key_and_fix() {
    let dir = deployment(&[("fr.json", old_french_text())]);
    let (ok, out) = check(dir.path());
    assert!(!ok, "{out}");
    let file = dir.path().join("ui/fr.json").display().to_string();
    assert!(
        out.contains(&format!(
            "{file}:10:3: OEA-E0132: key `sign_in_intro` uses {{requester}}, which this sentence no longer has"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("{file}:14:3: OEA-E0132: key `review_intro`")),
        "{out}"
    );
    assert!(
        out.contains(&format!("{file}:18:3: OEA-E0132: key `decision_explain`")),
        "{out}"
    );
    let shipped = Catalog::embedded().text(&Lang("fr".into()), "sign_in_intro");
    assert!(
        out.contains(&format!(
            "remove {{requester}} from `sign_in_intro`, e.g. \"sign_in_intro\": \"{shipped}\", and name the requester in `requested_by`"
        )),
        "{out}"
    );
}

#[test]
fn check_warns_about_filled_keys_and_passes() {
    let dir = deployment(&[("fr.json", old_french_without_retired())]);
    let (ok, out) = check(dir.path());
    assert!(ok, "{out}");
    let file = dir.path().join("ui/fr.json").display().to_string();
    assert!(
        out.contains(&format!(
            "{file}: OEA-W0110: lacks the key(s) field_empty, requested_by, added to the preview pages since the file was written; the pages show the shipped fr.json texts for them"
        )),
        "{out}"
    );
}

#[tokio::test]
async fn a_hot_reload_keeps_the_running_generation_and_reports_the_error() {
    let dir = deployment(&[]);
    let config = AdapterConfig::load(&dir.path().join("adapter.yaml")).unwrap();
    let running = mapping::load(&config, OpenMode::Offline).await.unwrap();
    let before = running.generation().to_owned();
    let gens = Generations::new(Arc::new(running));
    // The override arrives, and a mapping file changes.
    std::fs::write(dir.path().join("ui/fr.json"), old_french_text()).unwrap();
    let map = dir.path().join("mappings/birth-certificate.yaml");
    let text = std::fs::read_to_string(&map).unwrap();
    std::fs::write(&map, format!("{text}\n# edited\n")).unwrap();
    let why = oots_framework::reload::reload(&config, &gens)
        .await
        .unwrap_err();
    assert!(why.contains("OEA-E0132"), "{why}");
    assert_eq!(gens.current().generation(), before);
    let status = gens.status();
    assert!(status.last_error.unwrap().contains("OEA-E0132"));
    // The pages themselves still build from the override.
    PreviewUi::with_overrides(config.preview.ui_dir.as_deref()).unwrap();
}

/// `oots-adapter preview` with `--lang fr` and the deployment's overrides.
fn preview_fr(dir: &Path, page: &Path) -> std::process::Output {
    common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .arg("preview")
            .arg("--mapping")
            .arg(dir.join("mappings/birth-certificate.yaml"))
            .arg("--fixture")
            .arg("the PDF certificate for the one matching record")
            .arg("--out")
            .arg(page)
            .args(["--lang", "fr", "--config"])
            .arg(dir.join("adapter.yaml")),
        120,
    )
}

/// The review page from a file lacking the new keys names the requester on its own line
/// in the shipped French words and keeps the authority's sentences; with a retired `{requester}` left, `preview` refuses as `check` does.
#[test]
fn the_review_page_from_an_old_override_gets_the_new_keys_in_its_language() {
    let dir = deployment(&[("fr.json", old_french_without_retired())]);
    let page = dir.path().join("page.html");
    let out = preview_fr(dir.path(), &page);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let html = std::fs::read_to_string(&page).unwrap();
    let requested_by = Catalog::embedded().text(&Lang("fr".into()), "requested_by");
    let label = requested_by.split('{').next().unwrap();
    assert!(html.contains(label), "{html}");
    assert!(
        html.contains("Les justificatifs suivants vous concernant sont demandés."),
        "{html}"
    );

    let dir = deployment(&[("fr.json", old_french_text())]);
    let out = preview_fr(dir.path(), &dir.path().join("page.html"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("OEA-E0132: key `review_intro`"), "{stderr}");
}
