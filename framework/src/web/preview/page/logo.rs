//! The authority's optional logo, read from the override directory.

use std::path::{Path, PathBuf};

use super::PageError;
use crate::preview::ui_files::override_files;

/// Largest accepted override logo.
const MAX_LOGO_BYTES: usize = 512 * 1024;

/// The optional `logo.svg` / `logo.png` of the override directory (or its `static/`).
pub(super) fn load_logo(dir: &Path) -> Result<Option<(&'static str, Vec<u8>)>, PageError> {
    let mut found: Vec<(&'static str, PathBuf)> = Vec::new();
    for (ext, media_type) in [(".svg", "image/svg+xml"), (".png", "image/png")] {
        for (name, path) in override_files(dir, "static", ext)? {
            if name == format!("logo{ext}") {
                found.push((media_type, path));
            }
        }
    }
    for ext in [".jpg", ".jpeg", ".gif", ".webp"] {
        if let Some((_, path)) = override_files(dir, "static", ext)?
            .into_iter()
            .find(|(name, _)| name.starts_with("logo."))
        {
            return Err(PageError::UnknownFile {
                file: path.display().to_string(),
                expected: "logo.svg or logo.png".to_owned(),
            });
        }
    }
    match found.as_slice() {
        [] => Ok(None),
        [(media_type, path)] => {
            let file = path.display().to_string();
            let bytes = std::fs::read(path).map_err(|source| PageError::Read {
                file: file.clone(),
                source,
            })?;
            if bytes.len() > MAX_LOGO_BYTES {
                return Err(PageError::BadLogo {
                    file,
                    reason: format!("larger than {} KiB", MAX_LOGO_BYTES / 1024),
                });
            }
            let looks_right = if *media_type == "image/png" {
                bytes.starts_with(b"\x89PNG\r\n\x1a\n")
            } else {
                std::str::from_utf8(&bytes).is_ok_and(|s| s.contains("<svg"))
            };
            if !looks_right {
                return Err(PageError::BadLogo {
                    file,
                    reason: format!("not a {media_type} file"),
                });
            }
            Ok(Some((media_type, bytes)))
        }
        [(_, a), (_, b), ..] => Err(PageError::Duplicate {
            file: a.display().to_string(),
            other: b.display().to_string(),
        }),
    }
}
