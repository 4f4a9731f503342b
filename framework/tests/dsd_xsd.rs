//! The DSD export against the schemas (`XMLLINT=/usr/bin/xmllint`): the whole
//! `SubmitObjectsRequest` against RegRep `lcm.xsd` as written; and against `lcm.xsd` plus
//! the SDG profile v1.0.0 once the three elements the 1.0.0 profile predates are taken
//! out (`DistributedAs/Language`, `AccessService/Name`, `Publisher/Description`, all in
//! real 2.0 DSD answers): the rest of the SDG content, jurisdiction determination and
//! provider classifications included, is what the profile describes.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn xmllint() -> Option<String> {
    oots_testskip::skip_unless_env(
        "XMLLINT",
        "XSD validation of the DSD export needs xmllint (set XMLLINT=/usr/bin/xmllint)",
    )
}

/// RegRep 4 and the SDG 1.0.0 profile with local `schemaLocation`s; returns
/// (`lcm.xsd`, the SDG driver).
fn schemas(spec: &Path, dir: &Path) -> (PathBuf, PathBuf) {
    let tdd = spec.join("tdd-edm-2023-04/OOTS-EDM/xsd");
    for (sub, file) in [
        ("regrep4", "rim.xsd"),
        ("regrep4", "rs.xsd"),
        ("regrep4", "query.xsd"),
        ("regrep4", "lcm.xsd"),
        ("xml", "xml.xsd"),
        ("xml", "xlink.xsd"),
        ("xml", "ws-addr.xsd"),
    ] {
        let mut text = std::fs::read_to_string(tdd.join(sub).join(file)).unwrap();
        for (ns, loc) in [
            ("http://www.w3.org/XML/1998/namespace", "xml.xsd"),
            ("http://www.w3.org/1999/xlink", "xlink.xsd"),
            ("http://www.w3.org/2005/08/addressing", "ws-addr.xsd"),
        ] {
            for prefix in ["", "xs:"] {
                for space in ["", " "] {
                    text = text.replace(
                        &format!("<{prefix}import namespace=\"{ns}\"{space}/>"),
                        &format!("<{prefix}import namespace=\"{ns}\" schemaLocation=\"{loc}\"/>"),
                    );
                }
            }
        }
        std::fs::write(dir.join(file), text).unwrap();
    }
    std::fs::copy(
        tdd.join("sdg/SDG-GenericMetadataProfile-v1.0.0.xsd"),
        dir.join("SDG-GenericMetadataProfile-v1.0.0.xsd"),
    )
    .unwrap();
    let driver = std::fs::read_to_string(tdd.join("sdg/oots_driver_v1.0.0.xsd"))
        .unwrap()
        .replace(
            "http://docs.oasis-open.org/regrep/regrep-core/v4.0/os/xsd/",
            "",
        );
    std::fs::write(dir.join("oots_driver.xsd"), driver).unwrap();
    (dir.join("lcm.xsd"), dir.join("oots_driver.xsd"))
}

fn validate(xmllint: &str, schema: &Path, file: &Path) -> Result<(), String> {
    let out = Command::new(xmllint)
        .args(["--noout", "--nonet", "--schema"])
        .arg(schema)
        .arg(file)
        .output()
        .unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// The export without the elements SDG 1.0.0 predates (one element per line, as written).
fn without_2_0_elements(xml: &str) -> String {
    let mut stack: Vec<String> = Vec::new();
    let mut out = String::new();
    for line in xml.lines() {
        let t = line.trim();
        let name = |s: &str| {
            s.trim_start_matches("</")
                .trim_start_matches('<')
                .split([' ', '>', '/'])
                .next()
                .unwrap_or("")
                .to_owned()
        };
        if t.starts_with("</") {
            stack.pop();
        } else if t.starts_with('<')
            && !t.starts_with("<?")
            && !t.ends_with("/>")
            && !t.contains("</")
        {
            stack.push(name(t));
        } else if t.starts_with('<') && !t.starts_with("<?") {
            let parent = stack.last().map(String::as_str).unwrap_or("");
            let leaf = name(t);
            if matches!(
                (parent, leaf.as_str()),
                ("sdg:DistributedAs", "sdg:Language")
                    | ("sdg:AccessService", "sdg:Name")
                    | ("sdg:Publisher", "sdg:Description")
            ) {
                continue;
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[test]
fn the_export_validates_against_lcm_and_the_sdg_profile() {
    let (Some(xmllint), Some(spec)) = (xmllint(), common::spec_dir()) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let (lcm, driver) = schemas(&spec, tmp.path());
    // A deployment using every optional part: jurisdiction, provider classifications.
    let dep = tmp.path().join("dep");
    common::copy_dir(&workspace().join("mappings/birth-certificate"), &dep);
    let mapping = dep.join("mapping/birth-certificate.yaml");
    let text = std::fs::read_to_string(&mapping).unwrap().replace(
        "dsd:\n  identifier: 6f1c2a4e-8b7d-4e0a-9c3f-2d5e7b1a9c40\n",
        "dsd:\n  identifier: 6f1c2a4e-8b7d-4e0a-9c3f-2d5e7b1a9c40\n  jurisdiction:\n    context_id: municipality\n    context: { EN: Municipality of birth }\n    level: LAU\nprovider_classifications:\n  office:\n    identifier: 0f3a9b2c-1d4e-4f5a-8b6c-7d8e9f0a1b2c\n",
    );
    std::fs::write(&mapping, text).unwrap();
    let mut failures = Vec::new();
    let mut validated = 0;
    for deployment in [dep.clone(), workspace().join("mappings")] {
        let out = tmp.path().join(format!("out-{validated}"));
        let run = common::output_within(
            Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
                .args(["dsd", "export"])
                .arg(&deployment)
                .arg("--out")
                .arg(out.join("dep.xml")),
            120,
        );
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let files: Vec<PathBuf> = if out.join("dep.xml").is_file() {
            vec![out.join("dep.xml")]
        } else {
            std::fs::read_dir(out.join("dep.xml"))
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect()
        };
        for file in files {
            let xml = std::fs::read_to_string(&file).unwrap();
            validated += 1;
            if let Err(e) = validate(&xmllint, &lcm, &file) {
                failures.push(e);
            }
            let stripped = file.with_extension("sdg1.xml");
            std::fs::write(&stripped, without_2_0_elements(&xml)).unwrap();
            if let Err(e) = validate(&xmllint, &driver, &stripped) {
                failures.push(e);
            }
            if deployment == dep {
                for needle in [
                    "<sdg:JurisdictionLevel>LAU</sdg:JurisdictionLevel>",
                    "<sdg:EvidenceProviderClassification>",
                ] {
                    assert!(xml.contains(needle), "{needle}\n{xml}");
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(validated, 6);
}
