//! PDF rendition from markup: PDF/A-2 structure, embedded fonts, determinism,
//! pagination, text in every EU script (checked with pdftotext and, for PDF/A, with
//! pikepdf; both skip when not configured).

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
        default_language: None,
        created: created(),
    }
}

fn no_meta() -> PdfMeta {
    PdfMeta {
        title: String::new(),
        author: String::new(),
        language: None,
        default_language: None,
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

const GREEK: &str = "@lang el\n@author Ληξιαρχείο Αθηνών\n# Πιστοποιητικό γέννησης\n## Τέκνο\n\
Επώνυμο | Παπαδοπούλου\nΌνομα | Σοφία\nΤόπος γέννησης | Αθήνα\n---\n\
Το παρόν πιστοποιητικό εκδόθηκε μέσω του Τεχνικού Συστήματος «Μόνο Μία Φορά».\n\
> Εκδόθηκε ηλεκτρονικά από το Ληξιαρχείο Αθηνών.\n";

const BULGARIAN: &str = "@lang bg\n@author Община София\n# Удостоверение за раждане\n## Дете\n\
Фамилия | Иванова\nИме | Мария\nМясто на раждане | София\n---\n\
Удостоверението е издадено чрез техническата система „Само веднъж“.\n\
> Издадено електронно от Община София.\n";

/// Page objects (`/Type/Page`, not `/Type/Pages`).
fn page_count(pdf: &[u8]) -> usize {
    let needle = b"/Type/Page";
    pdf.windows(needle.len() + 1)
        .filter(|w| w.starts_with(needle) && w[needle.len()] != b's')
        .count()
}

/// The page content streams (uncompressed, with text matrices), in file order.
fn page_streams(pdf: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(pdf);
    text.split(">>\nstream\n")
        .skip(1)
        .filter_map(|s| s.split("\nendstream").next())
        .filter(|s| s.contains(" Tm"))
        .map(str::to_owned)
        .collect()
}

/// The text of `pdf` as pdftotext reads it (`-raw`: content order), pages split at
/// form feeds; `None` (a recorded skip) without PDFTOTEXT.
fn pdftotext(pdf: &[u8]) -> Option<Vec<String>> {
    let tool = oots_testskip::skip_unless_env(
        "PDFTOTEXT",
        "pdftotext not configured (set PDFTOTEXT=/usr/bin/pdftotext, Debian poppler-utils)",
    )?;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new(tool)
        .args(["-raw", "-enc", "UTF-8"])
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
    Some(text.split('\u{c}').map(str::to_owned).collect())
}

#[test]
fn output_is_pdf_a_with_metadata_and_embedded_fonts() {
    let pdf = render_pdf(SAMPLE, &meta()).unwrap();
    assert!(pdf.starts_with(b"%PDF-1.7"));
    assert!(pdf.trim_ascii_end().ends_with(b"%%EOF"));
    let text = String::from_utf8_lossy(&pdf);
    for needle in [
        "/Title(Birth certificate)",
        "/Author(Civil Registry Testville)",
        "/Producer(oots-adapter)",
        "/CreationDate(D:20240102030405Z)",
        "/Lang(en)",
        "/MediaBox[0 0 595.276 841.89]",
        "/S/GTS_PDFA1",
        "/StructTreeRoot",
        "/MarkInfo<</Marked true",
        "/Subtype/CIDFontType2",
        "+DejaVuSans/",
        "+DejaVuSans-Bold/",
        "/FontFile2",
        "/ToUnicode",
        // XMP: PDF/A-2a (tagged, language known) and the title.
        "<pdfaid:part>2</pdfaid:part>",
        "<pdfaid:conformance>A</pdfaid:conformance>",
        "Birth certificate</rdf:li>",
    ] {
        assert!(text.contains(needle), "missing {needle}");
    }
    assert!(!text.contains("Helvetica"), "no standard-14 fonts");
    assert_eq!(page_count(&pdf), 1);
}

#[test]
fn without_a_language_the_file_is_pdf_a_2u() {
    let pdf = render_pdf("# Extract\nName | Doe\n", &no_meta()).unwrap();
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("<pdfaid:conformance>U</pdfaid:conformance>"));
    assert!(!text.contains("/Lang("));
    assert!(text.contains("/StructTreeRoot"), "still tagged");
}

#[test]
fn the_tag_tree_has_headings_table_rows_and_paragraphs() {
    let pdf = render_pdf(SAMPLE, &meta()).unwrap();
    let text = String::from_utf8_lossy(&pdf);
    for kind in [
        "/S/H1", "/S/H2", "/S/Table", "/S/TR", "/S/TH", "/S/TD", "/S/P",
    ] {
        assert!(text.contains(kind), "no {kind} element");
    }
    // Three rows; the page number is an artifact.
    assert_eq!(text.matches("/S/TR").count(), 3);
    assert!(text.contains("/Artifact"));
}

#[test]
fn output_is_byte_identical_across_runs() {
    for markup in [SAMPLE, GREEK, BULGARIAN] {
        let a = render_pdf(markup, &meta()).unwrap();
        let b = render_pdf(markup, &meta()).unwrap();
        assert_eq!(a, b);
    }
    let a = render_pdf(SAMPLE, &meta()).unwrap();
    let mut later = meta();
    later.created = created() + chrono::Duration::seconds(1);
    assert_ne!(a, render_pdf(SAMPLE, &later).unwrap());
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
    assert_eq!(page_streams(&report.bytes).len(), pages);
    let Some(texts) = pdftotext(&report.bytes) else {
        return;
    };
    for (i, page) in texts.iter().take(pages).enumerate() {
        assert!(page.contains("Footer note"), "footer on page {}", i + 1);
        assert!(page.contains(&format!("{} / {pages}", i + 1)), "{page}");
    }
    // Every line made it, in order, exactly once.
    let all = texts.join("\n");
    let mut last = 0;
    for i in 0..300 {
        let needle = if i % 3 == 0 {
            format!("Value number {i}\n")
        } else {
            format!("Paragraph line {i} ")
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
        "{long}\nLabel | {long}\nSuperlongwordwithoutanyspaces{}\nΕλληνικά {long}\n",
        "x".repeat(300)
    );
    let pdf = render_pdf(&markup, &meta()).unwrap();
    // Text matrices "1 0 0 -1 x y Tm" (y measured from the top): inside the text box.
    let content = page_streams(&pdf).join("\n");
    let mut count = 0;
    let parts: Vec<&str> = content.split(" Tm").collect();
    for before in &parts[..parts.len() - 1] {
        let nums: Vec<f32> = before
            .split_whitespace()
            .rev()
            .take(2)
            .map(|t| t.parse().unwrap())
            .collect();
        let (x, y) = (nums[1], nums[0]);
        assert!((56.0..540.0).contains(&x), "x {x}");
        assert!((50.0..822.0).contains(&y), "y {y}");
        count += 1;
    }
    assert!(count > 30);
}

#[test]
fn a_character_outside_the_fonts_is_refused_by_name() {
    let err = render_pdf("Name | 山田 太郎\n", &meta()).unwrap_err();
    assert_eq!(err.code(), "RENDER_PDF");
    assert!(
        err.to_string()
            .contains("character `山` (U+5C71) is not in the bundled fonts"),
        "{err}"
    );
}

#[test]
fn meta_falls_back_to_markup_directives() {
    let markup = "@title Extract\n@author Registry\n@lang fr\n# Heading title\nText\n";
    let pdf = render_pdf(markup, &no_meta()).unwrap();
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("/Title(Extract)"));
    assert!(text.contains("/Author(Registry)"));
    assert!(text.contains("/Lang(fr)"));
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
    let markup = format!(
        "{SAMPLE}Polski | Łukasz Żółć Gęślą\nČesky | Dvořák Šťastný\nRomână | Țară Ștefan\n\
         Malti | Ċensu Ġorġ Ħal\nLatviešu | Ķēniņš Ļaudis\nDeutsch | Müller Straße\n\
         Decomposed | Jose\u{301} Mu\u{308}ller\n"
    );
    let Some(pages) = pdftotext(&render_pdf(&markup, &meta()).unwrap()) else {
        return;
    };
    let text = pages.join("\n");
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
        "Țară",
        "Ștefan",
        "Ċensu Ġorġ Ħal",
        "Ķēniņš Ļaudis",
        "Müller Straße",
        "José Müller",
    ] {
        assert!(text.contains(word), "{word} not in extracted text:\n{text}");
    }
}

