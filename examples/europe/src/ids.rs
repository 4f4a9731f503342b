//! National identifiers behind the eIDAS person identifier (`CC/CC/<id>`), in each
//! country's real shape with its check digit. Many encode the date of birth and sex, so
//! twins get identifiers a digit or two apart: a realistic trap for a matcher that
//! forgives one wrong digit in an identifier.

use crate::date::Date;
use crate::names::IdScheme;
use crate::rng::Rng;

fn digits(n: u64, width: usize) -> String {
    format!("{n:0width$}")
}

fn luhn_check(body: &str) -> u32 {
    // The check digit that makes body + digit pass the Luhn test.
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

fn weighted(body: &str, weights: &[u32]) -> u32 {
    body.bytes()
        .zip(weights)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum()
}

fn yy(d: Date) -> String {
    digits((d.y % 100) as u64, 2)
}

/// One identifier for a person (the caller retries on a collision).
pub fn national_id(scheme: IdScheme, dob: Date, male: bool, rng: &mut Rng) -> String {
    match scheme {
        IdScheme::Amka => amka(dob, rng),
        IdScheme::Egn => egn(dob, male, rng),
        IdScheme::Pesel => pesel(dob, male, rng),
        IdScheme::RodneCislo => rodne_cislo(dob, male, rng),
        IdScheme::Personnummer => personnummer(dob, male, rng),
        IdScheme::Hetu => hetu(dob, male, rng),
        IdScheme::AsmensKodas => asmens_kodas(dob, male, rng),
        IdScheme::Cnp => cnp(dob, male, rng),
        IdScheme::Dni => dni(rng),
        IdScheme::Nic => nic(rng),
        IdScheme::Bsn => bsn(rng),
        IdScheme::HuPersonal => hu_personal(dob, male, rng),
        // The codice fiscale proper needs the names; `codice_fiscale` fills them in.
        IdScheme::CodiceFiscale => String::new(),
        IdScheme::Pseudonym => pseudonym(rng),
    }
}

/// Greek AMKA: birth date (DDMMYY), a serial, the Luhn check digit.
fn amka(dob: Date, rng: &mut Rng) -> String {
    let (mm, dd) = (d2(dob.m), d2(dob.d));
    let body = format!("{dd}{mm}{}{}", yy(dob), digits(rng.below(10_000) as u64, 4));
    format!("{body}{}", luhn_check(&body))
}

/// Bulgarian ЕГН: YYMMDD (month + 40 from 2000), a serial even for men, a weighted check.
fn egn(dob: Date, male: bool, rng: &mut Rng) -> String {
    let dd = d2(dob.d);
    let m = if dob.y >= 2000 { dob.m + 40 } else { dob.m };
    let serial = rng.below(500) as u32 * 2 + u32::from(!male);
    let body = format!("{}{}{dd}{}", yy(dob), d2(m), digits(u64::from(serial), 3));
    let c = weighted(&body, &[2, 4, 8, 5, 10, 9, 7, 3, 6]) % 11 % 10;
    format!("{body}{c}")
}

/// Polish PESEL: YYMMDD (month + 20 from 2000), a serial odd for men, a weighted check.
fn pesel(dob: Date, male: bool, rng: &mut Rng) -> String {
    let dd = d2(dob.d);
    let m = if dob.y >= 2000 { dob.m + 20 } else { dob.m };
    let serial = rng.below(500) as u32 * 2 + u32::from(male);
    let body = format!("{}{}{dd}{}", yy(dob), d2(m), digits(u64::from(serial), 4));
    let c = (10 - weighted(&body, &[1, 3, 7, 9, 1, 3, 7, 9, 1, 3]) % 10) % 10;
    format!("{body}{c}")
}

/// Czech rodné číslo: YYMMDD (month + 50 for women), a serial, the whole divisible by 11.
fn rodne_cislo(dob: Date, male: bool, rng: &mut Rng) -> String {
    let dd = d2(dob.d);
    let m = if male { dob.m } else { dob.m + 50 };
    let head = format!("{}{}{dd}", yy(dob), d2(m));
    loop {
        let serial = rng.below(1000) as u64;
        let nine: u64 = format!("{head}{}", digits(serial, 3)).parse().unwrap_or(0);
        let c = nine % 11;
        if c < 10 {
            break format!("{head}{}{c}", digits(serial, 3));
        }
    }
}

/// Swedish personnummer (twelve digits): century, YYMMDD, a serial odd for men, Luhn.
fn personnummer(dob: Date, male: bool, rng: &mut Rng) -> String {
    let (mm, dd) = (d2(dob.m), d2(dob.d));
    let serial = rng.below(500) as u32 * 2 + u32::from(male);
    let body = format!("{}{mm}{dd}{}", yy(dob), digits(u64::from(serial), 3));
    format!("{}{body}{}", dob.y / 100, luhn_check(&body))
}

/// Finnish henkilötunnus: DDMMYY, the century sign, a serial odd for men, a check character.
fn hetu(dob: Date, male: bool, rng: &mut Rng) -> String {
    let (mm, dd) = (d2(dob.m), d2(dob.d));
    let serial = 2 + rng.below(449) as u32 * 2 + u32::from(male);
    let n: u64 = format!("{dd}{mm}{}{}", yy(dob), digits(u64::from(serial), 3))
        .parse()
        .unwrap_or(0);
    let table = b"0123456789ABCDEFHJKLMNPRSTUVWXY";
    let sign = if dob.y >= 2000 { 'A' } else { '-' };
    format!(
        "{dd}{mm}{}{sign}{}{}",
        yy(dob),
        digits(u64::from(serial), 3),
        table[(n % 31) as usize] as char
    )
}

/// Lithuanian asmens kodas: a century-and-sex digit, YYMMDD, a serial, a two-pass check.
fn asmens_kodas(dob: Date, male: bool, rng: &mut Rng) -> String {
    let (mm, dd) = (d2(dob.m), d2(dob.d));
    let g = match (dob.y >= 2000, male) {
        (false, true) => 3,
        (false, false) => 4,
        (true, true) => 5,
        (true, false) => 6,
    };
    let body = format!(
        "{g}{}{mm}{dd}{}",
        yy(dob),
        digits(rng.below(1000) as u64, 3)
    );
    let mut c = weighted(&body, &[1, 2, 3, 4, 5, 6, 7, 8, 9, 1]) % 11;
    if c == 10 {
        c = weighted(&body, &[3, 4, 5, 6, 7, 8, 9, 1, 2, 3]) % 11;
        if c == 10 {
            c = 0;
        }
    }
    format!("{body}{c}")
}

/// Romanian CNP: a century-and-sex digit, YYMMDD, the county, a serial, a weighted check.
fn cnp(dob: Date, male: bool, rng: &mut Rng) -> String {
    let (mm, dd) = (d2(dob.m), d2(dob.d));
    let s = match (dob.y >= 2000, male) {
        (false, true) => 1,
        (false, false) => 2,
        (true, true) => 5,
        (true, false) => 6,
    };
    let county = 1 + rng.below(46);
    let body = format!(
        "{s}{}{mm}{dd}{}{}",
        yy(dob),
        digits(county as u64, 2),
        digits(1 + rng.below(999) as u64, 3)
    );
    let c = weighted(&body, &[2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9]) % 11;
    format!("{body}{}", if c == 10 { 1 } else { c })
}

/// Spanish DNI: eight digits and the check letter (the number modulo 23).
fn dni(rng: &mut Rng) -> String {
    let n = 10_000_000 + rng.below(70_000_000) as u64;
    let letters = b"TRWAGMYFPDXBNJZSQVHLCKE";
    format!("{n:08}{}", letters[(n % 23) as usize] as char)
}

/// Portuguese civil number: eight digits and a weighted check digit.
fn nic(rng: &mut Rng) -> String {
    let body = digits(1_000_000 + rng.below(29_000_000) as u64, 8);
    let c = (11 - weighted(&body, &[9, 8, 7, 6, 5, 4, 3, 2]) % 11) % 11 % 10;
    format!("{body}{c}")
}

/// Dutch BSN: nine digits passing the eleven-test.
fn bsn(rng: &mut Rng) -> String {
    loop {
        let body = digits(100_000_000 + rng.below(899_999_999) as u64, 9);
        // The eleven-test: 9·d1 + 8·d2 + … + 2·d8 − d9 divisible by 11.
        let s = weighted(&body[..8], &[9, 8, 7, 6, 5, 4, 3, 2]) as i64
            - i64::from(body.as_bytes()[8] - b'0');
        if s % 11 == 0 {
            break body;
        }
    }
}

/// Hungarian personal number: a century-and-sex digit, YYMMDD, a serial, a weighted check.
fn hu_personal(dob: Date, male: bool, rng: &mut Rng) -> String {
    let (mm, dd) = (d2(dob.m), d2(dob.d));
    let s = match (dob.y >= 2000, male) {
        (false, true) => 1,
        (false, false) => 2,
        (true, true) => 3,
        (true, false) => 4,
    };
    loop {
        let body = format!(
            "{s}{}{mm}{dd}{}",
            yy(dob),
            digits(rng.below(1000) as u64, 3)
        );
        let c = weighted(&body, &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) % 11;
        if c < 10 {
            break format!("{body}{c}");
        }
    }
}

/// A pseudonym (DE, FR): 32 hexadecimal digits, saying nothing about the person.
fn pseudonym(rng: &mut Rng) -> String {
    (0..32)
        .map(|_| b"0123456789ABCDEF"[rng.below(16)] as char)
        .collect()
}

fn d2(n: u32) -> String {
    format!("{n:02}")
}

fn cf_letters(s: &str) -> (Vec<char>, Vec<char>) {
    let folded = crate::translit::icao_upper(s, false);
    let letters: Vec<char> = folded.chars().filter(char::is_ascii_alphabetic).collect();
    let vowels = letters
        .iter()
        .copied()
        .filter(|c| "AEIOU".contains(*c))
        .collect();
    let consonants = letters
        .iter()
        .copied()
        .filter(|c| !"AEIOU".contains(*c))
        .collect();
    (consonants, vowels)
}

fn cf_part(s: &str, given: bool) -> String {
    let (cons, vows) = cf_letters(s);
    let picked: Vec<char> = if given && cons.len() >= 4 {
        vec![cons[0], cons[2], cons[3]]
    } else {
        cons.iter().chain(vows.iter()).copied().take(3).collect()
    };
    let mut out: String = picked.into_iter().collect();
    while out.len() < 3 {
        out.push('X');
    }
    out
}

/// The Italian codice fiscale: surname and given-name letters, birth year, month letter,
/// day (+ 40 for women), a place code (invented here: a letter and three digits) and the
/// check letter.
pub fn codice_fiscale(surname: &str, given: &str, dob: Date, male: bool, rng: &mut Rng) -> String {
    let months = b"ABCDEHLMPRST";
    let day = if male { dob.d } else { dob.d + 40 };
    let place = format!(
        "{}{:03}",
        (b'A' + rng.below(13) as u8) as char,
        1 + rng.below(999)
    );
    let body = format!(
        "{}{}{}{}{:02}{place}",
        cf_part(surname, false),
        cf_part(given, true),
        yy(dob),
        months[(dob.m - 1) as usize] as char,
        day
    );
    format!("{body}{}", cf_check(&body))
}

/// The check letter: odd positions (1-based) through the odd table, even positions by
/// value; digits count as the letters A–J.
fn cf_check(body: &str) -> char {
    const ODD: [u32; 26] = [
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24,
        23,
    ];
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, c)| {
            let v = if c.is_ascii_digit() {
                usize::from(c - b'0')
            } else {
                usize::from(c.saturating_sub(b'A')).min(25)
            };
            if i % 2 == 0 { ODD[v] } else { v as u32 }
        })
        .sum();
    (b'A' + (sum % 26) as u8) as char
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_have_their_shapes() {
        let mut rng = Rng::new(3);
        let d = Date {
            y: 1985,
            m: 7,
            d: 4,
        };
        let pesel = national_id(IdScheme::Pesel, d, true, &mut rng);
        assert_eq!(pesel.len(), 11);
        assert!(pesel.starts_with("850704"));
        let egn = national_id(
            IdScheme::Egn,
            Date {
                y: 2003,
                m: 2,
                d: 1,
            },
            false,
            &mut rng,
        );
        assert!(egn.starts_with("034201"), "{egn}");
        let rc = national_id(IdScheme::RodneCislo, d, false, &mut rng);
        assert!(rc.starts_with("855704"));
        assert_eq!(rc.parse::<u64>().map(|n| n % 11), Ok(0));
        let dni = national_id(IdScheme::Dni, d, true, &mut rng);
        assert_eq!(dni.len(), 9);
        let bsn = national_id(IdScheme::Bsn, d, true, &mut rng);
        assert_eq!(bsn.len(), 9);
        let hetu = national_id(IdScheme::Hetu, d, true, &mut rng);
        assert_eq!(&hetu[..7], "040785-");
        let se = national_id(IdScheme::Personnummer, d, true, &mut rng);
        assert!(se.starts_with("19850704"));
        // The well-known example: RSSMRA85T10A562S (Mario Rossi, 10 December 1985, Rome).
        let cf = codice_fiscale(
            "Rossi",
            "Mario",
            Date {
                y: 1985,
                m: 12,
                d: 10,
            },
            true,
            &mut rng,
        );
        assert_eq!(&cf[..11], "RSSMRA85T10");
        let mut fixed = cf[..11].to_owned();
        fixed.push_str("A562");
        // Check letter of the example, computed the same way.
        assert_eq!(cf_check(&fixed), 'S');
    }
}
