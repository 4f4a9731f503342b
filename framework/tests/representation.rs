//! A company's evidence goes only to the person the register says may act for it
//! (TDD 2.0.1 chapter 2.3: `AuthorizedRepresentative`, `PowerOfRepresentationScope`,
//! R-EDM-REQ-C081/C091): the shipped `mappings/company-registration-extract` runs its
//! `representation:` query against its real SQLite register (seeded from
//! `registry/seed.sql`, directors in `statutarni_zastupci`).
//!
//! Abuse cases: a non-director, a director of another company, the director's namesake
//! born another day, a request naming no representative, a legal person as
//! representative, and forged `PowerOfRepresentationScope` values (SQL, wildcards), which
//! are bound parameters only. Each refusal names no personal data and holds nothing.

mod common;

use std::path::Path;
use std::sync::Arc;

use oots_framework::clock::{FixedClock, SequentialIds};
use oots_framework::config::AdapterConfig;
use oots_framework::edm::{self, EdmVersion};
use oots_framework::exchange::{Answer, Exchange};
use oots_framework::mapping::MappingSet;
use oots_framework::requester::{self, RepresentativeSpec, RequestSpec};
use oots_framework::store::SqliteStore;
use oots_framework::verify;

const KOVAR: &str = "CZ/BE/27074358";
const HAJEK: &str = "CZ/BE/06123987";
const CLASSIFICATION: &str = "https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/CZ/3ccfc0a2-3e01-4427-9df2-7c5a8113257c";

/// The company deployment copied to `dir`, loaded live (its register seeded).
async fn deployment(dir: &Path) -> (AdapterConfig, Arc<MappingSet>) {
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../mappings/company-registration-extract"),
        dir,
    );
    let _ = std::fs::remove_dir_all(dir.join("state"));
    let config_path = dir.join("adapter.yaml");
    let outcome = verify::check(&config_path, true).await;
    assert!(outcome.ok(), "{}", outcome.diagnostics);
    (
        AdapterConfig::load(&config_path).unwrap(),
        Arc::new(outcome.set.unwrap()),
    )
}

fn director(family: &str, given: &str, born: &str, scope: Option<&str>) -> RepresentativeSpec {
    RepresentativeSpec {
        family_name: family.into(),
        given_name: given.into(),
        date_of_birth: born.into(),
        scope: scope.map(str::to_owned),
        legal_name: None,
    }
}

fn jiri_kovar() -> RepresentativeSpec {
    director("Kovář", "Jiří", "1968-11-23", Some("X1"))
}

/// A request for `company`'s extract acting through `representative`.
fn request(
    company: &str,
    representative: Option<RepresentativeSpec>,
    preview: bool,
) -> RequestSpec {
    let config = AdapterConfig::load(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../mappings/company-registration-extract/adapter.yaml"),
    )
    .unwrap();
    let p = &config.provider;
    RequestSpec {
        version: EdmVersion::V2_0,
        classification: CLASSIFICATION.into(),
        format: "application/xml".into(),
        preview,
        provider: (
            p.scheme.clone(),
            p.identifier.clone(),
            "Commercial Register".into(),
        ),
        legal: Some((
            "Pražské strojírny Kovář s.r.o.".into(),
            Some(company.into()),
        )),
        representative,
        ..RequestSpec::quickstart_birth("", "", "", "application/xml")
    }
}

async fn answer(config: &AdapterConfig, set: &Arc<MappingSet>, spec: &RequestSpec) -> Answer {
    let store = SqliteStore::in_memory().await.unwrap();
    let clock = FixedClock(chrono::Utc::now());
    let exchange = Exchange::new(Arc::new(config.clone()), set.clone(), Arc::new(store))
        .with_clock(Arc::new(clock), Arc::new(SequentialIds::default()));
    let request = requester::build_request(spec, &SequentialIds::default(), clock.0);
    exchange
        .answer(edm::write_request(&request).as_bytes(), None)
        .await
        .unwrap()
}

/// Refused with the neutral `EDM:ERR:0004` because no power was found, nothing attached
/// and no personal data in the answer or the trace.
fn assert_no_power(answer: &Answer, names: &[&str]) {
    assert_eq!(answer.code(), Some("EDM:ERR:0004"), "{}", answer.document);
    assert!(answer.attachments.is_empty());
    assert!(
        answer
            .document
            .contains("No evidence could be found for the evidence subject"),
        "{}",
        answer.document
    );
    let trace = format!("{:?}", answer.trace);
    assert!(trace.contains("representation refused"), "{trace}");
    for name in names {
        assert!(!answer.document.contains(name), "{name}");
        assert!(!trace.contains(name), "{name}: {trace}");
    }
}

