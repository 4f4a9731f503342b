//! Throughput of the PDF rendition (template + markup + layout + PDF/A-2 with embedded,
//! subsetted fonts) for a one-page certificate, on one thread.
//!
//! `cargo bench -p oots-render --bench pdf` prints one JSON line per certificate: wall
//! time, renders per second, and the CPU time this thread used (from
//! `/proc/thread-self/schedstat`, when present), since the machine may be shared.
//! Target (issue 20): ≥ 1,000 renders/s per core. With `PDF_BENCH_OUT=<dir>` one
//! rendition of each certificate is also written there.

use std::path::Path;
use std::time::Instant;

use chrono::NaiveDate;
use oots_render::{DocumentKind, Renderer};

/// Nanoseconds this thread has spent on a CPU, if the kernel says.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

const GREEK: &str = "@lang el\n@author {{provider.name}}\n# Πιστοποιητικό γέννησης\n## Τέκνο\n\
Αριθμός μητρώου | {{record.register_number}}\nΕπώνυμο | {{record.family_name}}\nΌνομα | {{record.given_name}}\n\
Ημερομηνία γέννησης | {{date record.date_of_birth \"%d.%m.%Y\"}}\nΤόπος γέννησης | {{record.place_of_birth}}\n\
## Γονείς\nΠατέρας | {{record.father_name}}\nΜητέρα | {{record.mother_name}}\n---\n\
Το παρόν πιστοποιητικό εκδόθηκε μέσω του Τεχνικού Συστήματος «Μόνο Μία Φορά» της ΕΕ.\n\
> Εκδόθηκε ηλεκτρονικά στις {{issued_at}}. Αποδεικτικό {{evidence.identifier}}.\n";

const BULGARIAN: &str = "@lang bg\n@author {{provider.name}}\n# Удостоверение за раждане\n## Дете\n\
Регистрационен номер | {{record.register_number}}\nФамилия | {{record.family_name}}\nИме | {{record.given_name}}\n\
Дата на раждане | {{date record.date_of_birth \"%d.%m.%Y\"}}\nМясто на раждане | {{record.place_of_birth}}\n\
## Родители\nБаща | {{record.father_name}}\nМайка | {{record.mother_name}}\n---\n\
Удостоверението е издадено чрез техническата система на ЕС „Само веднъж“.\n\
> Издадено електронно на {{issued_at}}. Доказателство {{evidence.identifier}}.\n";

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..");
    let german = std::fs::read_to_string(
        root.join("examples/quickstart/mappings/templates/birth-certificate.pdf.hbs"),
    )
    .expect("template");
    let mut r = Renderer::new();
    for (name, tpl) in [("de", german.as_str()), ("el", GREEK), ("bg", BULGARIAN)] {
        r.register(name, DocumentKind::Pdf, tpl, name)
            .expect("template compiles");
    }
    let record = |family: &str, given: &str, place: &str, father: &str, mother: &str| {
        serde_json::json!({
            "record": {
                "register_number": "G 4711/1992", "family_name": family, "given_name": given,
                "birth_name": null, "sex": "M", "date_of_birth": "1992-10-22",
                "place_of_birth": place, "father_name": father, "mother_name": mother,
                "registration_date": "1992-10-26", "registry_office": "Standesamt Berlin I"
            },
            "provider": {"identifier": "DE73524311", "name": "Standesamt Berlin I"},
            "evidence": {"identifier": "00000000-0000-4000-8000-000000000001"},
            "issued_at": "2026-01-01T12:00:00.000Z"
        })
    };
    let cases = [
        (
            "de",
            record("Müller", "Jürgen", "Berlin", "Peter Müller", "Anna Müller"),
        ),
        (
            "el",
            record(
                "Παπαδοπούλου",
                "Σοφία",
                "Αθήνα",
                "Γιώργος Παπαδόπουλος",
                "Ελένη Παπαδοπούλου",
            ),
        ),
        (
            "bg",
            record("Иванова", "Мария", "София", "Петър Иванов", "Елена Иванова"),
        ),
    ];
    let created = NaiveDate::from_ymd_opt(2026, 1, 1)
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .expect("date");
    // `PDF_BENCH_OUT=<dir>` keeps one rendition of each certificate, to inspect (pdftotext,
    // tests/pdfa/check.py) exactly what was measured.
    let keep = std::env::var_os("PDF_BENCH_OUT").map(std::path::PathBuf::from);
    for (name, data) in &cases {
        if let Some(dir) = &keep {
            let pdf = r.render_at(name, data, created).expect("renders");
            std::fs::write(dir.join(format!("certificate-{name}.pdf")), pdf.bytes)
                .expect("written");
        }
        let mut bytes = 0;
        for _ in 0..200 {
            bytes = r
                .render_at(name, data, created)
                .expect("renders")
                .bytes
                .len();
        }
        let n = 3_000;
        let cpu = thread_cpu_ns();
        let t = Instant::now();
        for _ in 0..n {
            r.render_at(name, data, created).expect("renders");
        }
        let secs = t.elapsed().as_secs_f64();
        let cpu_secs = match (cpu, thread_cpu_ns()) {
            (Some(a), Some(b)) => format!("{:.3}", (b - a) as f64 / 1e9),
            _ => "null".to_owned(),
        };
        println!(
            "{{\"measure\":\"render_pdf_certificate\",\"lang\":\"{name}\",\"count\":{n},\"bytes\":{bytes},\"seconds\":{secs:.3},\"cpu_seconds\":{cpu_secs},\"per_second_one_core\":{:.0}}}",
            n as f64 / secs
        );
    }
}
