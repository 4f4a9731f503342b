//! What `official_samples.rs` shares: the official sample requests, the ready
//! deployments, `oots-adapter respond` on an edited sample, the conformance checker over
//! the answers, and the edits a judge makes to a sample.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use oots_framework::edm::{self, EdmVersion, EvidenceRequest, XmlLimits};

use super::common;

pub const SAMPLES: &str = "oots-spec/tdd-edm-2023-04/OOTS-EDM/xml/Request-Response Samples/4.5.4 - OOTS-EDM XML Examples of the Evidence Exchange";
pub const BIRTH_FULL: &str = "2 Example for requesting a Birth Certificate - natural person/2.1 Step 1  Evidence Request - Birth - full example.xml";
pub const BIRTH_OLD: &str = "2 Example for requesting a Birth Certificate - natural person/Old samples/2.1 Step 1  Evidence Request - Birth.xml";
pub const TAX_FULL: &str = "4 Example for requesting an Extract of a Commercial Register/4.1 Step 1  Evidence Request  - Tax - full example.xml";
pub const TAX_OLD: &str = "4 Example for requesting an Extract of a Commercial Register/Old samples/4.1 Step 1  Evidence Request - Tax.xml";
pub const FR_REQUEST: &str = "oots-spec/oots-france/spec/fixtures/reference/messages/requete.xml";

/// The German birth register of the quickstart (provider DE73524311, the samples' own).
pub const QUICKSTART: &str = "examples/quickstart/adapter.yaml";
/// The Austrian birth register (provider ATU99887766).
pub const BIRTH_AT: &str = "mappings/birth-certificate/adapter.yaml";
/// The Czech commercial register (provider CZ99999999).
pub const COMPANY_CZ: &str = "mappings/company-registration-extract/adapter.yaml";

pub const AGE_OF_MAJORITY: &str =
    "https://sr.oots.tech.europa.eu/distributions/certificate-of-birth-1.0.0/age-of-majority";
pub const BRIS: &str = "https://sr.oots.tech.europa.eu/distributions/BRIS-1.0.0";
pub const BRIS_NUMBER: &str =
    "https://sr.oots.tech.europa.eu/distributions/BRIS-1.0.0/business-registry-number-1.0.0";

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The sample's text, or `None` (test skipped) without the reference material.
pub fn sample(name: &str) -> Option<String> {
    let shared = common::shared_dir();
    let path = if name.starts_with("oots-spec/") {
        shared.join(name)
    } else {
        shared.join(SAMPLES).join(name)
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(_) => {
            oots_testskip::skip(
                "OOTS_SHARED",
                &format!("{} not found (set OOTS_SHARED)", path.display()),
            );
            None
        }
    }
}

/// One answer of `oots-adapter respond`.
pub struct Answer {
    pub json: serde_json::Value,
    pub files: Vec<PathBuf>,
    _out: tempfile::TempDir,
}

impl Answer {
    pub fn code(&self) -> Option<&str> {
        self.json["code"].as_str()
    }
    pub fn is_evidence(&self) -> bool {
        self.json["action"] == "ExecuteQueryResponse" && self.files.len() > 1
    }
    pub fn message(&self) -> String {
        std::fs::read_to_string(&self.files[0]).unwrap()
    }
    /// Every attached document, concatenated (XML ones as text).
    pub fn documents(&self) -> String {
        self.files[1..]
            .iter()
            .map(|f| String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned())
            .collect()
    }
    #[track_caller]
    pub fn expect_refusal(&self, code: &str) {
        assert_eq!(self.code(), Some(code), "{}", self.json);
        assert_eq!(self.json["action"], "ExceptionResponse", "{}", self.json);
        assert_eq!(self.files.len(), 1, "nothing attached to a refusal");
    }
    #[track_caller]
    pub fn expect_evidence(&self) {
        assert!(self.is_evidence(), "{}", self.json);
        assert!(self.code().is_none(), "{}", self.json);
    }
}

/// Runs `respond` on `xml` against the deployment `config`, with a fresh state folder.
pub fn respond(config: &str, xml: &str) -> Answer {
    let out = tempfile::tempdir().unwrap();
    let request = out.path().join("request.xml");
    std::fs::write(&request, xml).unwrap();
    let output = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .arg("respond")
            .arg("--config")
            .arg(workspace().join(config))
            .arg("--request")
            .arg(&request)
            .arg("--out")
            .arg(out.path().join("answer"))
            .arg("--state-dir")
            .arg(out.path().join("state")),
        120,
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "respond failed: {}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = stdout.lines().last().unwrap_or_default();
    let json: serde_json::Value =
        serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let files = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| PathBuf::from(f.as_str().unwrap()))
        .collect();
    Answer {
        json,
        files,
        _out: out,
    }
}

