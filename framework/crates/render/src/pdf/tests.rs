//! Unit tests of the markup parser, escaping and word wrap.

use super::fonts::{Face, face};
use super::layout::wrap;
use super::markup::Block;
use super::*;

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
    let font = face(Face::Regular).unwrap();
    let lines = wrap(&"word ".repeat(100), font, 10.0, 100.0);
    assert!(lines.len() > 10);
    for l in &lines {
        assert!(font.width(l, 10.0) <= 100.0);
    }
    let lines = wrap(&"x".repeat(200), font, 10.0, 100.0);
    assert!(lines.len() > 1);
    assert_eq!(lines.iter().map(|l| l.chars().count()).sum::<usize>(), 200);
}

#[test]
fn every_letter_of_the_eu_scripts_is_in_both_fonts() {
    // Latin with the diacritics of the EU languages, Greek and Cyrillic (Bulgarian).
    let text = "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿ\
        ĀāĂăĄąĆćČčĎďĐđĒēĖėĘęĚěĞğĢģĦħĪīĮįĶķĹĺĻļĽľŁłŃńŅņŇňŌōŐőŒœŔŕŘřŚśŞşŠšŢţŤťŪūŮůŰűŲųŸŹźŻżŽžȘșȚțĊċĠġ\
        ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩΆΈΉΊΌΎΏΪΫαβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώϊϋΐΰ\
        АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЬЮЯабвгдежзийклмнопрстуфхцчшщъьюяѝЍ\
        €„“”‘’–—…•№§°«»";
    assert!(fonts::check(text).is_ok());
}

#[test]
fn a_character_outside_the_fonts_is_named() {
    let err = fonts::check("Name 山田").unwrap_err();
    assert_eq!(err.code(), "RENDER_PDF");
    assert!(err.to_string().contains("U+5C71"), "{err}");
}

#[test]
fn text_is_nfc_with_control_characters_as_spaces() {
    assert_eq!(
        super::layout::prepare("Jose\u{301}\tMu\u{308}ller").unwrap(),
        "José Müller"
    );
}