#[test]
fn greek_and_bulgarian_certificates_extract_in_their_own_script() {
    let greek = render_pdf(GREEK, &no_meta()).unwrap();
    let bulgarian = render_pdf(BULGARIAN, &no_meta()).unwrap();
    for (pdf, lang) in [(&greek, "el"), (&bulgarian, "bg")] {
        let text = String::from_utf8_lossy(pdf);
        assert!(text.contains(&format!("/Lang({lang})")), "{lang}");
        assert!(text.contains("<pdfaid:conformance>A</pdfaid:conformance>"));
    }
    let Some(el) = pdftotext(&greek) else {
        return;
    };
    let el = el.join("\n");
    for words in [
        "Πιστοποιητικό γέννησης",
        "Τέκνο",
        "Επώνυμο",
        "Παπαδοπούλου",
        "Σοφία",
        "Τόπος γέννησης",
        "Αθήνα",
        "«Μόνο Μία Φορά»",
        "Εκδόθηκε ηλεκτρονικά από το Ληξιαρχείο Αθηνών.",
    ] {
        assert!(el.contains(words), "{words} not in:\n{el}");
    }
    let bg = pdftotext(&bulgarian).unwrap().join("\n");
    for words in [
        "Удостоверение за раждане",
        "Дете",
        "Фамилия",
        "Иванова",
        "Мария",
        "Място на раждане",
        "София",
        "„Само веднъж“",
        "Издадено електронно от Община София.",
    ] {
        assert!(bg.contains(words), "{words} not in:\n{bg}");
    }
}

