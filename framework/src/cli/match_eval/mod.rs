//! `oots-adapter match-eval`: measures a matching configuration on labelled data.
//!
//! The registry CSV is loaded into a SQLite database (with the configuration's key
//! columns, indexed), opened through the same SQL connector a deployment uses, and every
//! request row goes through the same engine and blocking passes as in `serve`. One JSON
//! line with the counts comes out, so runs can be compared and kept.
//!
//! With `--adversarial`, requests for persons who are absent but have a near-namesake in
//! the registry go the same way ([`adversarial`]): the false-match rate that labelled
//! data cannot show.

mod adversarial;
mod csv;
mod decide;
mod edits;
mod evaluate;
mod labelled;
mod lookalike;
mod namesake;
mod population;
mod registry;
mod report;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::CliError;
use crate::diag::{Diagnostic, Diagnostics, codes};
use crate::matching::{Attribute, Engine, FieldMap, MatchingConfig};
use adversarial::{Generator, Safety};
use decide::Run;
use labelled::Labelled;
use population::Population;
use registry::Registry;
use report::Report;

pub(super) use csv::Csv;

/// Command-line options.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// A file with `identity:` and `matching:` (a mapping file, or only those sections).
    /// Blocking queries read the table `registry`, which holds the registry CSV's columns
    /// and the configuration's key columns.
    #[arg(long)]
    config: PathBuf,
    /// Registry CSV (header row; FEBRL columns `rec_id, given_name, surname, date_of_birth…`).
    #[arg(long)]
    registry: PathBuf,
    /// Request CSV, same columns.
    #[arg(long)]
    requests: PathBuf,
    /// True links: pairs of record ids (`rec_id_1,rec_id_2`).
    #[arg(long)]
    truth: PathBuf,
    /// Share of the requests' true partners removed from the registry first; every
    /// request for them must then be refused.
    #[arg(long, default_value_t = 0.0)]
    absent_fraction: f64,
    /// Only registry rows whose id contains this (default with one file for both:
    /// `-org`, the FEBRL originals).
    #[arg(long)]
    registry_filter: Option<String>,
    /// Only request rows whose id contains this (default with one file for both:
    /// `-dup-`, the FEBRL duplicates).
    #[arg(long)]
    requests_filter: Option<String>,
    /// Request attributes sent (default: every attribute `identity` maps), e.g.
    /// `FamilyName,GivenName,DateOfBirth`.
    #[arg(long, value_delimiter = ',')]
    attributes: Option<Vec<String>>,
    /// Column with the record id (default `rec_id`).
    #[arg(long, default_value = "rec_id")]
    id_column: String,
    /// Seed of the absent-partner choice and of the adversarial requests.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Print every request that was not answered correctly, with the decision's
    /// explanation (masked), to stderr; with `--adversarial` also every false match.
    #[arg(long)]
    explain: bool,
    /// Also send requests for persons who are not in the registry but have a
    /// near-namesake in it (a twin with another given name, a date one digit off, a
    /// look-alike surname…), built from the registry, and report the false matches per
    /// scenario; and P's own data with one typing error, reported as recall.
    #[arg(long)]
    adversarial: bool,
    /// Requests per adversarial scenario and per typo kind (fewer when the registry has
    /// fewer near-namesakes of the kind).
    #[arg(long, default_value_t = 300)]
    adversarial_per_scenario: usize,
    /// Exit 1 also when a scenario that is not typo-like had a false match (CI gate).
    #[arg(long)]
    fail_on_false_match: bool,
}

/// Compiles the matching configuration of a file (a mapping file, or only its
/// `identity:` and `matching:` sections), reporting problems with their location.
pub(super) fn load_engine(path: &Path) -> Result<Engine, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::other(format!("{}: {e}", path.display())))?;
    let cfg: MatchingConfig = serde_saphyr::from_str(&text)
        .map_err(|e| CliError::Config(crate::diag::yaml_error::explain(path, &text, &e).into()))?;
    cfg.compile().map_err(|found| {
        CliError::Config(Diagnostics(
            found
                .into_iter()
                .map(|p| {
                    let d = Diagnostic::new(path, codes::MATCHING, p.message);
                    match p.location {
                        Some(l) => d.at_location(l),
                        None => d,
                    }
                })
                .collect(),
        ))
    })
}

/// Runs the labelled requests (timed), then the adversarial ones if asked, and prints
/// the report; exit 1 on a wrong-person answer (or, with `--fail-on-false-match`, a
/// false match beyond the typo-like scenarios).
pub async fn run(o: &Options) -> Result<ExitCode, CliError> {
    let engine = load_engine(&o.config)?;
    if engine.blocking().is_none() {
        return Err(CliError::other(
            "the configuration has no `matching.blocking` passes (match-eval queries the registry through them)",
        ));
    }
    let data = Labelled::read(o)?;
    let registry = Registry::open(&engine, &data).await?;
    let source = registry.source();
    let sent = sent_attributes(o, engine.fields())?;
    let run = Run {
        engine: &engine,
        source: &source,
        id_column: &o.id_column,
        sent: &sent,
        explain: o.explain,
    };
    let mut report = evaluate::evaluate(&run, &data, registry.records).await?;
    // After the timed run, so the adversarial requests leave the speed figures alone.
    let safety = if o.adversarial {
        Some(adversarial_run(o, &run, &data).await?)
    } else {
        None
    };
    let unsafe_beyond_typos = safety.as_ref().is_some_and(Safety::unsafe_beyond_typos);
    if let Some(s) = safety {
        report.adversarial = Some(s.adversarial);
        report.typo_recall = Some(s.typo_recall);
        report.adversarial_skipped = Some(s.skipped);
    }
    registry.remove();
    print_report(&report)?;
    Ok(
        if report.wrong_person == 0 && !(o.fail_on_false_match && unsafe_beyond_typos) {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        },
    )
}

/// The attributes the requests carry: `--attributes`, or every attribute `identity`
/// maps.
fn sent_attributes(o: &Options, fields: &FieldMap) -> Result<Vec<Attribute>, CliError> {
    match &o.attributes {
        Some(list) => list
            .iter()
            .map(|a| {
                Attribute::parse(a.trim())
                    .ok_or_else(|| CliError::other(format!("unknown attribute `{a}`")))
            })
            .collect(),
        None => Ok(fields.keys().copied().collect()),
    }
}

/// The adversarial and typo-recall requests, generated from the registry rows that
/// take part (absent partners left out).
async fn adversarial_run(o: &Options, run: &Run<'_>, data: &Labelled) -> Result<Safety, CliError> {
    let population = Population::new(
        &data.registry,
        data.reg_id,
        |id| data.in_registry(id) && !data.removed.contains(id),
        run.engine.fields(),
        run.engine.date_format(),
    );
    let generator = Generator::new(&population, chrono::Utc::now().date_naive(), o.seed);
    adversarial::measure(run, &generator, o.adversarial_per_scenario).await
}

/// Prints the report as one JSON line.
fn print_report(report: &Report) -> Result<(), CliError> {
    println!(
        "{}",
        serde_json::to_string(report).map_err(CliError::other)?
    );
    Ok(())
}
