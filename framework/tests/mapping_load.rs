//! Mapping files are checked as a set and every problem is reported at once, with
//! `file:line:col`, a stable code and a hint.

use std::path::Path;

use oots_framework::config::AdapterConfig;
use oots_framework::mapping;

const ADAPTER: &str = "provider:\n  identifier: DE73524311\n  scheme: urn:cef.eu:names:identifier:EAS:9930\n  name: { EN: Office }\n  country: DE\nmappings: mappings\nconnections:\n  reg:\n    type: sql\n    url: sqlite://reg.db\n    init: seed.sql\n";

const GOOD: &str = "evidence_type:\n  classifications:\n    - https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/DE/ca8afed6-2dc0-422a-a931-d21c3d8d370e\n  title: { EN: Certificate of Birth }\nconnector:\n  connection: reg\n  query: SELECT * FROM people WHERE dob = :dob\n  parameters:\n    dob: DateOfBirth\nidentity:\n  FamilyName: family\n  GivenName: given\n  DateOfBirth: dob\nevidence:\n  distributions:\n    - format: application/xml\n      conforms_to: [https://sr.oots.tech.ec.europa.eu/datamodels/certificate-of-birth-1.0.0]\n      template: t.xml.hbs\n";

fn setup(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("mappings")).unwrap();
    std::fs::write(dir.path().join("adapter.yaml"), ADAPTER).unwrap();
    std::fs::write(
        dir.path().join("seed.sql"),
        "CREATE TABLE people (family TEXT, given TEXT, dob TEXT);",
    )
    .unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join("mappings").join(name), text).unwrap();
    }
    dir
}

