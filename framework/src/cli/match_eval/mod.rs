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
mod edits;
mod lookalike;
mod namesake;
mod population;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use oots_connector::{FieldPaths, Limits, Value};
use oots_connector_sql::{SqlConnector, SqlOptions};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

use super::CliError;
use crate::diag::{Diagnostic, Diagnostics, codes};
use crate::matching::date::DateParts;
use crate::matching::{
    Attribute, Engine, Identity, MatchOutcome, Matching, MatchingConfig, Prepared, matching,
    retrieve,
};
use adversarial::{Generator, Safety};
use population::Population;

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

/// A CSV file: header and rows (RFC 4180 quoting).
pub(super) struct Csv {
    pub(super) header: Vec<String>,
    pub(super) rows: Vec<Vec<String>>,
}

impl Csv {
    pub(super) fn read(path: &Path) -> Result<Csv, CliError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::other(format!("{}: {e}", path.display())))?;
        let mut rows = parse_csv(&text).into_iter();
        let header = rows
            .next()
            .ok_or_else(|| CliError::other(format!("{}: empty CSV", path.display())))?;
        let rows: Vec<Vec<String>> = rows.filter(|r| r.iter().any(|c| !c.is_empty())).collect();
        if let Some((i, r)) = rows
            .iter()
            .enumerate()
            .find(|(_, r)| r.len() != header.len())
        {
            return Err(CliError::other(format!(
                "{}:{}: {} fields, the header has {}",
                path.display(),
                i + 2,
                r.len(),
                header.len()
            )));
        }
        Ok(Csv { header, rows })
    }

    pub(super) fn column(&self, name: &str) -> Option<usize> {
        self.header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
    }
}

fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// Counts of one run.
#[derive(Debug, Default, serde::Serialize)]
struct Report {
    requests: usize,
    correct: usize,
    wrong_person: usize,
    refused: usize,
    precision: f64,
    recall: f64,
    false_match_rate_absent: Option<f64>,
    /// Requests lacking a required attribute or with an invalid date (refused before
    /// any look-up; OOTS requests always carry the minimum data set).
    incomplete: usize,
    /// Correct over every request whose partner is present, incomplete ones included.
    recall_all: f64,
    /// Wrong-person answers where the record answered and the person's own record are
    /// namesakes on every attribute the request carried ([`namesake`]): no rule over
    /// those attributes could have told them apart.
    wrong_person_namesakes: usize,
    absent_requests: usize,
    absent_matched: usize,
    outcomes: BTreeMap<&'static str, usize>,
    /// Share of complete requests whose partner was among the candidates.
    blocking_recall: f64,
    candidates_mean: f64,
    candidates_max: usize,
    registry_records: usize,
    decisions_per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// Per adversarial scenario: requests for absent persons and how many were matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    adversarial: Option<indexmap::IndexMap<&'static str, adversarial::ScenarioCounts>>,
    /// Per typo kind: requests for present persons with one typing error.
    #[serde(skip_serializing_if = "Option::is_none")]
    typo_recall: Option<indexmap::IndexMap<&'static str, adversarial::TypoCounts>>,
    /// Generated requests dropped because they named a registry person exactly.
    #[serde(skip_serializing_if = "Option::is_none")]
    adversarial_skipped: Option<usize>,
}

/// Compiles the matching configuration of a file (a mapping file, or only its
/// `identity:` and `matching:` sections), reporting problems with their location.
pub(super) fn load_engine(path: &Path) -> Result<Engine, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::other(format!("{}: {e}", path.display())))?;
    let cfg: MatchingConfig = serde_saphyr::from_str(&text)
        .map_err(|e| CliError::Config(Diagnostic::from_yaml(path, &e).into()))?;
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

