//! `cargo test-all`'s own options; every other argument goes to `cargo test`.

/// What `cargo test-all` was asked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Options {
    /// Fail when a test skipped for a variable not in `allowed` (`--require-all`, or the
    /// environment variable `CI` set to `true` or `1`).
    pub require_all: bool,
    /// Variables whose skips are expected (`--allow-skip VAR`, repeatable): still listed.
    pub allowed: Vec<String>,
    /// The rest, for `cargo test`, in order (including a `--` and what follows it).
    pub cargo_args: Vec<String>,
}

/// An argument `cargo test-all` could not take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptionsError {
    /// `--allow-skip` was the last argument, or followed by `--`.
    AllowSkipWithoutVariable,
}

impl std::fmt::Display for OptionsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OptionsError::AllowSkipWithoutVariable => {
                f.write_str("--allow-skip needs a variable name, e.g. --allow-skip MSSQL_URL")
            }
        }
    }
}

impl std::error::Error for OptionsError {}

impl Options {
    /// Splits the arguments; `ci` is whether the `CI` environment variable asks for
    /// `--require-all`. Options after a `--` belong to the test binaries, untouched.
    pub fn parse(
        args: impl IntoIterator<Item = String>,
        ci: bool,
    ) -> Result<Options, OptionsError> {
        let mut o = Options {
            require_all: ci,
            ..Options::default()
        };
        let mut args = args.into_iter();
        while let Some(a) = args.next() {
            if a == "--" {
                o.cargo_args.push(a);
                o.cargo_args.extend(args.by_ref());
            } else if a == "--require-all" {
                o.require_all = true;
            } else if a == "--allow-skip" {
                match args.next() {
                    Some(v) if v != "--" && !v.is_empty() => o.allowed.push(v),
                    _ => return Err(OptionsError::AllowSkipWithoutVariable),
                }
            } else if let Some(v) = a.strip_prefix("--allow-skip=") {
                if v.is_empty() {
                    return Err(OptionsError::AllowSkipWithoutVariable);
                }
                o.allowed.push(v.to_string());
            } else {
                o.cargo_args.push(a);
            }
        }
        Ok(o)
    }

    /// The arguments for `cargo`: `test`, `--workspace` unless a package was named, then
    /// the caller's.
    pub fn cargo_test_args(&self) -> Vec<String> {
        let before_dashdash = self.cargo_args.iter().take_while(|a| *a != "--");
        let names_package = before_dashdash
            .clone()
            .any(|a| a == "-p" || a == "--package" || a.starts_with("--package="))
            || before_dashdash
                .clone()
                .any(|a| a.starts_with("-p") && a.len() > 2 && !a.starts_with("--"));
        let mut out = vec!["test".to_string()];
        if !names_package {
            out.push("--workspace".to_string());
        }
        out.extend(self.cargo_args.iter().cloned());
        out
    }

    /// Whether the `CI` environment variable's value asks for `--require-all`.
    pub fn ci_requires_all(ci: Option<&str>) -> bool {
        matches!(ci, Some("true") | Some("1"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str], ci: bool) -> Result<Options, OptionsError> {
        Options::parse(args.iter().map(|s| s.to_string()), ci)
    }

    #[test]
    fn own_options_are_taken_out_and_the_rest_goes_to_cargo() {
        let o = parse(
            &[
                "--require-all",
                "--allow-skip",
                "MSSQL_URL",
                "--release",
                "--allow-skip=X",
            ],
            false,
        )
        .unwrap();
        assert!(o.require_all);
        assert_eq!(o.allowed, ["MSSQL_URL", "X"]);
        assert_eq!(o.cargo_test_args(), ["test", "--workspace", "--release"]);
    }

    #[test]
    fn what_follows_dashdash_is_the_test_binaries_even_our_own_flags() {
        let o = parse(&["--", "--nocapture", "--require-all"], false).unwrap();
        assert!(!o.require_all);
        assert_eq!(
            o.cargo_test_args(),
            ["test", "--workspace", "--", "--nocapture", "--require-all"]
        );
    }

    #[test]
    fn a_named_package_drops_workspace() {
        for args in [
            &["-p", "oots-edm"][..],
            &["-poots-edm"],
            &["--package=oots-edm"],
        ] {
            let o = parse(args, false).unwrap();
            assert_eq!(o.cargo_test_args()[1..], *args, "{args:?}");
        }
        let o = parse(&["--", "-p"], false).unwrap();
        assert_eq!(o.cargo_test_args()[1], "--workspace");
    }

    #[test]
    fn allow_skip_needs_a_variable() {
        for args in [
            &["--allow-skip"][..],
            &["--allow-skip", "--"],
            &["--allow-skip="],
        ] {
            assert_eq!(
                parse(args, false),
                Err(OptionsError::AllowSkipWithoutVariable)
            );
        }
    }

    #[test]
    fn ci_asks_for_require_all() {
        assert!(parse(&[], true).unwrap().require_all);
        assert!(Options::ci_requires_all(Some("true")));
        assert!(Options::ci_requires_all(Some("1")));
        assert!(!Options::ci_requires_all(Some("false")));
        assert!(!Options::ci_requires_all(None));
    }
}
