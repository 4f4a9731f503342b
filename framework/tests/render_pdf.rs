//! PDF rendition from markup: structure, determinism, pagination, text, encodings.

use chrono::{NaiveDate, NaiveDateTime};
use oots_framework::render::{PdfMeta, render_pdf, render_pdf_report};

fn created() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2024, 1, 2)
        .unwrap()
        .and_hms_opt(3, 4, 5)
        .unwrap()
}

fn meta() -> PdfMeta {
    PdfMeta {
        title: "Birth certificate".to_owned(),
        author: "Civil Registry Testville".to_owned(),
        language: Some("en".to_owned()),
        created: created(),
    }
}

const SAMPLE: &str = "# Birth certificate\n\
## Child\n\
Family name | Doe\n\
Given names | Jane Mary\n\
Date of birth | 01.02.1990\n\
---\n\
This certificate is issued on the basis of the civil registry. It is valid without signature\n\
when obtained through the Once-Only Technical System.\n\
\n\
Second paragraph.\n\
> Issued electronically by the Civil Registry Testville.\n";

/// Page objects (`/Type /Page`, not `/Type /Pages`).
fn page_count(pdf: &[u8]) -> usize {
    let needle = b"/Type /Page";
    pdf.windows(needle.len() + 1)
        .filter(|w| w.starts_with(needle) && w[needle.len()] != b's')
        .count()
}

/// Uncompressed content streams, in file order.
fn streams(pdf: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(pdf);
    text.split(">>\nstream\n")
        .skip(1)
        .filter_map(|s| s.split("\nendstream").next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn output_is_a_pdf_file_with_metadata() {
    let pdf = render_pdf(SAMPLE, &meta()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf.trim_ascii_end().ends_with(b"%%EOF"));
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("/Title (Birth certificate)"));
    assert!(text.contains("/Author (Civil Registry Testville)"));
    assert!(text.contains("/Producer (oots-adapter)"));
    assert!(text.contains("/CreationDate (D:20240102030405Z)"));
    assert!(text.contains("/Lang (en)"));
    assert!(text.contains("/BaseFont /Helvetica"));
    assert!(text.contains("/BaseFont /Helvetica-Bold"));
    assert!(text.contains("/WinAnsiEncoding"));
    assert!(text.contains("/MediaBox [0 0 595.276 841.89]"), "A4");
    assert!(!text.contains("/Keywords"), "nothing was transliterated");
    assert_eq!(page_count(&pdf), 1);
}

#[test]
fn output_is_byte_identical_across_runs() {
    let a = render_pdf(SAMPLE, &meta()).unwrap();
    let b = render_pdf(SAMPLE, &meta()).unwrap();
    assert_eq!(a, b);
    let mut later = meta();
    later.created = created() + chrono::Duration::seconds(1);
    assert_ne!(a, render_pdf(SAMPLE, &later).unwrap());
}

#[test]
fn content_streams_contain_the_text() {
    let pdf = render_pdf(SAMPLE, &meta()).unwrap();
    let content = streams(&pdf).join("\n");
    for needle in [
        "(Birth certificate) Tj",
        "(Child) Tj",
        "(Family name) Tj",
        "(Doe) Tj",
        "(Jane Mary) Tj",
        "(Second paragraph.) Tj",
        "(Issued electronically by the Civil Registry Testville.) Tj",
        "(1 / 1) Tj",
    ] {
        assert!(content.contains(needle), "missing {needle}");
    }
    // Labels are bold (F2), values regular (F1).
    assert!(content.contains("/F2 10 Tf\n(Family name) Tj"));
    assert!(content.contains("/F1 10 Tf\n(Doe) Tj"));
}

#[test]
fn long_markup_breaks_into_pages_with_footer_on_each() {
    let mut markup = String::from("# Register extract\n> Footer note\n");
    for i in 0..300 {
        if i % 3 == 0 {
            markup.push_str(&format!("Field {i} | Value number {i}\n"));
        } else {
            markup.push_str(&format!(
                "Paragraph line {i} with enough words to be a realistic sentence of text.\n\n"
            ));
        }
    }
    let report = render_pdf_report(&markup, &meta()).unwrap();
    let pages = page_count(&report.bytes);
    assert!(pages >= 4, "only {pages} pages");
    assert_eq!(pages, report.pages);
    let text = String::from_utf8_lossy(&report.bytes);
    assert!(text.contains(&format!("/Count {pages}")));
    let contents = streams(&report.bytes);
    assert_eq!(contents.len(), pages);
    for (i, c) in contents.iter().enumerate() {
        assert!(c.contains("(Footer note) Tj"), "footer on page {}", i + 1);
        assert!(c.contains(&format!("({} / {pages}) Tj", i + 1)));
    }
    // Every line made it, in order, exactly once.
    let all = contents.join("\n");
    let mut last = 0;
    for i in 0..300 {
        let needle = if i % 3 == 0 {
            format!("(Value number {i}) Tj")
        } else {
            format!("(Paragraph line {i} ")
        };
        let at = all[last..]
            .find(&needle)
            .unwrap_or_else(|| panic!("line {i} missing or out of order"));
        last += at + needle.len();
    }
}

#[test]
fn lines_stay_inside_the_margins() {
    let long = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor \
                incididunt ut labore et dolore magna aliqua. "
        .repeat(20);
    let markup = format!(
        "{long}\nLabel | {long}\nSuperlongwordwithoutanyspaces{}\n",
        "x".repeat(300)
    );
    let pdf = render_pdf(&markup, &meta()).unwrap();
    // Text matrices: "1 0 0 1 x y Tm"; every x must be inside the page's text box.
    let content = streams(&pdf).join("\n");
    let mut count = 0;
    for line in content.lines().filter(|l| l.ends_with(" Tm")) {
        let nums: Vec<f32> = line
            .split_whitespace()
            .filter_map(|t| t.parse().ok())
            .collect();
        let (x, y) = (nums[4], nums[5]);
        assert!((56.0..540.0).contains(&x), "x {x}");
        assert!((20.0..790.0).contains(&y), "y {y}");
        count += 1;
    }
    assert!(count > 30);
}

#[test]
fn non_winansi_characters_are_shown_or_transliterated_and_recorded() {
    // Polish letters use the standard fonts' extended glyph set (no loss); Greek is
    // transliterated and counted.
    let markup = "Name | Łukasz Żółć\nGreek | Σοφία\n";
    let report = render_pdf_report(markup, &meta()).unwrap();
    assert_eq!(report.substituted, 5);
    let text = String::from_utf8_lossy(&report.bytes);
    assert!(
        text.contains("/Keywords (transliterated: 5 character(s)"),
        "substitution recorded in metadata"
    );
    assert!(text.contains("/Differences [33 /Amacron"));
    assert!(text.contains("/Lslash"));
    let content = streams(&report.bytes).join("\n");
    assert!(content.contains("(Sofia) Tj"), "Greek transliterated");
    assert!(content.contains("/F3 10 Tf"), "extended plane used");

    let clean = render_pdf_report("Name | Łukasz Müller", &meta()).unwrap();
    assert_eq!(clean.substituted, 0);
    assert!(!String::from_utf8_lossy(&clean.bytes).contains("/Keywords"));
}

#[test]
fn meta_falls_back_to_markup_directives() {
    let markup = "@title Extract\n@author Registry\n@lang fr\n# Heading title\nText\n";
    let pdf = render_pdf(
        markup,
        &PdfMeta {
            title: String::new(),
            author: String::new(),
            language: None,
            created: created(),
        },
    )
    .unwrap();
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("/Title (Extract)"));
    assert!(text.contains("/Author (Registry)"));
    assert!(text.contains("/Lang (fr)"));
}

