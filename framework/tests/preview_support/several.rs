//! A deployment whose subjects may have several evidences (`evidence.several`): a
//! diploma register in SQLite keyed by student number, for `preview_several.rs` and the
//! browser suite; self-contained, so the AS4 suite includes it too.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use oots_framework::edm::EdmVersion;
use oots_framework::requester::RequestSpec;

pub const CLASSIFICATION: &str = "https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/DE/5e0c9ad1-7a3b-4c2d-9e8f-0a1b2c3d4e5f";

/// The requester's return address (a 2.0 follow-up carries one, R-EDM-REQ-S062).
pub const BACK: &str = "https://requester.example/back";

/// The homonyms mapping's evidence type: the same register, the sign-in's identifier
/// singling out the twin (`on_ambiguous: preview`).
pub const HOMONYMS_CLASSIFICATION: &str = "https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/DE/6f1dab02-8b4c-4d3e-8f90-1b2c3d4e5f60";

/// The national identifier the registry holds for the twin with student number S2.
pub const FIRST_TWIN: &str = "S2-ID";

pub const HOMONYMS_MAPPING: &str = "evidence_type:
  classifications:
    - https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/DE/6f1dab02-8b4c-4d3e-8f90-1b2c3d4e5f60
  title: { EN: Diploma (homonyms) }
connector:
  connection: diplomas
  query: SELECT * FROM diplomas WHERE date_of_birth = :dob
  parameters:
    dob: DateOfBirth
  fields:
    diploma_number: diploma_number
    student_id: student_id
    family_name: family_name
    given_name: given_name
    date_of_birth: date_of_birth
    national_id: national_id
identity:
  FamilyName: family_name
  GivenName: given_name
  DateOfBirth: date_of_birth
  PersonIdentifier: national_id
matching:
  record_id: diploma_number
  blocking:
    passes:
      - name: date of birth
        parameters: { dob: DateOfBirth }
      - name: person identifier
        query: SELECT * FROM diplomas WHERE national_id = :id
        parameters: { id: PersonIdentifier }
  decision:
    on_ambiguous: preview
evidence:
  title: Diploma
  several:
    person_key: student_id
  distributions:
    - format: application/xml
      conforms_to:
        - https://sr.oots.tech.ec.europa.eu/datamodels/tertiary-education-diploma-1.0.0
      template: diploma.xml.hbs
labels:
  diploma_number: { EN: Diploma number }
";

pub const MAPPING: &str = "evidence_type:
  classifications:
    - https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/DE/5e0c9ad1-7a3b-4c2d-9e8f-0a1b2c3d4e5f
  title: { EN: Diploma }
connector:
  connection: diplomas
  query: SELECT * FROM diplomas WHERE date_of_birth = :dob
  parameters:
    dob: DateOfBirth
  fields:
    diploma_number: diploma_number
    student_id: student_id
    family_name: family_name
    given_name: given_name
    date_of_birth: date_of_birth
identity:
  FamilyName: family_name
  GivenName: given_name
  DateOfBirth: date_of_birth
evidence:
  title: Diploma
  several:
    person_key: student_id
  distributions:
    - format: application/xml
      conforms_to:
        - https://sr.oots.tech.ec.europa.eu/datamodels/tertiary-education-diploma-1.0.0
      template: diploma.xml.hbs
labels:
  diploma_number: { EN: Diploma number }
";

/// The registry: Anna has two diplomas, Maria two under two family names, Piotr
/// twenty, Jan twenty-one (over the default cap of 20); the twins Ewa share names and
/// date of birth but not the student number nor the national identifier, and the first
/// twin holds two diplomas.
pub fn seed() -> String {
    let mut sql = String::from(
        "CREATE TABLE diplomas (diploma_number TEXT PRIMARY KEY, student_id TEXT, family_name TEXT, given_name TEXT, date_of_birth TEXT, national_id TEXT);\n",
    );
    let mut add = |number: String, student: &str, family: &str, given: &str, dob: &str| {
        sql.push_str(&format!(
            "INSERT INTO diplomas VALUES ('{number}', '{student}', '{family}', '{given}', '{dob}', '{student}-ID');\n"
        ));
    };
    add("ANNA-1".into(), "S1", "Nowak", "Anna", "1990-01-01");
    add("ANNA-2".into(), "S1", "Nowak", "Anna", "1990-01-01");
    add("EWA-1".into(), "S2", "Twin", "Ewa", "1991-02-02");
    add("EWA-2".into(), "S3", "Twin", "Ewa", "1991-02-02");
    add("EWA-3".into(), "S2", "Twin", "Ewa", "1991-02-02");
    // One student number, two family names (a name change): the sign-in must be the
    // person of both records before either is shown.
    add("MARIA-1".into(), "S6", "Lis", "Maria", "1994-05-05");
    add("MARIA-2".into(), "S6", "Wrona", "Maria", "1994-05-05");
    for i in 0..20 {
        add(format!("PIOTR-{i:02}"), "S4", "Many", "Piotr", "1992-03-03");
    }
    for i in 0..21 {
        add(format!("JAN-{i:02}"), "S5", "Over", "Jan", "1993-04-04");
    }
    sql
}

/// The deployment's mapping folder and registry seed, written into `dir`; the
/// connection is `diplomas`.
pub fn write(dir: &Path) -> (PathBuf, PathBuf) {
    let mappings = dir.join("mappings");
    std::fs::create_dir_all(&mappings).unwrap();
    std::fs::write(mappings.join("diploma.yaml"), MAPPING).unwrap();
    std::fs::write(mappings.join("diploma-homonyms.yaml"), HOMONYMS_MAPPING).unwrap();
    std::fs::write(
        mappings.join("diploma.xml.hbs"),
        "<Diploma><Number>{{record.diploma_number}}</Number></Diploma>",
    )
    .unwrap();
    std::fs::write(dir.join("seed.sql"), seed()).unwrap();
    (mappings, dir.join("seed.sql"))
}

pub fn request(
    family: &str,
    given: &str,
    dob: &str,
    version: EdmVersion,
    preview: bool,
) -> RequestSpec {
    RequestSpec {
        version,
        preview,
        classification: CLASSIFICATION.into(),
        ..RequestSpec::quickstart_birth(family, given, dob, "application/xml")
    }
}
