//! `fields:` against the columns a SQL mapping query returns (issue 20 item 1): `check`
//! reads the select list, `check --live` asks the database to prepare the query, and
//! `test` fails a fixture lacking a declared field. SQLite always; PostgreSQL and MariaDB
//! with `PG_URL` / `MYSQL_URL`.

mod common;

use std::path::Path;

use oots_framework::config::AdapterConfig;
use oots_framework::verify::{self, CheckOutcome};

const MAPPING: &str = "mappings/birth-certificate.yaml";

fn quickstart() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/quickstart");
    common::copy_dir(&from, dir.path());
    let _ = std::fs::remove_dir_all(dir.path().join("state"));
    dir
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} lacks {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

async fn check(dir: &Path, live: bool) -> (CheckOutcome, String, String) {
    let outcome = verify::check(&dir.join("adapter.yaml"), live).await;
    let errors = outcome.diagnostics.to_string();
    let warnings = outcome.warnings.to_string();
    (outcome, errors, warnings)
}

/// The line (1-based) of the first line of the mapping containing `needle`.
fn line_of(dir: &Path, needle: &str) -> usize {
    let text = std::fs::read_to_string(dir.join(MAPPING)).unwrap();
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[tokio::test]
async fn a_field_naming_a_column_the_query_does_not_return_fails_check_and_check_live() {
    let dir = quickstart();
    edit(
        dir.path(),
        MAPPING,
        "    mother_name: mother_name",
        "    mother_name: mothers_name",
    );
    let line = line_of(dir.path(), "mother_name: mothers_name");
    for live in [false, true] {
        let (outcome, errors, _) = check(dir.path(), live).await;
        assert!(!outcome.ok(), "live={live}: {errors}");
        assert!(
            errors.contains(&format!(
                "birth-certificate.yaml:{line}:5: OEA-E0121: field `mother_name` reads column `mothers_name`, which the query does not return"
            )),
            "live={live}: {errors}"
        );
        assert!(
            errors.contains("hint: did you mean `mother_name`?"),
            "{errors}"
        );
        let source = if live {
            "(the database reports: `register_number`"
        } else {
            "(its select list names: `register_number`"
        };
        assert!(errors.contains(source), "live={live}: {errors}");
    }
}

#[tokio::test]
async fn a_misspelt_column_inside_the_query_fails_check_live_at_the_query() {
    let dir = quickstart();
    edit(
        dir.path(),
        MAPPING,
        "father_name, mother_name",
        "fathr_name, mother_name",
    );
    let line = line_of(dir.path(), "SELECT register_number") as u64;
    let (outcome, errors, _) = check(dir.path(), true).await;
    assert!(!outcome.ok(), "{errors}");
    assert!(
        errors.contains(&format!(
            "birth-certificate.yaml:{line}:5: OEA-E0122: the query does not prepare on connection `birth_register`: registry query failed: sqlite error 1: no such column: fathr_name"
        )),
        "{errors}"
    );
    // Offline the select list shows `father_name` missing, against its `fields:` entry.
    let (outcome, errors, _) = check(dir.path(), false).await;
    assert!(!outcome.ok());
    assert!(
        errors.contains("OEA-E0121: field `father_name` reads column `father_name`")
            && errors.contains("did you mean `fathr_name`?"),
        "{errors}"
    );
}

#[tokio::test]
async fn case_differences_pass_as_records_read_columns_without_case() {
    let dir = quickstart();
    edit(
        dir.path(),
        MAPPING,
        "    mother_name: mother_name",
        "    mother_name: MOTHER_NAME",
    );
    for live in [false, true] {
        let (outcome, errors, warnings) = check(dir.path(), live).await;
        assert!(outcome.ok(), "live={live}: {errors}");
        assert!(!warnings.contains("OEA-W03"), "{warnings}");
    }
}

#[tokio::test]
async fn select_star_and_unnamed_expressions_are_a_warning_not_a_guess() {
    let dir = quickstart();
    edit(
        dir.path(),
        MAPPING,
        "SELECT register_number, family_name, given_name, birth_name, sex, date_of_birth,\n           place_of_birth, father_name, mother_name, registration_date, registry_office",
        "SELECT *",
    );
    let (outcome, errors, warnings) = check(dir.path(), false).await;
    assert!(outcome.ok(), "{errors}");
    assert!(
        warnings.contains("OEA-W0301: cannot tell which columns the query returns (SELECT *), so `fields:` is not compared with them; run `check --live`"),
        "{warnings}"
    );
    // Live, the database answers what `*` is.
    let (outcome, errors, warnings) = check(dir.path(), true).await;
    assert!(outcome.ok(), "{errors}");
    assert!(!warnings.contains("OEA-W0301"), "{warnings}");

    let dir = quickstart();
    edit(
        dir.path(),
        MAPPING,
        "mother_name, registration_date",
        "upper(mother_name), registration_date",
    );
    let (outcome, errors, warnings) = check(dir.path(), false).await;
    assert!(outcome.ok(), "{errors}");
    assert!(
        warnings.contains("(upper(mother_name) without AS)"),
        "{warnings}"
    );
}

#[tokio::test]
async fn the_examples_check_clean_live_and_offline() {
    let dir = quickstart();
    for live in [false, true] {
        let (outcome, errors, warnings) = check(dir.path(), live).await;
        assert!(outcome.ok(), "live={live}: {errors}");
        assert!(warnings.is_empty(), "live={live}: {warnings}");
    }
}

#[tokio::test]
async fn a_test_whose_fixture_lacks_a_declared_field_fails_naming_both() {
    let dir = quickstart();
    edit(
        dir.path(),
        MAPPING,
        "mother_name: Claire Dupont, registration_date",
        "registration_date",
    );
    let config = AdapterConfig::load(&dir.path().join("adapter.yaml")).unwrap();
    let (outcome, errors, _) = check(dir.path(), false).await;
    let set = outcome.set.expect(&errors);
    let results = verify::run_tests(&config, &set, false).await;
    let failed: Vec<_> = results.iter().filter(|r| !r.passed).collect();
    assert!(!failed.is_empty());
    let first = &failed[0];
    assert_eq!(
        first.name,
        "the PDF certificate for the one matching record"
    );
    assert!(
        first.failures.iter().any(|f| f
            == "OEA-E0123: test `the PDF certificate for the one matching record`: registry record 1 lacks field `mother_name`, declared under connector.fields (write `mother_name: null` for an empty one)"),
        "{:?}",
        first.failures
    );
}

#[tokio::test]
async fn a_blocking_pass_query_is_checked_like_the_connectors() {
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../mappings/birth-certificate");
    common::copy_dir(&from, dir.path());
    let _ = std::fs::remove_dir_all(dir.path().join("state"));
    let mapping = "mapping/birth-certificate.yaml";
    edit(
        dir.path(),
        mapping,
        "geburtsort, vater, mutter, eintragungsdatum, standesamt, personenkennzeichen\n            FROM geburtenbuch\n           WHERE personenkennzeichen",
        "geburtsort, vatr, mutter, eintragungsdatum, standesamt, personenkennzeichen\n            FROM geburtenbuch\n           WHERE personenkennzeichen",
    );
    let (outcome, errors, _) = check(dir.path(), false).await;
    assert!(!outcome.ok());
    assert!(
        errors.contains("OEA-E0121: blocking pass `person identifier`: field `father_name` reads column `vater`, which the query does not return (its select list names: ")
            && errors.contains("did you mean `vatr`?"),
        "{errors}"
    );
    let (outcome, errors, _) = check(dir.path(), true).await;
    assert!(!outcome.ok());
    assert!(
        errors.contains("OEA-E0122: blocking pass `person identifier`: the query does not prepare on connection `")
            && errors.contains("no such column: vatr"),
        "{errors}"
    );
}

#[tokio::test]
async fn check_live_prepares_the_representation_query_too() {
    let dir = tempfile::tempdir().unwrap();
    let from =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../mappings/company-registration-extract");
    common::copy_dir(&from, dir.path());
    let _ = std::fs::remove_dir_all(dir.path().join("state"));
    let mapping = "mapping/company-registration-extract.yaml";
    edit(
        dir.path(),
        mapping,
        "prijmeni, jmeno, datum_narozeni, funkce",
        "prijmeni, jmeno, datum_narozen, funkce",
    );
    let (outcome, errors, _) = check(dir.path(), true).await;
    assert!(!outcome.ok());
    assert!(
        errors.contains("OEA-E0122: representation: the query does not prepare on connection `")
            && errors.contains("no such column: datum_narozen"),
        "{errors}"
    );
}

#[tokio::test]
async fn check_live_prepares_the_frequency_queries_too() {
    let dir = quickstart();
    edit(
        dir.path(),
        MAPPING,
        "matching:\n  record_id: register_number\n",
        "matching:\n  record_id: register_number\n  frequencies:\n    queries:\n      FamilyName: SELECT family_nme AS name, COUNT(*) AS n FROM birth_register GROUP BY family_name\n",
    );
    let (outcome, errors, _) = check(dir.path(), true).await;
    assert!(!outcome.ok());
    assert!(
        errors.contains("OEA-E0122: frequencies of FamilyName: the query does not prepare on connection `birth_register`")
            && errors.contains("no such column: family_nme"),
        "{errors}"
    );
}

#[tokio::test]
async fn a_recorded_response_lacking_a_declared_field_fails_its_test() {
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../mappings/proof-of-residence");
    common::copy_dir(&from, dir.path());
    let mapping = "mapping/proof-of-residence.yaml";
    edit(dir.path(), mapping, "houseNumberAddition: B, ", "");
    edit(dir.path(), mapping, "houseNumberAddition: null, ", "");
    let config = AdapterConfig::load(&dir.path().join("adapter.yaml")).unwrap();
    let (outcome, errors, _) = check(dir.path(), false).await;
    let set = outcome.set.expect(&errors);
    let results = verify::run_tests(&config, &set, false).await;
    let name = "a recorded API answer (two pages' worth) decoded through the JSONPaths";
    let result = results.iter().find(|r| r.name == name).unwrap();
    assert!(!result.passed);
    assert!(
        result.failures.iter().any(|f| f
            == &format!("OEA-E0123: test `{name}`: recorded response 1 lacks field `house_number_addition`, declared under connector.fields")),
        "{:?}",
        result.failures
    );
}

/// A quickstart deployment reading table `table` at `url` (no `init:`), seeded with the
/// quickstart's columns.
async fn on_server(url: &str, table: &str, text_type: &str) -> tempfile::TempDir {
    let drop = format!("DROP TABLE IF EXISTS {table}");
    oots_connector_sql::run_script(url, &drop).await.unwrap();
    let columns = [
        "register_number",
        "family_name",
        "given_name",
        "birth_name",
        "sex",
        "date_of_birth",
        "place_of_birth",
        "father_name",
        "mother_name",
        "registration_date",
        "registry_office",
    ]
    .map(|c| format!("{c} {text_type}"))
    .join(", ");
    oots_connector_sql::run_script(url, &format!("CREATE TABLE {table} ({columns})"))
        .await
        .unwrap();
    let dir = quickstart();
    edit(
        dir.path(),
        "adapter.yaml",
        "url: sqlite://state/birth-register.db\n    init: registry/seed.sql",
        &format!("url: {url}"),
    );
    edit(
        dir.path(),
        MAPPING,
        "FROM birth_register",
        &format!("FROM {table}"),
    );
    dir
}

async fn server_checks(url: &str, table: &str, text_type: &str, refused: &str) {
    let dir = on_server(url, table, text_type).await;
    let (outcome, errors, _) = check(dir.path(), true).await;
    assert!(outcome.ok(), "{errors}");

    edit(dir.path(), MAPPING, "    sex: sex", "    sex: gender");
    let (_, errors, _) = check(dir.path(), true).await;
    assert!(
        errors.contains("OEA-E0121: field `sex` reads column `gender`, which the query does not return (the database reports: `register_number`"),
        "{errors}"
    );

    edit(
        dir.path(),
        MAPPING,
        "father_name, mother_name",
        "fathr_name, mother_name",
    );
    let (_, errors, _) = check(dir.path(), true).await;
    assert!(
        errors.contains("OEA-E0122: the query does not prepare on connection `birth_register`")
            && errors.contains(refused),
        "{errors}"
    );
    let drop = format!("DROP TABLE IF EXISTS {table}");
    oots_connector_sql::run_script(url, &drop).await.unwrap();
}

#[tokio::test]
async fn postgres_prepares_the_query_for_check_live() {
    let Some(url) = oots_testskip::skip_unless_env(
        "PG_URL",
        "check --live on PostgreSQL (set PG_URL=postgres://…)",
    ) else {
        return;
    };
    server_checks(
        &url,
        "i20_live_birth_register",
        "TEXT",
        "PostgreSQL error 42703: column \"fathr_name\" does not exist",
    )
    .await;
}

#[tokio::test]
async fn mariadb_prepares_the_query_for_check_live() {
    let Some(url) = oots_testskip::skip_unless_env(
        "MYSQL_URL",
        "check --live on MariaDB/MySQL (set MYSQL_URL=mysql://…)",
    ) else {
        return;
    };
    server_checks(
        &url,
        "i20_live_birth_register",
        "VARCHAR(200)",
        "MySQL/MariaDB error 42S22: Unknown column 'fathr_name'",
    )
    .await;
}