/// Runs tests/pdfa/check.py on `files` (name, bytes, has a language); `None` (a
/// recorded skip) without PDF_CHECK_PYTHON.
fn pdfa_check(files: &[(&str, Vec<u8>, bool)]) -> Option<std::process::Output> {
    let python = oots_testskip::skip_unless_env(
        "PDF_CHECK_PYTHON",
        "PDF/A check not configured (set PDF_CHECK_PYTHON=<venv with PyPI pikepdf==9.11.0>/bin/python, see .ci/run)",
    )?;
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/pdfa/check.py");
    let dir = tempfile::tempdir().unwrap();
    let mut with_lang = Vec::new();
    let mut without_lang = Vec::new();
    for (name, bytes, lang) in files {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        if *lang {
            with_lang.push(path);
        } else {
            without_lang.push(path);
        }
    }
    let mut cmd = std::process::Command::new(python);
    cmd.arg(script).args(&with_lang);
    if !without_lang.is_empty() {
        cmd.arg("--without-lang").args(&without_lang);
    }
    Some(cmd.output().unwrap())
}

#[test]
fn renditions_pass_the_independent_pdf_a_check() {
    let mut long = String::from("@lang de\n# Auszug\n> Fußnote\n");
    for i in 0..200 {
        long.push_str(&format!("Feld {i} | Wert {i} äöü ß\n"));
    }
    let files = [
        ("sample.pdf", render_pdf(SAMPLE, &meta()).unwrap(), true),
        ("greek.pdf", render_pdf(GREEK, &no_meta()).unwrap(), true),
        (
            "bulgarian.pdf",
            render_pdf(BULGARIAN, &no_meta()).unwrap(),
            true,
        ),
        ("long.pdf", render_pdf(&long, &no_meta()).unwrap(), true),
        ("empty.pdf", render_pdf("", &meta()).unwrap(), true),
        (
            "no-lang.pdf",
            render_pdf(SAMPLE, &no_meta()).unwrap(),
            false,
        ),
    ];
    let Some(out) = pdfa_check(&files) else {
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.matches("OK ").count(), files.len(), "{stdout}");
    assert!(stdout.contains("greek.pdf: PDF/A-2a, lang el"), "{stdout}");
    assert!(
        stdout.contains("bulgarian.pdf: PDF/A-2a, lang bg"),
        "{stdout}"
    );
    assert!(stdout.contains("no-lang.pdf: PDF/A-2u"), "{stdout}");
}

/// A plain PDF 1.4 with a non-embedded Helvetica and no XMP, like the renditions
/// before PDF/A: the checker must refuse it (it is not a checker that passes anything).
#[test]
fn the_pdf_a_check_refuses_a_plain_pdf() {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ];
    let mut pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    let Some(out) = pdfa_check(&[("plain.pdf", pdf, true)]) else {
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    assert!(stdout.contains("FAIL"), "{stdout}");
}