#[test]
fn empty_markup_is_one_blank_page() {
    let pdf = render_pdf("", &meta()).unwrap();
    assert_eq!(page_count(&pdf), 1);
}

#[test]
fn oversized_footer_is_refused() {
    let markup = "> note\n".repeat(60);
    let err = render_pdf(&markup, &meta()).unwrap_err();
    assert_eq!(err.code(), "RENDER_PDF");
}

#[test]
fn pdftotext_extracts_the_words() {
    let Some(tool) = oots_testskip::skip_unless_env(
        "PDFTOTEXT",
        "pdftotext not configured (set PDFTOTEXT=/usr/bin/pdftotext, Debian poppler-utils)",
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.pdf");
    let markup = format!(
        "{SAMPLE}Polski | Łukasz Żółć Gęślą\nČesky | Dvořák Šťastný\nRomână | Țară Ștefan\n"
    );
    std::fs::write(&path, render_pdf(&markup, &meta()).unwrap()).unwrap();
    let out = std::process::Command::new(tool)
        .arg("-enc")
        .arg("UTF-8")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for word in [
        "Birth certificate",
        "Family name",
        "Doe",
        "Jane Mary",
        "01.02.1990",
        "Once-Only",
        "Issued electronically",
        "Łukasz",
        "Żółć",
        "Gęślą",
        "Dvořák",
        "Šťastný",
        "Ștefan",
    ] {
        assert!(text.contains(word), "{word} not in extracted text:\n{text}");
    }
}