pub async fn run(o: &Options) -> Result<ExitCode, CliError> {
    let engine = load_engine(&o.config)?;
    let fields = engine.fields().clone();
    if engine.blocking().is_none() {
        return Err(CliError::other(
            "the configuration has no `matching.blocking` passes (match-eval queries the registry through them)",
        ));
    }

    let same = o.registry == o.requests;
    let registry_csv = Csv::read(&o.registry)?;
    let requests_csv = if same {
        None
    } else {
        Some(Csv::read(&o.requests)?)
    };
    let requests_csv = requests_csv.as_ref().unwrap_or(&registry_csv);
    let reg_filter = o
        .registry_filter
        .clone()
        .or_else(|| same.then(|| "-org".to_owned()));
    let req_filter = o
        .requests_filter
        .clone()
        .or_else(|| same.then(|| "-dup-".to_owned()));
    let id_of = |csv: &Csv| -> Result<usize, CliError> {
        csv.column(&o.id_column)
            .ok_or_else(|| CliError::other(format!("no `{}` column", o.id_column)))
    };
    let (reg_id, req_id) = (id_of(&registry_csv)?, id_of(requests_csv)?);
    let keep = |id: &str, f: &Option<String>| f.as_deref().is_none_or(|f| id.contains(f));

    // True partners present in the registry, per request id.
    let truth = Csv::read(&o.truth)?;
    // Every registry row by id, removed ones too (a wrong answer is compared with the
    // person's own record, present or not).
    let row_of: HashMap<&str, usize> = registry_csv
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r[reg_id].as_str(), i))
        .collect();
    let registry_ids: BTreeSet<&str> = registry_csv
        .rows
        .iter()
        .map(|r| r[reg_id].as_str())
        .filter(|id| keep(id, &reg_filter))
        .collect();
    let mut partners: HashMap<String, BTreeSet<String>> = HashMap::new();
    for pair in &truth.rows {
        let (a, b) = (pair[0].trim(), pair.get(1).map(|s| s.trim()).unwrap_or(""));
        for (x, y) in [(a, b), (b, a)] {
            if registry_ids.contains(y) && keep(x, &req_filter) {
                partners
                    .entry(x.to_owned())
                    .or_default()
                    .insert(y.to_owned());
            }
        }
    }

    // The absent scenario: remove a share of the partners.
    let mut all_partners: Vec<&String> = partners
        .values()
        .flatten()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut rng = rand::rngs::StdRng::seed_from_u64(o.seed);
    all_partners.shuffle(&mut rng);
    let removed: BTreeSet<String> = all_partners
        .iter()
        .take((all_partners.len() as f64 * o.absent_fraction.clamp(0.0, 1.0)).round() as usize)
        .map(|s| (*s).clone())
        .collect();

    let dir = tempfile_dir()?;
    let db = dir.join("registry.db");
    let loaded = build_registry(&db, &registry_csv, reg_id, &reg_filter, &removed, &engine).await?;

    let connector = SqlConnector::connect(
        &format!("sqlite://{}?mode=ro", db.display()),
        SqlOptions {
            max_connections: 1,
            connect_timeout: std::time::Duration::from_secs(10),
            read_only: true,
        },
    )
    .await
    .map_err(CliError::other)?;
    // The registry's name frequencies, read with the configuration's own queries as
    // `serve` reads them (absent persons are not in the table, as they are not in the
    // registry).
    if let Some(table) = retrieve::load_frequencies(&engine, &connector)
        .await
        .map_err(CliError::other)?
    {
        engine.set_frequencies(table);
    }
    let field_paths: FieldPaths = registry_csv
        .header
        .iter()
        .map(|h| (h.clone(), h.clone()))
        .collect();
    let empty = BTreeMap::new();
    let source = retrieve::Source {
        connector: &connector,
        query: "",
        parameters: &empty,
        fields: &field_paths,
        limits: Limits {
            timeout: std::time::Duration::from_secs(30),
            max_rows: 100_000,
        },
    };

    let sent: Vec<Attribute> = match &o.attributes {
        Some(list) => list
            .iter()
            .map(|a| {
                Attribute::parse(a.trim())
                    .ok_or_else(|| CliError::other(format!("unknown attribute `{a}`")))
            })
            .collect::<Result<_, _>>()?,
        None => fields.keys().copied().collect(),
    };

    let mut report = Report {
        registry_records: loaded,
        ..Report::default()
    };
    let mut latencies = Vec::new();
    let mut blocked_ok = 0usize;
    let mut incomplete_present = 0usize;
    let mut candidates_total = 0usize;
    let started = Instant::now();
    for row in &requests_csv.rows {
        let rid = row[req_id].as_str();
        if !keep(rid, &req_filter) {
            continue;
        }
        let Some(truth) = partners.get(rid) else {
            continue;
        };
        let present: BTreeSet<&String> = truth.iter().filter(|p| !removed.contains(*p)).collect();
        report.requests += 1;
        let absent = present.is_empty();
        if absent {
            report.absent_requests += 1;
        }
        let identity = request_identity(row, requests_csv, &fields, &sent, engine.date_format());
        let t = Instant::now();
        let mut wrong = false;
        let mut namesake_wrong = false;
        let decided = decide_one(&engine, &source, &identity, &o.id_column).await?;
        if let Some(n) = decided.candidates {
            candidates_total += n;
            report.candidates_max = report.candidates_max.max(n);
            if !absent && decided.ids.iter().any(|i| present.contains(i)) {
                blocked_ok += 1;
            }
        }
        if let Some(got) = decided.matched() {
            if present.iter().any(|p| p.as_str() == got) {
                report.correct += 1;
            } else {
                report.wrong_person += 1;
                wrong = true;
                let namesake = row_of.get(got).is_some_and(|g| {
                    truth
                        .iter()
                        .filter_map(|t| row_of.get(t.as_str()))
                        .any(|t| {
                            namesake::namesakes(
                                &registry_csv,
                                &registry_csv.rows[*g],
                                &registry_csv.rows[*t],
                                &fields,
                                &identity.attributes.keys().copied().collect::<Vec<_>>(),
                                engine.date_format(),
                            )
                        })
                });
                if namesake {
                    report.wrong_person_namesakes += 1;
                    namesake_wrong = true;
                }
                if absent {
                    report.absent_matched += 1;
                }
            }
        }
        let outcome = decided.outcome;
        latencies.push(t.elapsed().as_secs_f64() * 1000.0);
        let incomplete = matches!(
            outcome,
            MatchOutcome::InvalidInput { .. } | MatchOutcome::NeedsMoreAttributes { .. }
        ) && !matches!(&outcome, MatchOutcome::NeedsMoreAttributes { missing } if missing.is_empty());
        if incomplete {
            report.incomplete += 1;
            if !absent {
                incomplete_present += 1;
            }
        }
        if o.explain
            && !incomplete
            && (wrong || absent == matches!(outcome, MatchOutcome::Match { .. }))
        {
            eprintln!(
                "{rid} ({}): {} {}",
                match (absent, wrong, namesake_wrong) {
                    (true, _, true) => "absent, a namesake's record",
                    (true, _, false) => "absent",
                    (false, true, true) => "present, WRONG PERSON, a namesake",
                    (false, true, false) => "present, WRONG PERSON",
                    (false, false, _) => "present",
                },
                outcome.name(),
                outcome
                    .explanation()
                    .map(|e| e.summary())
                    .unwrap_or_default()
            );
        }
        if !matches!(outcome, MatchOutcome::Match { .. }) {
            report.refused += 1;
        }
        *report.outcomes.entry(outcome.name()).or_default() += 1;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let present_requests = report.requests - report.absent_requests;
    report.precision = ratio(report.correct, report.correct + report.wrong_person);
    report.recall = ratio(
        report.correct,
        present_requests.saturating_sub(incomplete_present),
    );
    report.recall_all = ratio(report.correct, present_requests);
    report.false_match_rate_absent =
        (report.absent_requests > 0).then(|| ratio(report.absent_matched, report.absent_requests));
    let complete = report.requests - report.incomplete;
    report.blocking_recall = ratio(blocked_ok, present_requests - incomplete_present);
    report.candidates_mean = ratio(candidates_total, complete);
    report.decisions_per_s = (report.requests as f64 / elapsed).round();
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .map(round4)
            .unwrap_or(0.0)
    };
    report.p50_ms = pct(0.50);
    report.p99_ms = pct(0.99);

    // After the timed run, so the adversarial requests leave the speed figures alone.
    let safety = if o.adversarial {
        let population = Population::new(
            &registry_csv,
            reg_id,
            |id| keep(id, &reg_filter) && !removed.contains(id),
            &fields,
            engine.date_format(),
        );
        let generator = Generator::new(&population, chrono::Utc::now().date_naive(), o.seed);
        let run = adversarial::Run {
            engine: &engine,
            source: &source,
            id_column: &o.id_column,
            sent: &sent,
            explain: o.explain,
        };
        Some(adversarial::measure(&run, &generator, o.adversarial_per_scenario).await?)
    } else {
        None
    };
    let unsafe_beyond_typos = safety.as_ref().is_some_and(Safety::unsafe_beyond_typos);
    if let Some(s) = safety {
        report.adversarial = Some(s.adversarial);
        report.typo_recall = Some(s.typo_recall);
        report.adversarial_skipped = Some(s.skipped);
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "{}",
        serde_json::to_string(&report).map_err(CliError::other)?
    );
    Ok(
        if report.wrong_person == 0 && !(o.fail_on_false_match && unsafe_beyond_typos) {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        },
    )
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// `a / b` to four places; 0 when `b` is 0.
fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        round4(a as f64 / b as f64)
    }
}

