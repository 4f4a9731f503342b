//! Distinguished names as WS-Security writes them in `ds:X509IssuerName` (RFC 4514
//! strings, as Java's `X500Principal`, .NET and xmlsec print them), compared with a
//! certificate's issuer name (DER).
//!
//! Toolkits differ in spacing, case, attribute short names and even RDN order, so a
//! name is compared attribute by attribute: types by OID, values with the X.520
//! `caseIgnoreMatch` preparation (case folded, inner whitespace collapsed, ends trimmed),
//! RDNs in the string's order or in reverse (DER) order.

use x509_parser::prelude::{FromDer, X509Name};

/// One attribute as compared: its OID (dotted) and its prepared value.
type Ava = (String, Value);

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Value {
    /// A string value, prepared for `caseIgnoreMatch`.
    Text(String),
    /// A `#`-hex value: the raw content octets of the BER encoding.
    Raw(Vec<u8>),
}

/// Short names RFC 4514 and common toolkits use, with their OIDs.
const NAMES: &[(&str, &str)] = &[
    ("cn", "2.5.4.3"),
    ("sn", "2.5.4.4"),
    ("surname", "2.5.4.4"),
    ("serialnumber", "2.5.4.5"),
    ("c", "2.5.4.6"),
    ("l", "2.5.4.7"),
    ("st", "2.5.4.8"),
    ("s", "2.5.4.8"),
    ("street", "2.5.4.9"),
    ("o", "2.5.4.10"),
    ("ou", "2.5.4.11"),
    ("t", "2.5.4.12"),
    ("title", "2.5.4.12"),
    ("givenname", "2.5.4.42"),
    ("g", "2.5.4.42"),
    ("initials", "2.5.4.43"),
    ("generationqualifier", "2.5.4.44"),
    ("dnqualifier", "2.5.4.46"),
    ("pseudonym", "2.5.4.65"),
    ("organizationidentifier", "2.5.4.97"),
    ("dc", "0.9.2342.19200300.100.1.25"),
    ("uid", "0.9.2342.19200300.100.1.1"),
    ("e", "1.2.840.113549.1.9.1"),
    ("emailaddress", "1.2.840.113549.1.9.1"),
];

fn prepare(value: &str) -> String {
    value
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn oid_of(name: &str) -> Option<String> {
    let name = name.trim();
    let dotted = name
        .strip_prefix("OID.")
        .or_else(|| name.strip_prefix("oid."))
        .unwrap_or(name);
    if !dotted.is_empty() && dotted.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Some(dotted.to_owned());
    }
    let lower = name.to_ascii_lowercase();
    NAMES
        .iter()
        .find(|(n, _)| *n == lower)
        .map(|(_, oid)| (*oid).to_owned())
}

fn hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The content octets of a short BER encoding (`#`-hex values carry tag and length).
fn ber_content(bytes: &[u8]) -> Option<Vec<u8>> {
    let (&len, rest) = bytes.get(1..)?.split_first()?;
    (usize::from(len) == rest.len() && len < 0x80).then(|| rest.to_vec())
}

/// Parses an RFC 4514 (or RFC 2253/1779) string into RDNs, each a sorted set of
/// attributes; `None` if it is not one.
fn parse(text: &str) -> Option<Vec<Vec<Ava>>> {
    let mut rdns = Vec::new();
    let mut rdn: Vec<Ava> = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        // The type, up to '='.
        let mut name = String::new();
        for c in chars.by_ref() {
            if c == '=' {
                break;
            }
            name.push(c);
        }
        let oid = oid_of(&name)?;
        while chars.peek().is_some_and(|c| *c == ' ') {
            chars.next();
        }
        // The value, up to an unescaped separator.
        let mut bytes: Vec<u8> = Vec::new();
        let mut raw_hex = None;
        let mut quoted = false;
        // Trailing unescaped spaces are not part of the value.
        let mut significant = 0;
        let mut end = None;
        if chars.peek() == Some(&'#') {
            chars.next();
            let mut h = String::new();
            while let Some(c) = chars.peek().copied() {
                if c.is_ascii_hexdigit() {
                    h.push(c);
                    chars.next();
                } else {
                    break;
                }
            }
            raw_hex = Some(ber_content(&hex(&h)?)?);
        } else if chars.peek() == Some(&'"') {
            chars.next();
            quoted = true;
        }
        while let Some(c) = chars.next() {
            match c {
                '"' if quoted => {
                    quoted = false;
                    significant = bytes.len();
                }
                '\\' => {
                    let a = chars.next()?;
                    if a.is_ascii_hexdigit() {
                        let b = chars.next()?;
                        bytes.push(u8::from_str_radix(&format!("{a}{b}"), 16).ok()?);
                    } else {
                        let mut buf = [0u8; 4];
                        bytes.extend_from_slice(a.encode_utf8(&mut buf).as_bytes());
                    }
                    significant = bytes.len();
                }
                ',' | ';' | '+' if !quoted => {
                    end = Some(c);
                    break;
                }
                c => {
                    let mut buf = [0u8; 4];
                    bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    if quoted || c != ' ' {
                        significant = bytes.len();
                    }
                }
            }
        }
        if quoted {
            return None;
        }
        let value = match raw_hex {
            Some(_) if significant > 0 => return None,
            Some(raw) => Value::Raw(raw),
            None => {
                bytes.truncate(significant);
                Value::Text(prepare(&String::from_utf8(bytes).ok()?))
            }
        };
        rdn.push((oid, value));
        match end {
            Some('+') => {}
            Some(_) => {
                rdn.sort();
                rdns.push(std::mem::take(&mut rdn));
            }
            None => {
                rdn.sort();
                rdns.push(rdn);
                return Some(rdns);
            }
        }
    }
}

