//! Translations of the preview pages and the choice of the page language.
//!
//! The texts are flat JSON maps (key → text) in `preview-ui/i18n/<lang>.json`, embedded in
//! the binary. An authority may replace a shipped file or add a language by dropping
//! `<lang>.json` into its override directory (or its `i18n/` subfolder); keys such a file
//! lacks are taken from the shipped file of its language, else from `en.json`. Texts may contain placeholders `{name}`
//! (e.g. `{requester}`), filled by the templates; a translation may only use the
//! placeholders that the English text of the same key uses.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use super::text_upgrade::{TextUpgrade, upgrade};
use super::ui_files::{PageError, override_files, read_text};

/// The shipped translations, English first.
const EMBEDDED: [(&str, &str); 7] = [
    ("en", include_str!("../../../preview-ui/i18n/en.json")),
    ("de", include_str!("../../../preview-ui/i18n/de.json")),
    ("es", include_str!("../../../preview-ui/i18n/es.json")),
    ("fr", include_str!("../../../preview-ui/i18n/fr.json")),
    ("it", include_str!("../../../preview-ui/i18n/it.json")),
    ("nl", include_str!("../../../preview-ui/i18n/nl.json")),
    ("pl", include_str!("../../../preview-ui/i18n/pl.json")),
];

/// The zone the pages show times in unless `preview.time_zone` names another.
pub const DEFAULT_TIME_ZONE: chrono_tz::Tz = chrono_tz::Europe::Brussels;

/// The language every catalog has and every other falls back to.
const DEFAULT_LANG: &str = "en";

/// At most this many entries of an `Accept-Language` header are looked at.
const MAX_ACCEPT_ENTRIES: usize = 32;

/// A page language: a lowercase primary language subtag (`"en"`, `"fr"`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Lang(pub String);

impl Lang {
    /// The primary subtag of a language tag, lowercased: `"fr-BE"` → `fr`, `"EN"` → `en`,
    /// `"pt_BR"` → `pt`. `None` unless the subtag is 2 or 3 ASCII letters.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or("");
        is_language_code(primary).then(|| Lang(primary.to_ascii_lowercase()))
    }

    /// The code as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn default_lang() -> Lang {
        Lang(DEFAULT_LANG.to_owned())
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 2 or 3 ASCII letters.
fn is_language_code(code: &str) -> bool {
    (2..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphabetic())
}

/// The texts of the preview pages in every supported language.
#[derive(Debug, Clone)]
pub struct Catalog {
    texts: BTreeMap<Lang, BTreeMap<String, String>>,
}

impl Catalog {
    /// The seven shipped languages (en, de, es, fr, it, nl, pl).
    pub fn embedded() -> Catalog {
        let texts = EMBEDDED
            .iter()
            .filter_map(|(code, source)| {
                // The shipped files are checked by the tests; a broken one is left out
                // (its texts then fall back to English) rather than stopping the adapter.
                let map = serde_json::from_str::<BTreeMap<String, String>>(source).ok()?;
                Some((Lang((*code).to_owned()), map))
            })
            .collect();
        Catalog { texts }
    }

    /// The shipped languages, with every `<lang>.json` of `dir` (or `dir/i18n`) replacing
    /// the shipped file of that language or adding a language. Each such file must be a
    /// flat JSON object of non-empty strings, and may only use the placeholders of the
    /// English text of the same key. A file written for an older adapter is upgraded
    /// (see [`super::text_upgrade`]) and what was changed is logged.
    pub fn with_overrides(dir: &Path) -> Result<Catalog, PageError> {
        let (catalog, upgrades) = Catalog::load_overrides(dir)?;
        for u in &upgrades {
            u.log();
        }
        Ok(catalog)
    }