/// What one request came to.
struct Decided {
    outcome: MatchOutcome,
    /// The record ids of the candidates, in the order the decision indexes them.
    ids: Vec<String>,
    /// How many candidates the blocking passes found; `None` when the request was
    /// refused before any look-up.
    candidates: Option<usize>,
}

impl Decided {
    /// The record id of the match, if the outcome is one.
    fn matched(&self) -> Option<&str> {
        match &self.outcome {
            MatchOutcome::Match { index, .. } => {
                Some(self.ids.get(*index).map(String::as_str).unwrap_or_default())
            }
            _ => None,
        }
    }
}

/// One request down the path `serve` takes: prepare, the blocking passes through the
/// SQL connector, decide (more than `max_candidates` candidates: needs more
/// attributes). Every request of a run, labelled or generated, goes this one way, so
/// the figures are the deployment's.
async fn decide_one(
    engine: &Engine,
    source: &retrieve::Source<'_>,
    identity: &Identity,
    id_column: &str,
) -> Result<Decided, CliError> {
    // The same operation as `serve`: prepare, the blocking passes, the candidate cap,
    // decide (without the exchange's retry of a registry that is down).
    let looked_up =
        async |prepared: &Prepared| retrieve::candidates(engine, source, prepared).await;
    let (outcome, records) = match matching(engine, identity, None, looked_up).await {
        Matching::Refused(outcome) => {
            return Ok(Decided {
                outcome,
                ids: Vec::new(),
                candidates: None,
            });
        }
        Matching::Failed(e) => return Err(CliError::other(e)),
        Matching::Decided { outcome, records } => (outcome, records),
    };
    let ids: Vec<String> = records
        .iter()
        .map(|r| {
            r.get(id_column)
                .and_then(Value::as_text)
                .unwrap_or_default()
        })
        .collect();
    Ok(Decided {
        outcome,
        ids,
        candidates: Some(records.len()),
    })
}

