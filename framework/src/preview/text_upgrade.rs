//! Translation override files written for an older adapter.
//!
//! An upgrade must not take a running service down because the shipped texts changed
//! under an authority's override file: a key added since is filled from the shipped file
//! of the same language (English for a language the adapter does not ship), and a
//! sentence that no longer names the requester (`{requester}` moved to its own line,
//! `requested_by`) gets the shipped text in place of the override. Both are reported:
//! `check` warns about the first (`OEA-W0110`) and refuses the second (`OEA-E0132`),
//! and the adapter logs them when it starts.

use std::collections::BTreeMap;

/// Sentences that named the requester before it moved to `requested_by`; such an old
/// sentence would name the requester twice, or after a word it must agree with.
pub const RETIRED_PLACEHOLDERS: [(&str, &str); 3] = [
    ("sign_in_intro", "requester"),
    ("review_intro", "requester"),
    ("decision_explain", "requester"),
];

/// What was changed in an override file so that it works with this adapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextUpgrade {
    /// Keys the file lacks, filled from the shipped texts of `from` (a language code).
    Filled {
        /// The override file.
        file: String,
        /// The keys filled.
        keys: Vec<String>,
        /// The shipped language the texts came from.
        from: String,
    },
    /// A key still using a placeholder its sentence no longer allows; the shipped text
    /// `replacement` is shown instead.
    Retired {
        /// The override file.
        file: String,
        /// The key.
        key: String,
        /// The placeholder name (`requester`).
        placeholder: String,
        /// The shipped text shown instead.
        replacement: String,
        /// 1-based line of the key in the file (0 if not found).
        line: u64,
    },
}

/// Upgrades `map` (the override file `file`, whose source is `source`) in place:
/// retired placeholders are replaced by `shipped` texts, missing keys are filled from
/// `shipped`. `shipped` is the shipped file of the same language, else English;
/// `shipped_lang` names it.
pub fn upgrade(
    file: &str,
    source: &str,
    map: &mut BTreeMap<String, String>,
    shipped: &BTreeMap<String, String>,
    shipped_lang: &str,
) -> Vec<TextUpgrade> {
    let mut found = Vec::new();
    for (key, placeholder) in RETIRED_PLACEHOLDERS {
        let Some(text) = map.get(key) else { continue };
        if !text.contains(&format!("{{{placeholder}}}")) {
            continue;
        }
        let Some(replacement) = shipped.get(key) else {
            continue;
        };
        found.push(TextUpgrade::Retired {
            file: file.to_owned(),
            key: key.to_owned(),
            placeholder: placeholder.to_owned(),
            replacement: replacement.clone(),
            line: key_line(source, key),
        });
        map.insert(key.to_owned(), replacement.clone());
    }
    let missing: Vec<String> = shipped
        .keys()
        .filter(|k| !map.contains_key(*k))
        .cloned()
        .collect();
    if !missing.is_empty() {
        for key in &missing {
            if let Some(text) = shipped.get(key) {
                map.insert(key.clone(), text.clone());
            }
        }
        found.push(TextUpgrade::Filled {
            file: file.to_owned(),
            keys: missing,
            from: shipped_lang.to_owned(),
        });
    }
    found
}

/// The 1-based line where `"key"` first appears in `source`, 0 if nowhere.
fn key_line(source: &str, key: &str) -> u64 {
    let quoted = format!("\"{key}\"");
    source
        .lines()
        .position(|l| l.contains(&quoted))
        .map_or(0, |i| i as u64 + 1)
}

impl TextUpgrade {
    /// Logs what the adapter did, when it starts: the pages are served either way.
    pub fn log(&self) {
        match self {
            TextUpgrade::Filled { file, keys, from } => tracing::warn!(
                code = "OEA-W0110",
                file = %file,
                keys = %keys.join(", "),
                "a preview translation override lacks keys; the shipped {from} texts are shown for them"
            ),
            TextUpgrade::Retired {
                file,
                key,
                placeholder,
                ..
            } => tracing::error!(
                code = "OEA-E0132",
                file = %file,
                key = %key,
                "a preview translation override uses {{{placeholder}}}, which this sentence no longer has; the shipped text is shown instead (oots-adapter check names the fix)"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn missing_keys_are_filled_and_retired_placeholders_replaced() {
        let shipped = map(&[
            ("a", "A"),
            (
                "sign_in_intro",
                "Les justificatifs suivants ont été demandés :",
            ),
            ("requested_by", "Demandeur : {requester}"),
        ]);
        let source = "{\n  \"a\": \"mine\",\n  \"sign_in_intro\": \"{requester} demande :\"\n}";
        let mut own = map(&[("a", "mine"), ("sign_in_intro", "{requester} demande :")]);
        let found = upgrade("fr.json", source, &mut own, &shipped, "fr");
        assert_eq!(own["a"], "mine");
        assert_eq!(
            own["sign_in_intro"],
            "Les justificatifs suivants ont été demandés :"
        );
        assert_eq!(own["requested_by"], "Demandeur : {requester}");
        assert_eq!(found.len(), 2);
        assert!(
            matches!(&found[0], TextUpgrade::Retired { key, line: 3, .. } if key == "sign_in_intro")
        );
        assert!(matches!(&found[1], TextUpgrade::Filled { keys, from, .. }
            if keys == &["requested_by".to_owned()] && from == "fr"));
    }

    #[test]
    fn a_current_file_is_left_alone() {
        let shipped = map(&[("a", "A"), ("review_intro", "x")]);
        let mut own = map(&[("a", "B"), ("review_intro", "y")]);
        assert!(upgrade("x.json", "", &mut own, &shipped, "en").is_empty());
        assert_eq!(own["review_intro"], "y");
    }

    /// A writer the test reads back.
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn start_up_logs_each_upgrade_with_its_code() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            TextUpgrade::Retired {
                file: "ui/fr.json".into(),
                key: "review_intro".into(),
                placeholder: "requester".into(),
                replacement: "x".into(),
                line: 14,
            }
            .log();
            TextUpgrade::Filled {
                file: "ui/fr.json".into(),
                keys: vec!["field_empty".into()],
                from: "fr".into(),
            }
            .log();
        });
        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(
            log.contains("ERROR") && log.contains("code=\"OEA-E0132\""),
            "{log}"
        );
        assert!(
            log.contains("key=review_intro") && log.contains("{requester}"),
            "{log}"
        );
        assert!(
            log.contains("WARN") && log.contains("code=\"OEA-W0110\""),
            "{log}"
        );
        assert!(log.contains("keys=field_empty"), "{log}");
    }
}