    /// [`Catalog::with_overrides`], returning what was upgraded instead of logging it
    /// (for `check`). Keys a file lacks come from the shipped file of its language, else
    /// from English.
    pub fn load_overrides(dir: &Path) -> Result<(Catalog, Vec<TextUpgrade>), PageError> {
        let shipped = Catalog::embedded();
        let mut catalog = shipped.clone();
        let english = Lang::default_lang();
        let required = shipped.texts.get(&english).cloned().unwrap_or_default();
        let mut upgrades = Vec::new();
        for (name, path) in override_files(dir, "i18n", ".json")? {
            let file = path.display().to_string();
            let stem = name.strip_suffix(".json").unwrap_or(&name);
            if !is_language_code(stem) || stem.bytes().any(|b| b.is_ascii_uppercase()) {
                return Err(PageError::BadLanguageFile { file });
            }
            let source = read_text(&path)?;
            let mut map: BTreeMap<String, String> =
                serde_json::from_str(&source).map_err(|e| PageError::Translation {
                    file: file.clone(),
                    detail: e.to_string(),
                })?;
            let lang = Lang(stem.to_owned());
            let (from, base) = match shipped.texts.get(&lang) {
                Some(own) => (&lang, own),
                None => (&english, &required),
            };
            upgrades.extend(upgrade(&file, &source, &mut map, base, from.as_str()));
            check_translation(&file, &map, &required)?;
            catalog.texts.insert(lang, map);
        }
        Ok((catalog, upgrades))
    }

    /// The supported languages, sorted by code with `en` first.
    pub fn languages(&self) -> Vec<Lang> {
        let default = Lang::default_lang();
        let mut langs: Vec<Lang> = self.texts.keys().cloned().collect();
        langs.sort_by_key(|l| (l != &default, l.clone()));
        langs
    }

    /// Whether `lang` has texts.
    pub fn supports(&self, lang: &Lang) -> bool {
        self.texts.contains_key(lang)
    }

    /// The text of `key` in `lang`, else in English, else the key itself. Placeholders
    /// such as `{requester}` are left as they are.
    pub fn text(&self, lang: &Lang, key: &str) -> String {
        self.texts
            .get(lang)
            .and_then(|m| m.get(key))
            .or_else(|| {
                self.texts
                    .get(&Lang::default_lang())
                    .and_then(|m| m.get(key))
            })
            .cloned()
            .unwrap_or_else(|| key.to_owned())
    }

    /// Every text of `lang`, completed with the English text of keys it lacks.
    pub(crate) fn texts(&self, lang: &Lang) -> BTreeMap<String, String> {
        let mut all = self
            .texts
            .get(&Lang::default_lang())
            .cloned()
            .unwrap_or_default();
        if let Some(own) = self.texts.get(lang) {
            all.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        all
    }

    /// Picks the page language: an explicit `?lang=` choice if supported, else the best
    /// Accept-Language match (q-values, region subtags like fr-BE -> fr), else the first
    /// supported of the request's languages (from the evidence request), else "en".
    pub fn negotiate(
        &self,
        explicit: Option<&str>,
        accept_language: Option<&str>,
        request_langs: &[String],
    ) -> Lang {
        if let Some(lang) = explicit.and_then(Lang::parse).filter(|l| self.supports(l)) {
            return lang;
        }
        if let Some(header) = accept_language {
            for tag in accept_language_tags(header) {
                if let Some(lang) = Lang::parse(&tag).filter(|l| self.supports(l)) {
                    return lang;
                }
            }
        }
        request_langs
            .iter()
            .filter_map(|tag| Lang::parse(tag))
            .find(|l| self.supports(l))
            .unwrap_or_else(Lang::default_lang)
    }
}

/// The language ranges of an `Accept-Language` header, best first (stable for equal
/// q-values); `*`, ranges with `q=0` and entries with an invalid q-value are left out.
fn accept_language_tags(header: &str) -> Vec<String> {
    let mut ranges: Vec<(u16, String)> = Vec::new();
    for entry in header.split(',').take(MAX_ACCEPT_ENTRIES) {
        let mut parts = entry.split(';');
        let tag = parts.next().unwrap_or("").trim();
        if tag.is_empty() || tag == "*" {
            continue;
        }
        let mut quality = Some(1000u16);
        for param in parts {
            let param = param.trim();
            if let Some(q) = param
                .strip_prefix("q=")
                .or_else(|| param.strip_prefix("Q="))
            {
                quality = parse_quality(q.trim());
            }
        }
        match quality {
            Some(q) if q > 0 => ranges.push((q, tag.to_owned())),
            _ => {}
        }
    }
    ranges.sort_by_key(|r| std::cmp::Reverse(r.0));
    ranges.into_iter().map(|(_, tag)| tag).collect()
}

/// An RFC 9110 q-value in thousandths (`0.9` → 900); `None` if malformed.
fn parse_quality(q: &str) -> Option<u16> {
    let value: f64 = q.parse().ok()?;
    if !(0.0..=1.0).contains(&value) {
        return None;
    }
    // In range 0..=1000 after the check above.
    Some((value * 1000.0).round() as u16)
}

/// The placeholder names (`{name}`, lowercase letters and `_`) used in `text`.
pub(crate) fn placeholders(text: &str) -> BTreeSet<&str> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end)
                if end > 0
                    && after[..end]
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b == b'_') =>
            {
                found.insert(&after[..end]);
                rest = &after[end + 1..];
            }
            _ => rest = after,
        }
    }
    found
}