/// The request for generated values: each sent attribute that has a value.
fn identity_of(
    values: &std::collections::BTreeMap<Attribute, String>,
    sent: &[Attribute],
) -> Identity {
    let mut id = Identity::default();
    for a in sent {
        id.set(*a, values.get(a).map(String::as_str));
    }
    id.level_of_assurance = Some(crate::edm::LevelOfAssurance::High);
    id
}

fn tempfile_dir() -> Result<PathBuf, CliError> {
    let dir = std::env::temp_dir().join(format!(
        "oots-match-eval-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir).map_err(CliError::other)?;
    Ok(dir)
}

/// The request a CSV row stands for: the value of each sent attribute's first column;
/// dates converted from the registry's format to `xs:date`.
fn request_identity(
    row: &[String],
    csv: &Csv,
    fields: &crate::matching::FieldMap,
    sent: &[Attribute],
    date_format: Option<&str>,
) -> Identity {
    let mut id = Identity::default();
    for a in sent {
        let Some(col) = fields
            .get(a)
            .and_then(|f| f.first())
            .and_then(|f| csv.column(f))
        else {
            continue;
        };
        let raw = row[col].trim();
        if *a == Attribute::DateOfBirth {
            let v = DateParts::from_value(&Value::Text(raw.to_owned()), date_format)
                .and_then(|d| d.to_date())
                .map(|d| d.format("%Y-%m-%d").to_string())
                // Not a date: pass it on as written, the engine refuses it.
                .unwrap_or_else(|| raw.to_owned());
            id.set(*a, Some(&v));
        } else {
            id.set(*a, Some(raw));
        }
    }
    id.level_of_assurance = Some(crate::edm::LevelOfAssurance::High);
    id
}

/// Writes the registry table with the key columns and an index on each, and on every
/// date-of-birth column. Returns the number of rows loaded.
async fn build_registry(
    db: &Path,
    csv: &Csv,
    id_col: usize,
    filter: &Option<String>,
    removed: &BTreeSet<String>,
    engine: &Engine,
) -> Result<usize, CliError> {
    let opts = SqliteConnectOptions::new()
        .filename(db)
        .create_if_missing(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
        .map_err(CliError::other)?;
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let keys = engine.key_columns();
    let mut columns: Vec<String> = csv
        .header
        .iter()
        .map(|h| format!("{} TEXT", quote(h)))
        .collect();
    columns.extend(keys.iter().map(|(c, _)| quote(c)));
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE TABLE registry ({})",
        columns.join(", ")
    )))
    .execute(&pool)
    .await
    .map_err(CliError::other)?;
    let placeholders = vec!["?"; csv.header.len() + keys.len()].join(", ");
    let insert = format!("INSERT INTO registry VALUES ({placeholders})");
    let mut tx = pool.begin().await.map_err(CliError::other)?;
    let mut n = 0;
    for row in &csv.rows {
        let id = row[id_col].as_str();
        if filter.as_deref().is_some_and(|f| !id.contains(f)) || removed.contains(id) {
            continue;
        }
        let record: oots_connector::Record = csv
            .header
            .iter()
            .zip(row)
            .map(|(h, v)| (h.clone(), Value::Text(v.clone())))
            .collect();
        let mut q = sqlx::query(sqlx::AssertSqlSafe(insert.clone()));
        for v in row {
            q = q.bind(if v.is_empty() { None } else { Some(v.clone()) });
        }
        for (_, key) in keys {
            q = match engine.key_value(key, &record) {
                Value::Text(t) => q.bind(Some(t)),
                Value::Int(i) => q.bind(Some(i)),
                Value::Date(d) => q.bind(Some(d.format("%Y-%m-%d").to_string())),
                _ => q.bind(None::<String>),
            };
        }
        q.execute(&mut *tx).await.map_err(CliError::other)?;
        n += 1;
    }
    tx.commit().await.map_err(CliError::other)?;
    let mut indexed: Vec<String> = keys.iter().map(|(c, _)| c.clone()).collect();
    indexed.extend(
        engine
            .fields()
            .get(&Attribute::DateOfBirth)
            .into_iter()
            .flatten()
            .cloned(),
    );
    indexed.push(csv.header[id_col].clone());
    for (i, c) in indexed.iter().enumerate() {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE INDEX idx_{i} ON registry ({})",
            quote(c)
        )))
        .execute(&pool)
        .await
        .map_err(CliError::other)?;
    }
    pool.close().await;
    Ok(n)
}