#[tokio::test]
async fn the_register_s_director_gets_the_company_s_extract() {
    let dir = tempfile::tempdir().unwrap();
    let (config, set) = deployment(dir.path()).await;
    // Another spelling of the register's Jiří Kovář, with a scope the power covers ('00').
    let spec = request(
        KOVAR,
        Some(director("KOVAR", "Jiri", "1968-11-23", Some("X4"))),
        false,
    );
    let ok = answer(&config, &set, &spec).await;
    assert_eq!(ok.code(), None, "{}", ok.document);
    assert_eq!(ok.attachments.len(), 1);
    assert!(format!("{:?}", ok.trace).contains("power found in the registry"));
}

#[tokio::test]
async fn nobody_but_a_director_of_this_very_company_gets_it() {
    let dir = tempfile::tempdir().unwrap();
    let (config, set) = deployment(dir.path()).await;
    for (why, company, rep) in [
        (
            "not a director",
            KOVAR,
            director("Nováková", "Petra", "1990-05-05", Some("X1")),
        ),
        // Šárka Hájková directs Zelená Čajovna Hájek, not Kovář's company.
        (
            "another company's director",
            KOVAR,
            director("Hájková", "Šárka", "1979-02-14", Some("X1")),
        ),
        (
            "the director's namesake",
            KOVAR,
            director("Kovář", "Jiří", "1995-11-23", Some("X1")),
        ),
        // Ondřej Říha's power covers X1 only.
        (
            "a scope the power does not cover",
            HAJEK,
            director("Říha", "Ondřej", "1985-06-07", Some("X4")),
        ),
        (
            "no scope",
            KOVAR,
            director("Kovář", "Jiří", "1968-11-23", None),
        ),
    ] {
        let mut spec = request(company, Some(rep), false);
        spec.legal = Some(("Some company".into(), Some(company.into())));
        let refused = answer(&config, &set, &spec).await;
        assert_eq!(
            refused.code(),
            Some("EDM:ERR:0004"),
            "{why}: {}",
            refused.document
        );
        assert_no_power(&refused, &["Nováková", "Hájková", "Kovář", "Říha", "1995"]);
    }
    // The same requests with a director who has the power pass (the refusals above are
    // the power check's, not the company's lookup).
    let mut spec = request(
        HAJEK,
        Some(director("Říha", "Ondřej", "1985-06-07", Some("X1"))),
        false,
    );
    spec.legal = Some(("Zelená Čajovna Hájek a.s.".into(), Some(HAJEK.into())));
    assert_eq!(answer(&config, &set, &spec).await.code(), None);
}

#[tokio::test]
async fn a_company_request_naming_no_natural_representative_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (config, set) = deployment(dir.path()).await;
    let none = answer(&config, &set, &request(KOVAR, None, false)).await;
    assert_no_power(&none, &[]);
    let legal = RepresentativeSpec {
        legal_name: Some("Holding Kovář a.s.".into()),
        scope: Some("X1".into()),
        ..RepresentativeSpec::default()
    };
    let by_company = answer(&config, &set, &request(KOVAR, Some(legal), true)).await;
    assert_no_power(&by_company, &["Holding"]);
}

#[tokio::test]
async fn forged_scopes_are_bound_values_never_query_text() {
    let dir = tempfile::tempdir().unwrap();
    let (config, set) = deployment(dir.path()).await;
    // Říha's power covers X1 only; each forged scope would widen it if it were query text.
    for forged in [
        "X4' OR '1'='1",
        "X4') OR 1=1 --",
        "%",
        "X4,%",
        "'; DROP TABLE statutarni_zastupci; --",
        ",",
    ] {
        let rep = director("Říha", "Ondřej", "1985-06-07", Some(forged));
        let mut spec = request(HAJEK, Some(rep), false);
        spec.legal = Some(("Zelená Čajovna Hájek a.s.".into(), Some(HAJEK.into())));
        let refused = answer(&config, &set, &spec).await;
        assert_eq!(
            refused.code(),
            Some("EDM:ERR:0004"),
            "{forged}: {}",
            refused.document
        );
        assert!(!refused.document.contains("DROP"), "{forged}");
    }
    // The table is still there: the director with the power still gets the extract.
    let ok = answer(&config, &set, &request(KOVAR, Some(jiri_kovar()), false)).await;
    assert_eq!(ok.code(), None, "{}", ok.document);
}

