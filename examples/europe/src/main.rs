//! `europe-data`: writes the European matching data set of one seed.
//!
//! ```text
//! europe-data --seed 1 --out target/europe [--persons 30000] [--requests 6000] [--countries GR,BG,DE]
//! ```
//!
//! The arguments are parsed by hand: the crate has no dependencies, so that a seed's
//! output never changes with an upgrade.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use std::path::PathBuf;
use std::process::ExitCode;

use oots_europe_data::{Error, Options, generate};

const USAGE: &str = "usage: europe-data --seed <n> --out <dir> [--persons <n>] [--requests <n>] [--countries GR,BG,DE,...]";

fn parse(args: &[String]) -> Result<(Options, PathBuf), Error> {
    let mut o = Options::default();
    let mut out = None;
    let mut seed = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) => (f, Some(v.to_owned())),
            None => (a.as_str(), None),
        };
        if flag == "--help" || flag == "-h" {
            return Err(Error::Usage(USAGE.into()));
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| Error::Usage(format!("{flag} needs a value\n{USAGE}")))
        };
        let number = |v: String| {
            v.parse::<u64>()
                .map_err(|_| Error::Usage(format!("{flag}: `{v}` is not a number")))
        };
        match flag {
            "--seed" => seed = Some(number(value()?)?),
            "--out" => out = Some(PathBuf::from(value()?)),
            "--persons" => o.persons = number(value()?)? as usize,
            "--requests" => o.requests = number(value()?)? as usize,
            "--countries" => {
                o.countries = value()?
                    .split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned)
                    .collect();
            }
            other => return Err(Error::Usage(format!("unknown argument `{other}`\n{USAGE}"))),
        }
    }
    o.seed = seed.ok_or_else(|| Error::Usage(format!("--seed is required\n{USAGE}")))?;
    let out = out.ok_or_else(|| Error::Usage(format!("--out is required\n{USAGE}")))?;
    Ok((o, out))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let run = || -> Result<String, Error> {
        let (o, out) = parse(&args)?;
        let set = generate(&o)?;
        set.write(&out)?;
        Ok(format!(
            "{}: {} registry records, {} requests (seed {})",
            out.display(),
            set.registry.len(),
            set.requests.len(),
            o.seed
        ))
    };
    match run() {
        Ok(msg) => {
            eprintln!("{msg}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("europe-data: {e}");
            ExitCode::from(2)
        }
    }
}
