//! Unit tests of the markup parser, escaping and word wrap.

use super::layout::wrap;
use super::markup::Block;
use super::*;
use crate::encoding::encode;
use crate::metrics::Face;

#[test]
fn parses_all_block_kinds() {
    let doc = parse(
        "@lang de\n# Title\n## Head\nName | Doe\n---\nline one\nline two\n\nnext\n> fine print\n",
    )
    .unwrap();
    assert_eq!(doc.lang.as_deref(), Some("de"));
    assert_eq!(
        doc.blocks,
        vec![
            Block::Title("Title".into()),
            Block::Heading("Head".into()),
            Block::Row {
                label: "Name".into(),
                value: "Doe".into()
            },
            Block::Rule,
            Block::Paragraph("line one line two".into()),
            Block::Paragraph("next".into()),
        ]
    );
    assert_eq!(doc.footer, vec!["fine print".to_owned()]);
}

#[test]
fn escaped_values_cannot_create_markup() {
    let hostile = "# x | y\n---\n> z @lang";
    let line = format!("Remark | {}", escape_markup(hostile));
    let doc = parse(&format!("{}\n{}", escape_markup(hostile), line)).unwrap();
    assert_eq!(
        doc.blocks,
        vec![
            Block::Paragraph("# x | y --- > z @lang".into()),
            Block::Row {
                label: "Remark".into(),
                value: "# x | y --- > z @lang".into()
            }
        ]
    );
    assert!(doc.footer.is_empty());
    assert!(doc.lang.is_none());
}

#[test]
fn unknown_directive_is_an_error() {
    let err = parse("@colour red").unwrap_err();
    assert_eq!(err.code(), "RENDER_PDF");
    assert!(err.to_string().contains("@colour"));
}

#[test]
fn wrap_respects_width() {
    let glyphs = encode(&"word ".repeat(100)).glyphs;
    let lines = wrap(&glyphs, Face::Regular, 10.0, 100.0);
    assert!(lines.len() > 10);
    for l in &lines {
        assert!(Face::Regular.text_width(l, 10.0) <= 100.0);
    }
    let long = encode(&"x".repeat(200)).glyphs;
    let lines = wrap(&long, Face::Regular, 10.0, 100.0);
    assert!(lines.len() > 1);
    assert_eq!(lines.iter().map(Vec::len).sum::<usize>(), 200);
}
