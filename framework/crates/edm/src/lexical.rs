//! Lexical tests shared by the reader, the rule checks and the rule texts: identifiers
//! and invisible characters. Kept apart so that none of those modules imports another
//! for them.

/// `8-4-4-4-12` hexadecimal UUID (any case).
pub(crate) fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// `urn:uuid:` + UUID (case-insensitive, surrounding whitespace ignored) — R-EDM-REQ-S004.
pub fn is_urn_uuid(s: &str) -> bool {
    let s = s.trim();
    match (s.get(..9), s.get(9..)) {
        (Some(prefix), Some(uuid)) => prefix.eq_ignore_ascii_case("urn:uuid:") && is_uuid(uuid),
        _ => false,
    }
}

/// Invisible format characters (Unicode `Cf`: bidi embeddings, overrides and isolates,
/// zero-width spaces and joiners, the BOM, tags) and controls: in a name they make one
/// name display as, or compare unlike, another.
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            u32::from(c),
            0xAD | 0x600..=0x605
                | 0x61C
                | 0x6DD
                | 0x70F
                | 0x890..=0x891
                | 0x8E2
                | 0x180E
                | 0x200B..=0x200F
                | 0x202A..=0x202E
                | 0x2060..=0x2064
                | 0x2066..=0x206F
                | 0xFEFF
                | 0xFFF9..=0xFFFB
                | 0x110BD
                | 0x110CD
                | 0x13430..=0x1343F
                | 0x1BCA0..=0x1BCA3
                | 0x1D173..=0x1D17A
                | 0xE0001
                | 0xE0020..=0xE007F
        )
}
