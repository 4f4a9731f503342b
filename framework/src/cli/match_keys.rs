//! `oots-adapter match-keys`: the registry's key columns for blocking, computed with the
//! very functions the adapter applies to requests. A registry export goes in, the same
//! rows with the configuration's key columns appended come out, ready to load next to
//! the registry (a nightly job, or once before go-live).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use oots_connector::{Record, Value};

use super::CliError;
use super::match_eval::{Csv, load_engine};

/// Command-line options.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// A file with `identity:` and `matching:` (a mapping file, or only those sections);
    /// its `matching.keys` are computed. CSV columns are the `identity` field names.
    #[arg(long)]
    config: PathBuf,
    /// Registry export as CSV with a header row.
    #[arg(long = "in")]
    input: PathBuf,
    /// Where the CSV with the key columns appended is written (`-`: standard output).
    #[arg(long, default_value = "-")]
    out: PathBuf,
}

pub async fn run(o: &Options) -> Result<ExitCode, CliError> {
    let engine = load_engine(&o.config)?;
    let keys = engine.key_columns();
    if keys.is_empty() {
        return Err(CliError::other(format!(
            "{}: `matching.keys` declares no key columns",
            o.config.display()
        )));
    }
    let csv = Csv::read(&o.input)?;
    for (column, _) in keys {
        if csv.column(column).is_some() {
            return Err(CliError::other(format!(
                "{}: already has a column `{column}`; give the export without key columns",
                o.input.display()
            )));
        }
    }
    let mut out: Box<dyn Write> = if o.out.as_os_str() == "-" {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(std::io::BufWriter::new(
            std::fs::File::create(&o.out)
                .map_err(|e| CliError::other(format!("{}: {e}", o.out.display())))?,
        ))
    };
    let mut header: Vec<String> = csv.header.clone();
    header.extend(keys.iter().map(|(c, _)| c.clone()));
    write_row(&mut out, &header)?;
    for row in &csv.rows {
        let record: Record = csv
            .header
            .iter()
            .zip(row)
            .map(|(h, v)| {
                let v = if v.is_empty() {
                    Value::Null
                } else {
                    Value::Text(v.clone())
                };
                (h.clone(), v)
            })
            .collect();
        let mut line = row.clone();
        for (_, key) in keys {
            let v = engine.key_value(key, &record).as_text().unwrap_or_default();
            line.push(v);
        }
        write_row(&mut out, &line)?;
    }
    out.flush().map_err(CliError::other)?;
    Ok(ExitCode::SUCCESS)
}

fn write_row(out: &mut dyn Write, cells: &[String]) -> Result<(), CliError> {
    let quoted: Vec<String> = cells
        .iter()
        .map(|c| {
            if c.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.clone()
            }
        })
        .collect();
    writeln!(out, "{}", quoted.join(",")).map_err(CliError::other)
}
