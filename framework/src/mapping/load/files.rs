//! The mapping folder's files: the mapping files, read and parsed, and the shared
//! partials.

use std::path::{Path, PathBuf};

use super::Loader;
use crate::diag::{Diagnostic, Diagnostics, codes};
use crate::mapping::MappingFile;

/// The mapping files of the folder, sorted so that diagnostics and the generation id do
/// not depend on the order the file system lists them in.
pub(super) fn mapping_files(dir: &Path) -> Result<Vec<PathBuf>, Diagnostics> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| {
            Diagnostic::new(
                dir,
                codes::FILE_UNREADABLE,
                format!("cannot read the mapping folder: {}", e.kind()),
            )
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(
            Diagnostic::new(dir, codes::NO_MAPPINGS, "no mapping files (*.yaml) found")
                .hint("add one file per evidence type, see docs/mapping-files.md")
                .into(),
        );
    }
    Ok(files)
}

impl Loader<'_> {
    /// Reads and parses each mapping file; files that cannot be read or parsed are
    /// reported and left out, so the others are still checked.
    pub(super) fn parse(&mut self, files: &[PathBuf]) -> Vec<(PathBuf, MappingFile)> {
        let mut parsed = Vec::new();
        for path in files {
            match std::fs::read_to_string(path) {
                Ok(text) => {
                    self.hasher.write(path.to_string_lossy().as_bytes());
                    self.hasher.write(text.as_bytes());
                    match serde_saphyr::from_str::<MappingFile>(&text) {
                        Ok(m) => parsed.push((path.clone(), m)),
                        Err(e) => self
                            .problems
                            .push(crate::diag::yaml_error::explain(path, &text, &e)),
                    }
                }
                Err(e) => self.problems.push(Diagnostic::new(
                    path,
                    codes::FILE_UNREADABLE,
                    format!("cannot read file: {}", e.kind()),
                )),
            }
        }
        parsed
    }

    /// Shared partials: every `partials/*.hbs` of the mapping folder, usable from any
    /// template as `{{> name}}`. Registered before the templates that use them.
    pub(super) fn register_partials(&mut self, dir: &Path) {
        let Ok(entries) = std::fs::read_dir(dir.join("partials")) else {
            return;
        };
        let mut partials: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "hbs"))
            .collect();
        partials.sort();
        for p in partials {
            let name = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            match std::fs::read_to_string(&p) {
                Ok(src) => {
                    self.hasher.write(p.to_string_lossy().as_bytes());
                    self.hasher.write(src.as_bytes());
                    if let Err(e) =
                        self.renderer
                            .register_partial(&name, &src, &p.display().to_string())
                    {
                        let blocks = crate::mapping::template_blocks::problems(&src);
                        if blocks.is_empty() {
                            self.problems
                                .push(Diagnostic::new(&p, codes::TEMPLATE, e.to_string()));
                        }
                        self.problems.extend(blocks.into_iter().map(|b| {
                            Diagnostic::new(&p, codes::TEMPLATE, b.message).at(b.line, b.column)
                        }));
                    }
                }
                Err(e) => self.problems.push(Diagnostic::new(
                    &p,
                    codes::FILE_UNREADABLE,
                    format!("cannot read partial: {}", e.kind()),
                )),
            }
        }
    }
}