/// Every answer message meets the Commission's Schematron and XSDs (with the drift
/// table of docs/conformance.md), when the checker is configured.
pub fn conforms(answers: &[&Answer]) {
    let Some(python) = oots_testskip::skip_unless_env(
        "EDM_CONFORMANCE_PYTHON",
        "conformance of the answers needs EDM_CONFORMANCE_PYTHON",
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (i, a) in answers.iter().enumerate() {
        let path = dir.path().join(format!("answer-{i}.xml"));
        std::fs::copy(&a.files[0], &path).unwrap();
        paths.push(path);
    }
    let out = common::output_within(
        Command::new(python)
            .arg(workspace().join("tests/conformance/check.py"))
            .arg("--shared")
            .arg(common::shared_dir())
            .args(&paths),
        900,
    );
    assert!(
        out.status.success(),
        "answers fail the conformance check: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Sets the value of the request slot `name` (the first `rim:Value` after it).
pub fn slot(xml: &str, name: &str, value: &str) -> String {
    let at = xml
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no slot {name}"));
    let open = at + xml[at..].find("<rim:Value>").unwrap() + "<rim:Value>".len();
    let close = open + xml[open..].find("</rim:Value>").unwrap();
    format!("{}{value}{}", &xml[..open], &xml[close..])
}

/// `xml` with every `from` replaced by `to`; the sample must contain `from`.
#[track_caller]
pub fn replace(xml: &str, from: &str, to: &str) -> String {
    assert!(xml.contains(from), "sample changed shape: no {from}");
    xml.replace(from, to)
}

/// `xml` without its `sdg:Transformation`.
pub fn without_transformation(xml: &str) -> String {
    let open = xml.find("<sdg:Transformation>").unwrap();
    let close = xml.find("</sdg:Transformation>").unwrap() + "</sdg:Transformation>".len();
    format!("{}{}", &xml[..open], &xml[close..])
}

/// Reads `xml`, lets `edit` change the request and writes it again (the devkit writer).
pub fn rewrite(xml: &str, edit: impl FnOnce(&mut EvidenceRequest)) -> String {
    let mut request = edm::parse_request(xml.as_bytes(), &XmlLimits::default()).unwrap();
    edit(&mut request);
    edm::write_request(&request)
}

/// The request in EDM 2.0: 2.0 has no `Transformation` (a subset is a distribution of
/// its own there, docs/spec-notes §5) and no root `xml:lang`.
pub fn to_v2(xml: &str, edit: impl FnOnce(&mut EvidenceRequest)) -> String {
    rewrite(xml, |r| {
        r.version = EdmVersion::V2_0;
        r.lang = None;
        for d in &mut r.evidence_type.distributed_as {
            d.transformation = None;
        }
        edit(r);
    })
}

/// The Commission's commercial-register request addressed to the Czech register, about a
/// company it keeps; the representative stays the sample's (John Doe, no scope).
pub fn tax_for_the_czech_register(xml: &str) -> String {
    let xml = replace(
        xml,
        "schemeID=\"urn:cef.eu:names:identifier:EAS:9930\">DE73524311",
        "schemeID=\"urn:cef.eu:names:identifier:EAS:9929\">CZ99999999",
    );
    let xml = replace(
        &xml,
        "https://sr.oots.tech.europa.eu/evidencetypeclassifications/DE/ca8afed6-2dc0-422a-a931-d21c3d8d370e",
        "https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/CZ/3ccfc0a2-3e01-4427-9df2-7c5a8113257c",
    );
    let xml = replace(&xml, "SE/DE/12132123Y", "CZ/DK/27074358");
    replace(
        &xml,
        "<sdg:LegalName>Sweden ltd",
        "<sdg:LegalName>Pražské strojírny Kovář s.r.o.",
    )
}

/// The sample's `AuthorizedRepresentative` replaced by the company's director, with the
/// power of representation for the sample's procedure (X4).
pub fn by_the_director(xml: &str) -> String {
    let xml = replace(xml, "<sdg:FamilyName>Doe", "<sdg:FamilyName>Kovář");
    let xml = replace(&xml, "<sdg:GivenName>John", "<sdg:GivenName>Jiří");
    let xml = replace(&xml, "1978-09-09", "1968-11-23");
    replace(
        &xml,
        "<sdg:Gender>Male</sdg:Gender>",
        "<sdg:Gender>Male</sdg:Gender>
					<sdg:SectorSpecificAttribute>
						<sdg:AttributeName>PowerOfRepresentationScope</sdg:AttributeName>
						<sdg:AttributeURI>http://eidas.europa.eu/attributes/legalperson/PowerOfRepresentationScope</sdg:AttributeURI>
						<sdg:AttributeValue>X4</sdg:AttributeValue>
					</sdg:SectorSpecificAttribute>",
    )
}
