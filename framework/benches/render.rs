//! Throughput of evidence rendering and of `check` + `test`, on this machine.
//!
//! `cargo bench -p oots-framework --bench render` prints one JSON line per measure.
//! Targets (issue 3): ≥ 5,000 XML evidences/s per core; check + test of `mappings/`
//! under 2 s.

use std::path::Path;
use std::time::Instant;

use oots_framework::render::{DocumentKind, Renderer};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let tpl = std::fs::read_to_string(
        root.join("examples/quickstart/mappings/templates/birth-certificate.xml.hbs"),
    )
    .expect("template");
    let mut r = Renderer::new();
    r.register(
        "birth",
        DocumentKind::Xml,
        &tpl,
        "birth-certificate.xml.hbs",
    )
    .expect("template compiles");
    let data = serde_json::json!({
        "record": {
            "register_number": "G 4711/1992", "family_name": "Dupont", "given_name": "Jean",
            "birth_name": null, "sex": "M", "date_of_birth": "1992-10-22",
            "place_of_birth": "Berlin", "father_name": "Pierre Dupont",
            "mother_name": "Claire Dupont", "registration_date": "1992-10-26",
            "registry_office": "Standesamt Berlin I"
        },
        "subject": {"family_name": "Dupont"},
        "evidence": {"identifier": "00000000-0000-4000-8000-000000000001"},
        "provider": {"identifier": "DE73524311", "scheme": "urn:cef.eu:names:identifier:EAS:9930", "name": "Standesamt Berlin I", "country": "DE"},
        "request": {"id": "urn:uuid:x"},
        "issued_at": "2026-01-01T12:00:00.000Z"
    });
    // Warm up, then measure on one thread (per core).
    for _ in 0..500 {
        r.render("birth", &data).expect("renders");
    }
    let n = 20_000;
    let t = Instant::now();
    for _ in 0..n {
        r.render("birth", &data).expect("renders");
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{{\"measure\":\"render_xml_evidence\",\"count\":{n},\"seconds\":{secs:.3},\"per_second_one_core\":{:.0}}}",
        n as f64 / secs
    );

    // check + test of every deployment under mappings/ and examples/, as the CLI does.
    let bin = root.join("target/release/oots-adapter");
    let bin = if bin.exists() {
        bin
    } else {
        root.join("target/debug/oots-adapter")
    };
    if bin.exists() {
        for dir in ["mappings", "examples"] {
            let t = Instant::now();
            let c = std::process::Command::new(&bin)
                .arg("check")
                .arg(root.join(dir))
                .output();
            let u = std::process::Command::new(&bin)
                .arg("test")
                .arg(root.join(dir))
                .output();
            let ok = matches!((&c, &u), (Ok(c), Ok(u)) if c.status.success() && u.status.success());
            println!(
                "{{\"measure\":\"check_and_test\",\"dir\":\"{dir}\",\"ok\":{ok},\"seconds\":{:.3},\"binary\":\"{}\"}}",
                t.elapsed().as_secs_f64(),
                bin.display()
            );
        }
    }
}