#[tokio::test]
async fn a_director_s_preview_is_offered_and_holds_nothing_for_anyone_else() {
    let dir = tempfile::tempdir().unwrap();
    let (config, set) = deployment(dir.path()).await;
    let offered = answer(&config, &set, &request(KOVAR, Some(jiri_kovar()), true)).await;
    assert_eq!(offered.code(), Some("EDM:ERR:0002"), "{}", offered.document);
    // Someone the register does not name gets no link, only the neutral refusal.
    let rep = director("Nováková", "Petra", "1990-05-05", Some("X1"));
    let refused = answer(&config, &set, &request(KOVAR, Some(rep), true)).await;
    assert_no_power(&refused, &["Nováková"]);
    assert!(!refused.document.contains("PreviewLocation"));
}

/// The deployment without its `representation:` section (a mapping checking no power).
async fn deployment_without_power_check(dir: &Path) -> (AdapterConfig, Arc<MappingSet>) {
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../mappings/company-registration-extract"),
        dir,
    );
    let _ = std::fs::remove_dir_all(dir.join("state"));
    let file = dir.join("mapping/company-registration-extract.yaml");
    let yaml = std::fs::read_to_string(&file).unwrap();
    let start = yaml.find("\nrepresentation:\n").unwrap();
    let end = start + yaml[start..].find("\n# Release rules").unwrap();
    let tests = yaml.find("\ntests:\n").unwrap();
    std::fs::write(&file, format!("{}{}\n", &yaml[..start], &yaml[end..tests])).unwrap();
    let config_path = dir.join("adapter.yaml");
    let outcome = verify::check(&config_path, true).await;
    assert!(outcome.ok(), "{}", outcome.diagnostics);
    (
        AdapterConfig::load(&config_path).unwrap(),
        Arc::new(outcome.set.unwrap()),
    )
}

#[tokio::test]
async fn a_preview_nobody_natural_could_sign_in_to_is_refused_naming_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    let (config, set) = deployment_without_power_check(dir.path()).await;
    let legal = RepresentativeSpec {
        legal_name: Some("Holding Kovář a.s.".into()),
        scope: Some("X1".into()),
        ..RepresentativeSpec::default()
    };
    for (why, rep) in [("no representative", None), ("a legal person", Some(legal))] {
        let refused = answer(&config, &set, &request(KOVAR, rep, true)).await;
        assert_eq!(
            refused.code(),
            Some("EDM:ERR:0007"),
            "{why}: {}",
            refused.document
        );
        assert!(
            refused
                .document
                .contains("TDD 2.3 representation: a preview needs a natural person to sign in"),
            "{why}: {}",
            refused.document
        );
        assert!(!refused.document.contains("Holding"));
    }
    // Without a preview, and without a power check, the evidence goes out as before.
    assert_eq!(
        answer(&config, &set, &request(KOVAR, None, false))
            .await
            .code(),
        None
    );
    // A natural representative is offered the preview.
    let offered = answer(&config, &set, &request(KOVAR, Some(jiri_kovar()), true)).await;
    assert_eq!(offered.code(), Some("EDM:ERR:0002"), "{}", offered.document);
}

#[tokio::test]
async fn the_follow_up_must_name_the_representative_the_link_was_issued_for() {
    let dir = tempfile::tempdir().unwrap();
    let (config, set) = deployment(dir.path()).await;
    let store = SqliteStore::in_memory().await.unwrap();
    let clock = FixedClock(chrono::Utc::now());
    let exchange = Exchange::new(Arc::new(config.clone()), set.clone(), Arc::new(store))
        .with_clock(Arc::new(clock), Arc::new(SequentialIds::default()));
    let ids = SequentialIds::default();
    let spec = request(KOVAR, Some(jiri_kovar()), true);
    let first = requester::build_request(&spec, &ids, clock.0);
    let offered = exchange
        .answer(edm::write_request(&first).as_bytes(), None)
        .await
        .unwrap();
    let location =
        match edm::parse_response(offered.document.as_bytes(), &Default::default()).unwrap() {
            edm::QueryResponse::Error(e) => e.exceptions[0].preview_location.clone().unwrap(),
            _ => panic!("expected the preview link"),
        };
    // A second link for the right representative's follow-up below.
    let second = requester::build_request(&spec, &ids, clock.0);
    let offered = exchange
        .answer(edm::write_request(&second).as_bytes(), None)
        .await
        .unwrap();
    let location_again =
        match edm::parse_response(offered.document.as_bytes(), &Default::default()).unwrap() {
            edm::QueryResponse::Error(e) => e.exceptions[0].preview_location.clone().unwrap(),
            _ => panic!("expected the preview link"),
        };
    // Another director of the same name, born another day: another representative.
    let mut other = spec.clone();
    other.representative = Some(director("Kovář", "Jiří", "1999-01-01", Some("X1")));
    let mut follow_up = requester::build_request(&other, &ids, clock.0);
    follow_up.preview_location = Some(location);
    follow_up.return_location = Some("https://requester.example/back".into());
    let refused = exchange
        .answer(edm::write_request(&follow_up).as_bytes(), None)
        .await
        .unwrap();
    assert_eq!(refused.code(), Some("EDM:ERR:0003"), "{}", refused.document);
    // (That refusal used the link up.) The same check lets the named representative's
    // follow-up through: it is held until they decide.
    let mut again = requester::build_request(&spec, &ids, clock.0);
    again.preview_location = Some(location_again);
    again.return_location = Some("https://requester.example/back".into());
    let held = exchange
        .answer(edm::write_request(&again).as_bytes(), None)
        .await;
    assert!(
        matches!(
            held,
            Err(oots_framework::exchange::ExchangeError::PreviewPending(_))
        ),
        "{held:?}"
    );
    assert!(
        refused
            .document
            .contains("TDD 4.9: the follow-up request names another representative"),
        "{}",
        refused.document
    );
}