/// A translation file (upgraded) must have every required key, no empty text, and only the
/// placeholders of the English text of each key.
fn check_translation(
    file: &str,
    map: &BTreeMap<String, String>,
    required: &BTreeMap<String, String>,
) -> Result<(), PageError> {
    if let Some(key) = required.keys().find(|k| !map.contains_key(*k)) {
        return Err(PageError::MissingKey {
            file: file.to_owned(),
            key: key.clone(),
        });
    }
    for (key, text) in map {
        if text.trim().is_empty() {
            return Err(PageError::EmptyText {
                file: file.to_owned(),
                key: key.clone(),
            });
        }
        if let Some(english) = required.get(key) {
            let allowed = placeholders(english);
            if let Some(unknown) = placeholders(text)
                .into_iter()
                .find(|p| !allowed.contains(p))
            {
                return Err(PageError::UnknownPlaceholder {
                    file: file.to_owned(),
                    key: key.clone(),
                    placeholder: unknown.to_owned(),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn embedded_maps() -> Vec<(&'static str, BTreeMap<String, String>)> {
        EMBEDDED
            .iter()
            .map(|(code, src)| {
                let map: BTreeMap<String, String> = serde_json::from_str(src)
                    .unwrap_or_else(|e| panic!("{code}.json is not a flat JSON map: {e}"));
                (*code, map)
            })
            .collect()
    }

    #[test]
    fn every_language_file_has_the_keys_of_en_and_no_empty_text() {
        let maps = embedded_maps();
        let en: BTreeSet<&String> = maps[0].1.keys().collect();
        assert_eq!(maps[0].0, "en");
        assert!(en.len() > 20);
        for (code, map) in &maps {
            let keys: BTreeSet<&String> = map.keys().collect();
            let missing: Vec<_> = en.difference(&keys).collect();
            let extra: Vec<_> = keys.difference(&en).collect();
            assert!(missing.is_empty(), "{code}.json lacks {missing:?}");
            assert!(extra.is_empty(), "{code}.json has extra keys {extra:?}");
            for (key, text) in map {
                assert!(!text.trim().is_empty(), "{code}.json: `{key}` is empty");
                assert_eq!(text.trim(), text, "{code}.json: `{key}` has outer spaces");
            }
        }
    }

    #[test]
    fn translations_use_the_placeholders_of_english() {
        let maps = embedded_maps();
        let en = &maps[0].1;
        for (code, map) in &maps {
            for (key, text) in map {
                assert_eq!(
                    placeholders(text),
                    placeholders(&en[key]),
                    "{code}.json: `{key}` placeholders differ from en.json"
                );
                // The shipped files also pass the override check.
                check_translation(code, map, en).unwrap();
            }
        }
    }

    #[test]
    fn language_names_are_in_their_own_language() {
        let catalog = Catalog::embedded();
        let names: Vec<(String, String)> = catalog
            .languages()
            .into_iter()
            .map(|l| (l.0.clone(), catalog.text(&l, "lang_name")))
            .collect();
        let expected = [
            ("en", "English"),
            ("de", "Deutsch"),
            ("es", "Español"),
            ("fr", "Français"),
            ("it", "Italiano"),
            ("nl", "Nederlands"),
            ("pl", "Polski"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(c, n)| ((*c).to_owned(), (*n).to_owned()))
            .collect();
        assert_eq!(names, expected);
    }

    #[test]
    fn languages_are_sorted_with_en_first() {
        let langs = Catalog::embedded().languages();
        let codes: Vec<&str> = langs.iter().map(Lang::as_str).collect();
        assert_eq!(codes, ["en", "de", "es", "fr", "it", "nl", "pl"]);
    }

    #[test]
    fn text_falls_back_to_english_then_to_the_key() {
        let catalog = Catalog::embedded();
        let fr = Lang("fr".into());
        assert_eq!(
            catalog.text(&fr, "approve_button"),
            "Utiliser ces justificatifs"
        );
        assert_eq!(
            catalog.text(&Lang("xx".into()), "approve_button"),
            "Use this evidence"
        );
        assert_eq!(catalog.text(&fr, "no_such_key"), "no_such_key");
        assert_eq!(
            catalog.text(&Lang("en".into()), "preview_description"),
            "Please sign in and check the evidence before it is sent."
        );
    }

    #[test]
    fn lang_parse_takes_the_primary_subtag() {
        assert_eq!(Lang::parse("fr-BE"), Some(Lang("fr".into())));
        assert_eq!(Lang::parse(" EN "), Some(Lang("en".into())));
        assert_eq!(Lang::parse("pt_BR"), Some(Lang("pt".into())));
        assert_eq!(Lang::parse("*"), None);
        assert_eq!(Lang::parse(""), None);
        assert_eq!(Lang::parse("english"), None);
        assert_eq!(Lang::parse("e1"), None);
    }

    #[test]
    fn negotiate_follows_accept_language_q_values_and_regions() {
        let c = Catalog::embedded();
        let no: &[String] = &[];
        assert_eq!(
            c.negotiate(None, Some("fr-BE,fr;q=0.9,en;q=0.8"), no).0,
            "fr"
        );
        assert_eq!(c.negotiate(None, Some("de;q=0.1, pl;q=0.9"), no).0, "pl");
        assert_eq!(
            c.negotiate(None, Some("cs, sk;q=0.8, it;q=0.5"), no).0,
            "it"
        );
        assert_eq!(c.negotiate(None, Some("de;q=0, nl;q=0.2"), no).0, "nl");
        assert_eq!(c.negotiate(None, Some("NL-be"), no).0, "nl");
        // Malformed entries are skipped, not fatal.
        assert_eq!(c.negotiate(None, Some("de;q=abc, es"), no).0, "es");
        assert_eq!(c.negotiate(None, Some(";;,, ,*"), no).0, "en");
    }

    #[test]
    fn negotiate_explicit_choice_wins_when_supported() {
        let c = Catalog::embedded();
        let req = vec!["DE".to_owned()];
        assert_eq!(c.negotiate(Some("nl"), Some("fr,en;q=0.5"), &req).0, "nl");
        // Unsupported or malformed explicit choices fall back to the header.
        assert_eq!(c.negotiate(Some("cs"), Some("fr,en;q=0.5"), &req).0, "fr");
        assert_eq!(c.negotiate(Some("<x>"), Some("es"), &req).0, "es");
        assert_eq!(c.negotiate(Some("cs"), None, &req).0, "de");
    }

    #[test]
    fn negotiate_uses_request_languages_then_english() {
        let c = Catalog::embedded();
        let req = vec!["CS".to_owned(), "IT".to_owned(), "FR".to_owned()];
        assert_eq!(c.negotiate(None, None, &req).0, "it");
        assert_eq!(c.negotiate(None, Some("cs,sk"), &req).0, "it");
        assert_eq!(c.negotiate(None, None, &[]).0, "en");
        assert_eq!(c.negotiate(None, Some("ja"), &["cs".to_owned()]).0, "en");
    }

    #[test]
    fn placeholders_are_found() {
        let found = placeholders("{requester} asks {subject} {Not} {} {a-b} {x_y}");
        assert_eq!(
            found.into_iter().collect::<Vec<_>>(),
            ["requester", "subject", "x_y"]
        );
    }
}
