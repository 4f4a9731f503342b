//! `check` on the preview's translation override files (`preview.ui_dir`): a file written
//! for an older adapter still serves (see [`crate::preview::text_upgrade`]), but `check`
//! says what the pages show instead of the authority's wording, and refuses a sentence
//! that names the requester where it no longer may.

use std::path::Path;

use crate::config::AdapterConfig;
use crate::diag::{Diagnostic, codes};
use crate::preview::i18n::Catalog;
use crate::preview::text_upgrade::TextUpgrade;

/// Errors (`OEA-E0132`) and warnings (`OEA-W0110`) for the override files of `cfg`. A
/// folder that cannot be loaded at all is reported where the pages are built.
pub(super) fn check(cfg: &AdapterConfig) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let Some(dir) = cfg.preview.ui_dir.as_deref() else {
        return (errors, warnings);
    };
    let Ok((_, upgrades)) = Catalog::load_overrides(dir) else {
        return (errors, warnings);
    };
    for u in upgrades {
        match u {
            TextUpgrade::Filled { file, keys, from } => warnings.push(
                Diagnostic::new(
                    Path::new(&file),
                    codes::PREVIEW_TEXT_FILLED,
                    format!(
                        "lacks the key(s) {}, added to the preview pages since the file was written; the pages show the shipped {from}.json texts for them",
                        keys.join(", ")
                    ),
                )
                .hint("add the keys with your own wording (copy them from preview-ui/i18n/ of this release)"),
            ),
            TextUpgrade::Retired {
                file,
                key,
                placeholder,
                replacement,
                line,
            } => errors.push(
                Diagnostic::new(
                    Path::new(&file),
                    codes::PREVIEW_TEXT_RETIRED,
                    format!(
                        "key `{key}` uses {{{placeholder}}}, which this sentence no longer has: the requester is named on its own line (key `requested_by`); until this is fixed the pages show the shipped text"
                    ),
                )
                .at(line, if line > 0 { 3 } else { 0 })
                .hint(format!(
                    "remove {{{placeholder}}} from `{key}`, e.g. \"{key}\": \"{replacement}\", and name the requester in `requested_by`"
                )),
            ),
        }
    }
    (errors, warnings)
}