/// `check` reports each mistake of a `representation:` section at its file:line:col.
#[tokio::test]
async fn check_points_at_each_mistake_of_the_representation_section() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../mappings/company-registration-extract"),
        dir.path(),
    );
    let file = dir.path().join("mapping/company-registration-extract.yaml");
    let yaml = std::fs::read_to_string(&file).unwrap();
    let yaml = yaml
        .replace(
            "    scope: PowerOfRepresentationScope\n",
            "    scope: child.Scope\n",
        )
        .replace(
            "       AND :scope <> ''\n",
            "       AND :scope <> '' AND :nobody = 1\n",
        )
        .replace("    DateOfBirth: datum_narozeni\n", "");
    std::fs::write(&file, &yaml).unwrap();
    let line_of = |needle: &str| yaml.lines().position(|l| l.starts_with(needle)).unwrap() + 1;
    let outcome = verify::check(&dir.path().join("adapter.yaml"), false).await;
    assert!(!outcome.ok());
    let report = outcome.diagnostics.to_string();
    let at = |line: usize| format!("company-registration-extract.yaml:{line}:");
    for (line, code, text) in [
        (
            line_of("    scope: child.Scope"),
            "OEA-E0106",
            "representation parameter :scope is bound to `child.Scope`",
        ),
        // A block scalar is located at its first line of text.
        (
            line_of("representation:") + 2,
            "OEA-E0105",
            "representation query parameter :nobody is not bound",
        ),
        (
            line_of("    FamilyName: prijmeni"),
            "OEA-E0110",
            "representation.identity has no registry field for DateOfBirth",
        ),
    ] {
        let found = report
            .lines()
            .find(|l| l.contains(text))
            .unwrap_or_else(|| panic!("{text} not in:\n{report}"));
        assert!(
            found.contains(&at(line)) && found.contains(code),
            "{found} (line {line})\n{report}"
        );
    }
}

/// `{{request.power_of_representation_scope}}` is known to `check` and rendered with the
/// request's value (escaped as any value).
#[tokio::test]
async fn the_scope_is_a_template_variable() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../mappings/company-registration-extract"),
        dir.path(),
    );
    let _ = std::fs::remove_dir_all(dir.path().join("state"));
    let template = dir.path().join("mapping/templates/company-extract.xml.hbs");
    let xml = std::fs::read_to_string(&template).unwrap().replace(
        "  <LegalEntity>\n",
        "  <Scope>{{request.power_of_representation_scope}}</Scope>\n  <LegalEntity>\n",
    );
    std::fs::write(&template, xml).unwrap();
    let config_path = dir.path().join("adapter.yaml");
    let outcome = verify::check(&config_path, true).await;
    assert!(outcome.ok(), "{}", outcome.diagnostics);
    let config = AdapterConfig::load(&config_path).unwrap();
    let set = Arc::new(outcome.set.unwrap());
    let spec = request(
        KOVAR,
        Some(director("Kovář", "Jiří", "1968-11-23", Some("X1 <b>"))),
        false,
    );
    let ok = answer(&config, &set, &spec).await;
    assert_eq!(ok.code(), None, "{}", ok.document);
    let evidence = String::from_utf8_lossy(&ok.attachments[0].bytes).into_owned();
    assert!(
        evidence.contains("<Scope>X1 &lt;b&gt;</Scope>"),
        "{evidence}"
    );
}