/// A certificate attribute's value as a string (the DirectoryString choices).
fn der_text(tag: u32, data: &[u8]) -> Option<String> {
    match tag {
        // UTF8String, NumericString, PrintableString, IA5String, VisibleString.
        12 | 18 | 19 | 22 | 26 => String::from_utf8(data.to_vec()).ok(),
        // TeletexString: read as Latin-1, as most toolkits do.
        20 => Some(data.iter().map(|b| char::from(*b)).collect()),
        // BMPString: UTF-16BE.
        30 => {
            let units: Vec<u16> = data
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], *c.get(1)?]).into())
                .collect::<Option<Vec<u16>>>()?;
            String::from_utf16(&units).ok()
        }
        // UniversalString: UTF-32BE.
        28 => data
            .chunks(4)
            .map(|c| {
                let b: [u8; 4] = c.try_into().ok()?;
                char::from_u32(u32::from_be_bytes(b))
            })
            .collect(),
        _ => None,
    }
}

/// Whether the RFC 4514 string `text` names the DER-encoded name `der`.
pub fn matches(text: &str, der: &[u8]) -> bool {
    let Some(wanted) = parse(text) else {
        return false;
    };
    let Ok((_, name)) = X509Name::from_der(der) else {
        return false;
    };
    let actual: Vec<Vec<(String, String, Vec<u8>)>> = name
        .iter_rdn()
        .map(|rdn| {
            rdn.iter()
                .map(|a| {
                    let v = a.attr_value();
                    let text = der_text(v.tag().0, v.data).map(|t| prepare(&t));
                    (
                        a.attr_type().to_id_string(),
                        text.unwrap_or_default(),
                        v.data.to_vec(),
                    )
                })
                .collect()
        })
        .collect();
    let rdn_matches = |want: &[Ava], have: &[(String, String, Vec<u8>)]| {
        want.len() == have.len()
            && want.iter().all(|(oid, value)| {
                have.iter().any(|(o, t, raw)| {
                    o == oid
                        && match value {
                            Value::Text(v) => v == t,
                            Value::Raw(r) => r == raw,
                        }
                })
            })
    };
    let same = |order: &mut dyn Iterator<Item = &Vec<(String, String, Vec<u8>)>>| {
        wanted.len() == actual.len() && wanted.iter().zip(order).all(|(w, h)| rdn_matches(w, h))
    };
    // RFC 4514 prints the last RDN first; some toolkits print DER order.
    same(&mut actual.iter().rev()) || same(&mut actual.iter())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn der_of(dn: &[(rcgen::DnType, &str)]) -> Vec<u8> {
        let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        for (t, v) in dn {
            p.distinguished_name.push(t.clone(), *v);
        }
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = p.self_signed(&key).unwrap();
        let (_, c) = x509_parser::parse_x509_certificate(cert.der()).unwrap();
        c.issuer().as_raw().to_vec()
    }

    #[test]
    fn names_match_as_toolkits_write_them() {
        use rcgen::DnType::*;
        let der = der_of(&[
            (CountryName, "DE"),
            (OrganizationName, "Bundesamt, Test"),
            (CommonName, "Test  eDelivery CA"),
        ]);
        // rcgen writes CN, C, O (DER order); RFC 4514 prints them the other way round.
        for text in [
            "O=Bundesamt\\, Test,C=DE,CN=Test eDelivery CA",
            "o = \"Bundesamt, Test\" , c=de, cn=test edelivery ca",
            "CN=Test eDelivery CA, C=DE, O=Bundesamt\\2C Test",
            "OID.2.5.4.10=Bundesamt\\, Test;C=DE;2.5.4.3=Test eDelivery CA",
            "O=Bundesamt\\, Test,C=#13024445,CN=Test eDelivery CA",
        ] {
            assert!(matches(text, &der), "{text}");
        }
        for text in [
            "CN=Test eDelivery CA",
            "O=Bundesamt\\, Test,C=FR,CN=Test eDelivery CA",
            "O=Bundesamt\\, Test,C=DE,CN=Test eDelivery CA,OU=x",
            "O=Bundesamt\\, Test+C=DE,CN=Test eDelivery CA",
            "C=DE,O=Bundesamt\\, Test,CN=Test eDelivery CA",
            "XX=Bundesamt\\, Test,C=DE,CN=Test eDelivery CA",
            "",
            "CN=\"unterminated",
            "O=Bundesamt\\, Test,C=#13024445 x,CN=Test eDelivery CA",
        ] {
            assert!(!matches(text, &der), "{text}");
        }
    }
}
