//! What the contract suites (`as4_contract.rs` over native AS4, `serve_contract.rs` over
//! the Domibus simulator) share: the deployments and requests of docs/tdd-contract.md.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use oots_framework::edm::EdmVersion;
use oots_framework::requester::{RepresentativeSpec, RequestSpec};

use crate::common;
use crate::preview_support::{self, Deployment};

/// A copy of `from` in `dir`, changed by `edit` (file name, text → text).
pub fn copy_changed(from: &Path, dir: &Path, edit: &[(&str, &str, &str)]) -> PathBuf {
    common::copy_dir(from, dir);
    for (file, old, new) in edit {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(old), "{file}: {old}");
        std::fs::write(&path, text.replace(old, new)).unwrap();
    }
    dir.to_owned()
}

pub fn jean(version: EdmVersion, format: &str) -> RequestSpec {
    RequestSpec {
        version,
        ..RequestSpec::quickstart_birth("Dupont", "Jean", "1992-10-22", format)
    }
}

/// The Austrian births (`mappings/birth-certificate`): Elif Öztürk's structured
/// certificate, with its human-readable PDF, or its age-of-majority subset.
pub fn elif(version: EdmVersion) -> RequestSpec {
    RequestSpec {
        version,
        family_name: "Öztürk".into(),
        given_name: "Elif".into(),
        date_of_birth: "1990-11-03".into(),
        preview: false,
        conforms_to: Some(
            "https://sr.oots.tech.ec.europa.eu/datamodels/certificate-of-birth-1.0.0".into(),
        ),
        ..preview_support::lukas_wimmer()
    }
}

pub const AGE_OF_MAJORITY: &str =
    "https://sr.oots.tech.europa.eu/distributions/certificate-of-birth-1.0.0/age-of-majority";

pub const OFFICE: &str = "0c7c9948-0a9f-4407-aedd-a956d1479fbd";

/// The quickstart, its query narrowed to the office the user chose, the office shown in
/// the structured certificate (as in `provider_classification.rs`).
pub fn office_deployment(dir: &Path) -> Deployment {
    let q = preview_support::workspace().join("examples/quickstart");
    copy_changed(
        &q,
        dir,
        &[
            (
                "mappings/birth-certificate.yaml",
                "     WHERE date_of_birth = :date_of_birth\n  parameters:\n    date_of_birth: DateOfBirth\n",
                "     WHERE date_of_birth = :date_of_birth AND (:office IS NULL OR registry_office = :office)\n  parameters:\n    date_of_birth: DateOfBirth\n  classifications:\n    office: registry_office\n",
            ),
            (
                "mappings/birth-certificate.yaml",
                "\nidentity:\n",
                &format!(
                    "\nprovider_classifications:\n  registry_office: {{ identifier: {OFFICE}, required: true }}\n\nidentity:\n"
                ),
            ),
            (
                "mappings/templates/birth-certificate.xml.hbs",
                "  <RegistryOffice>{{record.registry_office}}</RegistryOffice>\n",
                "  <RegistryOffice>{{record.registry_office}}</RegistryOffice>\n  <ChosenOffice>{{provider_classification.registry_office}}</ChosenOffice>\n",
            ),
        ],
    );
    Deployment {
        mappings: dir.join("mappings"),
        seed: dir.join("registry/seed.sql"),
        ..Deployment::quickstart()
    }
}

/// The quickstart with an issuing office and a validity period from the register (as in
/// `preview_metadata.rs`).
pub fn metadata_deployment(dir: &Path) -> Deployment {
    let q = preview_support::workspace().join("examples/quickstart");
    copy_changed(
        &q,
        dir,
        &[
            (
                "mappings/birth-certificate.yaml",
                "registration_date, registry_office\n      FROM birth_register",
                "registration_date, registry_office,\n           'DE-STA-' || register_number AS office_id, registration_date AS valid_from, '2099-12-31' AS valid_until\n      FROM birth_register",
            ),
            (
                "mappings/birth-certificate.yaml",
                "    registry_office: registry_office\n",
                "    registry_office: registry_office\n    office_id: office_id\n    valid_from: valid_from\n    valid_until: valid_until\n",
            ),
            (
                "mappings/birth-certificate.yaml",
                "  issuing_date: registration_date\n",
                "  issuing_date: registration_date\n  issuing_authority: { identifier: office_id, scheme_id: \"urn:oasis:names:tc:ebcore:partyid-type:unregistered:DE\", names: { DE: registry_office } }\n  validity: { start: valid_from, end: valid_until }\n",
            ),
        ],
    );
    Deployment {
        mappings: dir.join("mappings"),
        seed: dir.join("registry/seed.sql"),
        ..Deployment::quickstart()
    }
}

pub const COMPANY_EXTRACT: &str = "https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/CZ/3ccfc0a2-3e01-4427-9df2-7c5a8113257c";

pub fn company_request(name: &str, company: &str, rep: (&str, &str, &str, &str)) -> RequestSpec {
    RequestSpec {
        version: EdmVersion::V2_0,
        classification: COMPANY_EXTRACT.into(),
        format: "application/pdf".into(),
        preview: false,
        provider: (
            "urn:cef.eu:names:identifier:EAS:9929".into(),
            "CZ99999999".into(),
            "Commercial Register".into(),
        ),
        legal: Some((name.into(), Some(company.into()))),
        representative: Some(RepresentativeSpec {
            family_name: rep.0.into(),
            given_name: rep.1.into(),
            date_of_birth: rep.2.into(),
            scope: Some(rep.3.into()),
            legal_name: None,
        }),
        ..RequestSpec::quickstart_birth("", "", "", "application/pdf")
    }
}

/// The quickstart's and the Austrian births' data model as a `version` answer names it
/// (R-EDM-RESP-C022: 1.x `distributions/`, 2.0 `datamodels/`).
pub fn birth_model_in(version: EdmVersion) -> String {
    let uri = if version.is_v2() {
        "https://sr.oots.tech.ec.europa.eu/datamodels/certificate-of-birth-1.0.0"
    } else {
        "https://sr.oots.tech.europa.eu/distributions/certificate-of-birth-1.0.0"
    };
    format!("<sdg:ConformsTo>{uri}</sdg:ConformsTo>")
}

/// Runs `tests/conformance/check.py` over the answers kept in `kept` (every one must
/// pass the Schematron and the XSDs), or says why it is skipped.
pub fn conformance(kept: &Path) {
    let Some(python) = oots_testskip::skip_unless_env(
        "EDM_CONFORMANCE_PYTHON",
        "the conformance check needs EDM_CONFORMANCE_PYTHON",
    ) else {
        return;
    };
    let shared = common::shared_dir();
    if !shared
        .join("oots-spec/tdd-edm-2023-04/OOTS-EDM/sch")
        .is_dir()
    {
        oots_testskip::skip(
            "OOTS_SHARED",
            &format!("the Schematron is not under {}", shared.display()),
        );
        return;
    }
    let out = common::output_within(
        Command::new(python)
            .arg(preview_support::workspace().join("tests/conformance/check.py"))
            .arg("--shared")
            .arg(&shared)
            .arg(kept),
        900,
    );
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