async fn load(dir: &Path) -> Result<mapping::MappingSet, String> {
    let cfg = AdapterConfig::load(&dir.join("adapter.yaml")).map_err(|e| e.to_string())?;
    mapping::load(&cfg, oots_framework::connector::OpenMode::Live)
        .await
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn a_good_mapping_loads_and_serves_both_sr_hosts() {
    let dir = setup(&[
        ("birth.yaml", GOOD),
        ("t.xml.hbs", "<a>{{record.family}}</a>"),
    ]);
    let set = load(dir.path()).await.unwrap();
    assert_eq!(set.mappings().len(), 1);
    assert!(set.find("https://sr.oots.tech.europa.eu/evidencetypeclassifications/DE/ca8afed6-2dc0-422a-a931-d21c3d8d370e").is_some());
    assert!(set.find("https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/DE/00000000-2dc0-422a-a931-d21c3d8d370e").is_none());
    assert_eq!(set.generation().len(), 16);
}

#[tokio::test]
async fn all_problems_are_reported_together_with_positions() {
    let bad_conn = GOOD.replace("connection: reg", "connection: registry");
    let unbound = GOOD.replace("WHERE dob = :dob", "WHERE dob = :dob AND family = :family");
    let bad_class = GOOD
        .replace(
            "evidencetypeclassifications/DE/ca8afed6-2dc0-422a-a931-d21c3d8d370e",
            "requirements/x",
        )
        .replace("t.xml.hbs", "broken.xml.hbs");
    let typo = GOOD.replace("identity:", "identiti:");
    let dir = setup(&[
        ("a-conn.yaml", &bad_conn),
        ("b-unbound.yaml", &unbound),
        ("c-class.yaml", &bad_class),
        ("d-typo.yaml", &typo),
        ("t.xml.hbs", "<a>{{record.family}}</a>"),
        ("broken.xml.hbs", "<a>{{#if x}}</a>"),
    ]);
    let err = load(dir.path()).await.unwrap_err();
    let lines: Vec<&str> = err.lines().filter(|l| !l.starts_with("  hint")).collect();
    let find = |file: &str, code: &str| {
        lines
            .iter()
            .find(|l| l.contains(file) && l.contains(code))
            .unwrap_or_else(|| panic!("no {code} for {file} in:\n{err}"))
            .to_string()
    };
    assert!(
        find("a-conn.yaml", "OEA-E0102").contains("a-conn.yaml:6:"),
        "{err}"
    );
    assert!(
        find("b-unbound.yaml", "OEA-E0105").contains(":family"),
        "{err}"
    );
    assert!(
        find("c-class.yaml", "OEA-E0103").contains("c-class.yaml:3:"),
        "{err}"
    );
    // Issue 20: an unclosed block is placed inside the template, where it opens.
    assert!(
        find("broken.xml.hbs", "OEA-E0107")
            .contains("broken.xml.hbs:1:4: OEA-E0107: the block `{{#if x}}` opened at 1:4 is never closed (add `{{/if}}`)"),
        "{err}"
    );
    assert!(
        find("d-typo.yaml", "OEA-E0002").contains("identiti"),
        "{err}"
    );
    assert!(err.contains("hint:"), "{err}");
}

#[tokio::test]
async fn two_files_for_one_evidence_type_are_refused() {
    let old_host = GOOD.replace("sr.oots.tech.ec.europa.eu", "sr.oots.tech.europa.eu");
    let dir = setup(&[
        ("a.yaml", GOOD),
        ("b.yaml", &old_host),
        ("t.xml.hbs", "<a/>"),
    ]);
    let err = load(dir.path()).await.unwrap_err();
    assert!(
        err.contains("b.yaml:3:") && err.contains("OEA-E0104"),
        "{err}"
    );
}

#[tokio::test]
async fn name_frequencies_are_read_through_the_connector_and_checked() {
    let freq = "matching:\n  frequencies:\n    min_population: 3\n    population: SELECT COUNT(*) AS n FROM people\n    queries:\n      FamilyName: SELECT family AS name, COUNT(*) AS n FROM people GROUP BY family\n      GivenName: SELECT given AS name, COUNT(*) AS n FROM people GROUP BY given\n";
    let with_freq = format!("{GOOD}{freq}");
    let dir = setup(&[
        ("birth.yaml", &with_freq),
        ("t.xml.hbs", "<a>{{record.family}}</a>"),
    ]);
    std::fs::write(
        dir.path().join("seed.sql"),
        "CREATE TABLE people (family TEXT, given TEXT, dob TEXT);\
         INSERT INTO people VALUES ('Lundgren','Erik','1975-06-12'),('Lundgren','Anna','1977-01-02'),('Lindgren','Erik','1960-03-04');",
    )
    .unwrap();
    let set = load(dir.path()).await.unwrap();
    let engine = set.mappings()[0].engine.clone();
    assert!(engine.frequencies().is_none(), "not read at load");
    set.load_frequencies().await;
    let table = engine.frequencies().expect("read");
    assert_eq!(table.population(), 3);
    let keys = |s: &str| oots_framework::matching::compare::NameKeys::new(s, &[]);
    use oots_framework::matching::Attribute;
    assert!(table.known(Attribute::FamilyName, &keys("LINDGREN")));
    assert!(!table.known(Attribute::FamilyName, &keys("Lundgern")));
    assert!(table.known(Attribute::GivenName, &keys("Anna")));
    // A test's fixtures are not the registry: a mapping given another connector decides
    // without the registry's frequencies.
    let fixture = set.with_connector("birth", set.mappings()[0].connector.clone());
    assert!(fixture.mappings()[0].engine.frequencies().is_none());
    assert!(fixture.mappings()[0].engine.frequency_spec().is_none());

    // `serve` reads them in the background; without a population query the population is
    // the largest total of a query's counts.
    let no_population = with_freq.replace("    population: SELECT COUNT(*) AS n FROM people\n", "");
    let dir2 = setup(&[
        ("birth.yaml", &no_population),
        ("t.xml.hbs", "<a>{{record.family}}</a>"),
    ]);
    std::fs::copy(dir.path().join("seed.sql"), dir2.path().join("seed.sql")).unwrap();
    let set = load(dir2.path()).await.unwrap();
    set.refresh_frequencies();
    let engine = set.mappings()[0].engine.clone();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while engine.frequencies().is_none() && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        engine
            .frequencies()
            .expect("read in the background")
            .population(),
        3
    );

    // A frequency query takes no parameters: said where it is written.
    let bad = with_freq.replace(
        "FROM people GROUP BY given",
        "FROM people WHERE dob = :dob GROUP BY given",
    );
    let dir = setup(&[
        ("birth.yaml", &bad),
        ("t.xml.hbs", "<a>{{record.family}}</a>"),
    ]);
    let err = load(dir.path()).await.unwrap_err();
    let line = err
        .lines()
        .find(|l| l.contains("OEA-E0105"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        line.contains("birth.yaml:25:18:") && line.contains("frequencies of GivenName"),
        "{err}"
    );
}

/// `evidence.several` (docs/mapping-files.md): the registry's person key is required,
/// must be a connector field, and the cap stays within 1..=100; each refusal points at
/// its line.
#[tokio::test]
async fn several_evidences_need_the_registrys_person_key() {
    let with_fields = GOOD.replace(
        "    dob: DateOfBirth\n",
        "    dob: DateOfBirth\n  fields:\n    family: family\n    given: given\n    dob: dob\n    student: student\n",
    );
    let several =
        |section: &str| with_fields.replace("evidence:\n", &format!("evidence:\n{section}"));
    let no_key = several("  several:\n    max: 5\n");
    let unknown_key = several("  several:\n    person_key: student_number\n");
    let no_cap = several("  several:\n    person_key: student\n    max: 0\n");
    let huge_cap = several("  several:\n    person_key: student\n    max: 1000\n");
    let dir = setup(&[
        ("a-no-key.yaml", &no_key),
        ("b-unknown-key.yaml", &unknown_key),
        ("c-no-cap.yaml", &no_cap),
        ("d-huge-cap.yaml", &huge_cap),
        ("t.xml.hbs", "<a>{{record.family}}</a>"),
    ]);
    let err = load(dir.path()).await.unwrap_err();
    let line = |file: &str| {
        err.lines()
            .find(|l| l.contains(file) && l.contains("OEA-E0119"))
            .unwrap_or_else(|| panic!("no OEA-E0119 for {file} in:\n{err}"))
            .to_owned()
    };
    // The `several:` section (line 21 after the five field lines), then the faulty value.
    assert!(line("a-no-key.yaml").contains("a-no-key.yaml:21:"), "{err}");
    assert!(line("a-no-key.yaml").contains("person_key"), "{err}");
    assert!(
        line("b-unknown-key.yaml").contains("b-unknown-key.yaml:21:")
            && line("b-unknown-key.yaml").contains("student_number"),
        "{err}"
    );
    assert!(line("c-no-cap.yaml").contains("c-no-cap.yaml:22:"), "{err}");
    assert!(
        line("d-huge-cap.yaml").contains("d-huge-cap.yaml:22:"),
        "{err}"
    );

    let good = several("  several:\n    person_key: student\n    max: 30\n");
    let dir = setup(&[("birth.yaml", &good), ("t.xml.hbs", "<a/>")]);
    let set = load(dir.path()).await.unwrap();
    assert_eq!(set.mappings().len(), 1);
}
