//! Throughput, latency and blocking recall of identity matching against a large SQLite
//! registry, through the same path as `serve` and `match-eval`: `Engine::prepare`, the
//! blocking passes of the configuration run by the real `SqlConnector`
//! (`retrieve::candidates`), then `Engine::decide`.
//!
//! `cargo bench -p oots-framework --bench matching` prints one JSON line per concurrency
//! level, then the engine alone and the connector alone. Targets: ≥ 20,000 decisions per
//! CPU-second (per core), p99 under 5 ms per decision, blocking recall ≥ 0.99, and never
//! the wrong person.
//!
//! The configuration is `examples/large-registry/matching.yaml` (one blocking statement of
//! five covering-index seeks) unless `OOTS_BENCH_CONFIG` names another. The registry
//! (1,000,000 synthetic persons: FEBRL names plus European names with diacritics, dates of
//! birth 1920–2010, post codes) is generated from a fixed seed, with the configuration's
//! key columns computed by `KeySpec::registry_value`, an index on each key column and on
//! the date of birth, and then either the `indexes.sql` beside the configuration (as the
//! registry's administrator would run it) or, without one, one composite index per
//! blocking pass on the columns it compares. It is in WAL mode, as a registry written
//! while the adapter reads it would be. It is cached as
//! `$CARGO_TARGET_DIR/oots-bench/registry-<size>-<configuration directory>-<indexes>.db`
//! and rebuilt only when missing, when [`GENERATOR_VERSION`] changes or when the index
//! script changes.
//!
//! Environment (all optional): `OOTS_SHARED` (default `../shared` beside the workspace),
//! `OOTS_BENCH_CONFIG`, `OOTS_BENCH_PERSONS` (registry size, default 1,000,000),
//! `OOTS_BENCH_REQUESTS` (requests for registry persons, default 20,000; a tenth as many
//! for absent persons), `OOTS_BENCH_CONCURRENCY` (default `1,2`), `OOTS_BENCH_INDEXES`
//! (`single` or `passes`, instead of the script).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::error::Error;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate};
use oots_connector::{FieldPaths, Limits, Record, Value};
use oots_connector_sql::{SqlConnector, SqlOptions};
use oots_framework::edm::LevelOfAssurance;
use oots_framework::matching::{
    Attribute, Engine, Identity, MatchOutcome, MatchingConfig, Prepared, pass_parameters_for,
    retrieve,
};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Connection, SqliteConnection};

type BoxError = Box<dyn Error + Send + Sync>;

/// Bump whenever the generated registry changes (names, distributions, columns, indexes),
/// so a cached database of an older generator is rebuilt.
const GENERATOR_VERSION: i64 = 3;
const SEED: u64 = 0x0007_5EED_2026;
/// Registry columns holding data (the key columns follow them).
const DATA_COLUMNS: [&str; 5] = [
    "rec_id",
    "given_name",
    "surname",
    "date_of_birth",
    "postcode",
];
/// Rows per INSERT statement while building (bound parameters stay far below SQLite's limit).
const ROWS_PER_INSERT: usize = 64;

/// SplitMix64: a tiny generator whose output never changes with a dependency upgrade, so
/// the cached registry stays valid.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// European names with diacritics, added to the FEBRL (Australian) names so that
/// transliteration and folding are on the hot path too.
const EXTRA_SURNAMES: &str = "Müller Schröder Schäfer Köhler Böhm Krüger Weiß Groß Strauß Meißner \
Jäger Günther Möller Fröhlich Hübner Kühn Bäumer Dörr Göbel Höfer Löffler Nüßlein Pöschl Süß \
Wüst Zöller Dvořák Novák Černý Procházka Kučera Veselý Horák Němec Pokorný Růžička Beneš \
Sedláček Doležal Kolář Navrátil Čermák Vaněk Blažek Kříž Kovář Bartoš Vlček Polák Kopecký \
Šimek Konečný Malý Štěpánek Dostál Šťastný Mareš Sýkora Tichý Wiśniewski Wójcik Kamiński \
Zieliński Szymański Woźniak Dąbrowski Kozłowski Kwiatkowski Pawłowski Król Jabłoński Wróbel \
Stępień Górski Wróblewski Jasiński Bąk Włodarczyk Sokołowski Szczepański Kaźmierczak \
Łukaszewicz Żak Ślusarczyk García Martínez Rodríguez Fernández López González Sánchez Pérez \
Gómez Martín Jiménez Hernández Díaz Álvarez Muñoz Gutiérrez Domínguez Vázquez Ramírez Núñez \
Ibáñez Peña Calderón Gonçalves Conceição Magalhães Simões Guimarães Falcão Patrício Brandão \
Leitão Lefèvre Bérubé Gagné Côté Bélanger Lévesque Pâquet Thérien Dubé Hébert Ménard Géraud \
Mérieux Rivière Légaré Séguin Dupré Lemaître Bénard Åström Sørensen Ødegaard Lindström \
Björklund Söderberg Järvinen Mäkinen Häkkinen Kärkkäinen Hämäläinen Räikkönen Nyström \
Ångström Løvland Østergaard Sæther Bråten Þórsson Jónsson Ólafsson Sigurðsson Horváth Szabó \
Kovács Tóth Fülöp Molnár Németh Takács Juhász Mészáros Oláh Rácz Szilágyi Török Fehér Balázs \
Gál Szűcs Orsós Pintér Lukács Gulyás Bíró Király Šimić Jović Đorđević Kovačević Babić Marić \
Jurić Novaković Knežević Vuković Marković Pavlović Božić Blažević Grgić Pavić Radić Perić \
Kovačić Matić Tomić Lončar Žužul Čolić Ćosić Šarić Živković Ilić Yılmaz Şahin Çelik Yıldız \
Yıldırım Öztürk Aydın Özdemir Doğan Kılıç Çetin Koç Özkan Şimşek Erdoğan Güneş Akgül Özer \
Ştefănescu Mănescu Brătianu Căpraru Păun Bălan Tănase Niţă Răducanu Bērziņš Kalniņš Ozoliņš \
Liepiņš Krūmiņš Žukauskas Šimkus Vaitkevičius Mägi Kõiv Pärn O'Brien";

/// Multi-word surnames (particles, Irish forms), kept whole.
const EXTRA_SURNAMES_SPACED: [&str; 8] = [
    "van der Berg",
    "de Vries",
    "van Dijk",
    "van den Heuvel",
    "ten Brink",
    "Ó Súilleabháin",
    "Ní Bhriain",
    "Mac Giolla Phádraig",
];

const EXTRA_GIVEN: &str = "Jürgen Jörg Björn Sören Günther Bärbel Dörte Käthe Götz Jörn Ömer \
Müge Gülşen İsmail Şükrü Çağla Tuğba Özlem Ayşe Gökhan Buğra Małgorzata Łucja Wojciech Paweł \
Zbigniew Michał Mikołaj Jędrzej Bartłomiej Bożena Stanisław Władysław Zdzisław Mirosław \
Radosław Przemysław Żaneta Józef Łukasz Bogusław Jarosław Jiří Tomáš Lukáš Václav Růžena Miloš \
Dušan Luboš Zdeněk Květa Jiřina Vít Věra Libuše Kateřina Šárka Ján Ľubomír Ľudmila Štefan \
Ondřej Matěj Přemysl Ştefan Răzvan Sînziana Ionuţ Cătălin Ştefania Mădălina Andrés José María \
Inés Ramón Jesús Sofía Lucía Adrián Rubén Iñaki Begoña Ángel Óscar Álvaro Raúl Íñigo Núria \
Mònica Joaquín Mónica Sebastián João Sebastião Estêvão Gonçalo Inês Antónia Simão Luís Fábio \
Vânia Sónia Flávio Zoë Chloé Noël Léa Anaïs Gaël Éric René Hélène Jérôme François Stéphane \
Amélie Céline Clémence Élodie Gaëlle Aurélien Benoît Cécile Mathéo Maëlle Héloïse Joël Loïc \
Noémie Thérèse Frédéric Sébastien Valérie Jérémie Théo Zoé Raphaël Maëva Ólafur Þórður \
Sigríður Guðrún Ása Søren Åsa Øystein Bjørn Kåre Ståle Tómas Jón Björk Ásgeir Märta Åke Göran \
Måns Päivi Väinö Zsófia Ágnes Gergő Dávid Bálint Ádám Lőrinc Réka Zoltán Péter Gábor Márton \
Tünde Gyöngyi Éva Đorđe Željko Žarko Slađana Mišo Božidar Nikša Živko Niccolò Nicolò Nicolás \
Kārlis Jānis Līga Ēriks Mārtiņš Gintarė Aušra Jūratė Rūta Tõnu Jüri Kärt Ülle Õie Seán \
Siobhán Pádraig Máire Dónal Éamon Róisín Áine Ciarán Eóin";

/// Where things are.
struct Paths {
    root: PathBuf,
    shared: PathBuf,
    cache: PathBuf,
}

impl Paths {
    fn new() -> Paths {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let shared = std::env::var_os("OOTS_SHARED")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("../shared"));
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target"));
        Paths {
            root,
            shared,
            cache: target.join("oots-bench"),
        }
    }
}

fn env_usize(name: &str, default: usize) -> Result<usize, BoxError> {
    match std::env::var(name) {
        Ok(v) => Ok(v.trim().replace('_', "").parse()?),
        Err(_) => Ok(default),
    }
}

/// Name lists: the distinct names of the FEBRL originals, then the extra European ones.
struct Names {
    given: Vec<String>,
    surnames: Vec<String>,
}

impl Names {
    fn load(shared: &Path) -> Result<Names, BoxError> {
        let dir = shared.join("datasets/febrl");
        let mut given = BTreeSet::new();
        let mut surnames = BTreeSet::new();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().is_some_and(|x| x == "csv")
                    && !p.to_string_lossy().contains("true_links")
            })
            .collect();
        files.sort();
        for f in &files {
            let text = std::fs::read_to_string(f)?;
            let mut lines = text.lines();
            let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
            let col = |n: &str| header.iter().position(|h| h.trim() == n);
            let (Some(id), Some(g), Some(s)) = (col("rec_id"), col("given_name"), col("surname"))
            else {
                continue;
            };
            for line in lines {
                let row: Vec<&str> = line.split(',').collect();
                // Originals only: the duplicates carry FEBRL's typos, which are noise,
                // not names.
                if row.len() != header.len() || !row[id].contains("-org") {
                    continue;
                }
                for (set, v) in [(&mut given, row[g]), (&mut surnames, row[s])] {
                    let v = v.trim();
                    if v.chars().filter(|c| c.is_alphabetic()).count() >= 2 {
                        set.insert(v.to_owned());
                    }
                }
            }
        }
        if given.is_empty() || surnames.is_empty() {
            return Err(format!("no FEBRL names found in {}", dir.display()).into());
        }
        let febrl = (given.len(), surnames.len());
        let mut given: Vec<String> = given.into_iter().collect();
        let mut surnames: Vec<String> = surnames.into_iter().collect();
        let add = |list: &mut Vec<String>, extra: &mut dyn Iterator<Item = &str>| {
            let known: HashSet<String> = list.iter().cloned().collect();
            let mut fresh: BTreeSet<String> = BTreeSet::new();
            for n in extra {
                if !known.contains(n) {
                    fresh.insert(n.to_owned());
                }
            }
            list.extend(fresh);
        };
        add(&mut given, &mut EXTRA_GIVEN.split_whitespace());
        add(
            &mut surnames,
            &mut EXTRA_SURNAMES
                .split_whitespace()
                .chain(EXTRA_SURNAMES_SPACED.iter().copied()),
        );
        eprintln!(
            "names: {} given ({} FEBRL), {} surnames ({} FEBRL)",
            given.len(),
            febrl.0,
            surnames.len(),
            febrl.1
        );
        Ok(Names { given, surnames })
    }
}

/// One synthetic person, as indexes into the name lists and days since 1920-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Person {
    given: u16,
    surname: u16,
    dob: u16,
    postcode: u16,
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1920, 1, 1).unwrap_or_default()
}

fn dob_days() -> u16 {
    let last = NaiveDate::from_ymd_opt(2010, 12, 31).unwrap_or_default();
    (last - epoch()).num_days() as u16 + 1
}

impl Person {
    fn draw(rng: &mut Rng, names: &Names) -> Person {
        Person {
            given: rng.below(names.given.len()) as u16,
            surname: rng.below(names.surnames.len()) as u16,
            dob: rng.below(dob_days() as usize) as u16,
            postcode: 1000 + rng.below(9000) as u16,
        }
    }

    fn date(&self) -> NaiveDate {
        epoch() + chrono::Duration::days(i64::from(self.dob))
    }

    fn id(i: usize) -> String {
        format!("p{i:07}")
    }
}

/// The registry: person `i` has id `p{i:07}`; the absent persons follow, never stored.
fn generate(names: &Names, persons: usize, absent: usize) -> (Vec<Person>, Vec<Person>) {
    let mut rng = Rng(SEED);
    let registry: Vec<Person> = (0..persons)
        .map(|_| Person::draw(&mut rng, names))
        .collect();
    let stored: HashSet<(u16, u16, u16)> = registry
        .iter()
        .map(|p| (p.given, p.surname, p.dob))
        .collect();
    let mut outside = Vec::with_capacity(absent);
    while outside.len() < absent {
        let p = Person::draw(&mut rng, names);
        // Someone with the same names and birthday is, for any registry, that person.
        if !stored.contains(&(p.given, p.surname, p.dob)) {
            outside.push(p);
        }
    }
    (registry, outside)
}

/// A key column value as bound.
#[derive(Debug, Clone)]
enum Bind {
    Text(String),
    Int(i64),
    Null,
}

impl Bind {
    fn of(v: Value) -> Bind {
        match v {
            Value::Text(t) => Bind::Text(t),
            Value::Int(i) => Bind::Int(i),
            Value::Date(d) => Bind::Text(d.format("%Y-%m-%d").to_string()),
            _ => Bind::Null,
        }
    }
}

/// Which indexes the registry has.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Indexes {
    /// One per key column and the date of birth, as `match-eval` builds them.
    Single,
    /// Those, plus one per blocking pass on the columns it compares.
    Passes,
    /// Those of [`Indexes::Single`], plus the `indexes.sql` beside the configuration, run
    /// as a registry's administrator would run it.
    Script(String),
}

impl Indexes {
    fn label(&self) -> &'static str {
        match self {
            Indexes::Single => "single",
            Indexes::Passes => "passes",
            Indexes::Script(_) => "script",
        }
    }

    /// The label, and for a script a hash of its text, so an edited script rebuilds.
    fn name(&self) -> String {
        match self {
            Indexes::Script(sql) => {
                // FNV-1a: stable across Rust releases, unlike `DefaultHasher`.
                let hash = sql.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                    (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
                });
                format!("script-{hash:016x}")
            }
            other => other.label().to_owned(),
        }
    }
}

/// The columns a pass query compares with `column = :parameter` terms joined by AND
/// (`WHERE birth_year = :year AND surname_cologne = :k`); `None` for any other shape.
fn compared_columns(query: &str) -> Option<Vec<String>> {
    let lower = query.to_ascii_lowercase();
    let at = lower.find(" where ")?;
    let clause = &lower[at + 7..];
    let mut columns = Vec::new();
    for term in clause.split(" and ") {
        let (column, value) = term.split_once('=')?;
        let column = column.trim();
        let plain =
            |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !plain(column) || !value.trim().strip_prefix(':').is_some_and(plain) {
            return None;
        }
        columns.push(column.to_owned());
    }
    Some(columns)
}

/// Builds (or reuses) the registry database. Key columns are computed with
/// `KeySpec::registry_value`, as `match-eval` does, memoised per distinct field value.
async fn ensure_registry(
    db: &Path,
    indexes: &Indexes,
    engine: &Engine,
    names: &Names,
    registry: &[Person],
) -> Result<(), BoxError> {
    if db.exists() {
        let opts = SqliteConnectOptions::new().filename(db).read_only(true);
        let stamp = async {
            let mut conn = SqliteConnection::connect_with(&opts).await?;
            let row: (i64, i64, String) =
                sqlx::query_as("SELECT generator, persons, indexes FROM bench_meta")
                    .fetch_one(&mut conn)
                    .await?;
            conn.close().await?;
            Ok::<_, sqlx::Error>(row)
        }
        .await;
        match stamp {
            Ok((v, n, i))
                if v == GENERATOR_VERSION && n == registry.len() as i64 && i == indexes.name() =>
            {
                eprintln!("registry: reusing {}", db.display());
                return Ok(());
            }
            _ => eprintln!("registry: {} is stale, rebuilding", db.display()),
        }
    }
    let started = Instant::now();
    if let Some(dir) = db.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let building = db.with_extension("building");
    let _ = std::fs::remove_file(&building);
    let opts = SqliteConnectOptions::new()
        .filename(&building)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Off)
        .synchronous(SqliteSynchronous::Off);
    let mut conn = SqliteConnection::connect_with(&opts).await?;
    let keys = engine.key_columns();
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut columns: Vec<String> = DATA_COLUMNS
        .iter()
        .map(|c| format!("{} TEXT", quote(c)))
        .collect();
    columns.extend(keys.iter().map(|(c, _)| quote(c)));
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE TABLE registry ({}); CREATE TABLE bench_meta (generator INTEGER, persons INTEGER, indexes TEXT)",
        columns.join(", ")
    )))
    .execute(&mut conn)
    .await?;
    let width = DATA_COLUMNS.len() + keys.len();
    let row_sql = format!("({})", vec!["?"; width].join(", "));
    let insert = |rows: usize| {
        format!(
            "INSERT INTO registry VALUES {}",
            vec![row_sql.as_str(); rows].join(", ")
        )
    };
    let full = insert(ROWS_PER_INSERT);
    let mut memo: HashMap<(usize, String), Bind> = HashMap::new();
    let mut tx = conn.begin().await?;
    for (chunk_no, chunk) in registry.chunks(ROWS_PER_INSERT).enumerate() {
        let sql = if chunk.len() == ROWS_PER_INSERT {
            full.clone()
        } else {
            insert(chunk.len())
        };
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (j, p) in chunk.iter().enumerate() {
            let data = [
                Person::id(chunk_no * ROWS_PER_INSERT + j),
                names.given[p.given as usize].clone(),
                names.surnames[p.surname as usize].clone(),
                p.date().format("%Y%m%d").to_string(),
                p.postcode.to_string(),
            ];
            for v in &data {
                q = q.bind(v.clone());
            }
            for (k, (_, key)) in keys.iter().enumerate() {
                let column = engine
                    .fields()
                    .get(&key.attribute)
                    .and_then(|f| f.first())
                    .and_then(|f| DATA_COLUMNS.iter().position(|c| c == f));
                let bind = match column {
                    None => Bind::Null,
                    Some(c) => memo
                        .entry((k, data[c].clone()))
                        .or_insert_with(|| {
                            Bind::of(key.registry_value(
                                &Value::Text(data[c].clone()),
                                engine.date_format(),
                            ))
                        })
                        .clone(),
                };
                q = match bind {
                    Bind::Text(t) => q.bind(Some(t)),
                    Bind::Int(i) => q.bind(Some(i)),
                    Bind::Null => q.bind(None::<String>),
                };
            }
        }
        q.execute(&mut *tx).await?;
    }
    sqlx::query("INSERT INTO bench_meta VALUES (?, ?, ?)")
        .bind(GENERATOR_VERSION)
        .bind(registry.len() as i64)
        .bind(indexes.name())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    eprintln!(
        "registry: {} rows loaded in {:.1} s",
        registry.len(),
        started.elapsed().as_secs_f64()
    );
    // An index on each key column and on the date of birth, as match-eval builds them.
    let mut indexed: Vec<Vec<String>> = keys.iter().map(|(c, _)| vec![c.clone()]).collect();
    indexed.push(vec!["date_of_birth".to_owned()]);
    if *indexes == Indexes::Passes {
        let passes = engine
            .blocking()
            .map(|b| b.passes.as_slice())
            .unwrap_or_default();
        for columns in passes
            .iter()
            .filter_map(|p| compared_columns(p.query.as_deref()?))
        {
            if !indexed.contains(&columns) {
                indexed.push(columns);
            }
        }
    }
    for (i, columns) in indexed.iter().enumerate() {
        let list: Vec<String> = columns.iter().map(|c| quote(c)).collect();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE INDEX idx_{i} ON registry ({})",
            list.join(", ")
        )))
        .execute(&mut conn)
        .await?;
    }
    if let Indexes::Script(sql) = indexes {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
            .execute(&mut conn)
            .await?;
    }
    // A registry that is written while the adapter reads it runs in WAL mode; a reader
    // then starts a statement without locking the file.
    sqlx::raw_sql("PRAGMA journal_mode = WAL")
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    std::fs::rename(&building, db)?;
    eprintln!(
        "registry: built {} in {:.1} s",
        db.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// How a request differs from the registry record, FEBRL-style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Noise {
    Exact,
    SurnameTypo,
    GivenTypo,
    BothNamesTypo,
    DayMonthSwapped,
    DateTypo,
    DateAndNameTypo,
    NamesSwapped,
    Spelling,
}

impl Noise {
    /// Shares (per mille) of the requests for registry persons.
    const MIX: [(Noise, u32); 9] = [
        (Noise::Exact, 300),
        (Noise::SurnameTypo, 150),
        (Noise::GivenTypo, 150),
        (Noise::BothNamesTypo, 50),
        (Noise::DayMonthSwapped, 80),
        (Noise::DateTypo, 70),
        (Noise::DateAndNameTypo, 50),
        (Noise::NamesSwapped, 80),
        (Noise::Spelling, 70),
    ];

    fn draw(rng: &mut Rng) -> Noise {
        let mut x = rng.below(1000) as u32;
        for (n, share) in Noise::MIX {
            if x < share {
                return n;
            }
            x -= share;
        }
        Noise::Exact
    }

    fn name(self) -> &'static str {
        match self {
            Noise::Exact => "exact",
            Noise::SurnameTypo => "surname_typo",
            Noise::GivenTypo => "given_typo",
            Noise::BothNamesTypo => "both_names_typo",
            Noise::DayMonthSwapped => "day_month_swapped",
            Noise::DateTypo => "date_typo",
            Noise::DateAndNameTypo => "date_and_name_typo",
            Noise::NamesSwapped => "names_swapped",
            Noise::Spelling => "spelling",
        }
    }
}

/// One keyboard-style typo: a letter substituted, dropped, doubled-in or two neighbours
/// exchanged. Short names only get substitutions.
fn typo(rng: &mut Rng, name: &str) -> String {
    let mut c: Vec<char> = name.chars().collect();
    let letters: Vec<usize> = (0..c.len()).filter(|&i| c[i].is_alphabetic()).collect();
    if letters.is_empty() {
        return name.to_owned();
    }
    let at = letters[rng.below(letters.len())];
    let random = |rng: &mut Rng| (b'a' + rng.below(26) as u8) as char;
    match if c.len() < 4 { 0 } else { rng.below(4) } {
        0 => {
            let old = c[at];
            while c[at] == old {
                c[at] = random(rng);
            }
        }
        1 => {
            c.remove(at);
        }
        2 => c.insert(at, random(rng)),
        _ => {
            let j = if at + 1 < c.len() { at + 1 } else { at - 1 };
            c.swap(at, j);
        }
    }
    c.into_iter().collect()
}

/// Another spelling of the same name: German umlaut expansion, the plain ASCII fold, or
/// capitals (as passports and older registers write names).
fn respell(rng: &mut Rng, name: &str) -> String {
    let ascii = name.is_ascii();
    match rng.below(3) {
        0 if !ascii => {
            let expanded: String = name
                .chars()
                .map(|c| match c {
                    'ä' => "ae".to_owned(),
                    'ö' => "oe".to_owned(),
                    'ü' => "ue".to_owned(),
                    'Ä' => "Ae".to_owned(),
                    'Ö' => "Oe".to_owned(),
                    'Ü' => "Ue".to_owned(),
                    c => c.to_string(),
                })
                .collect();
            deunicode::deunicode(&expanded)
        }
        1 if !ascii => deunicode::deunicode(name),
        _ => name.to_uppercase(),
    }
}

/// A date with one digit of `YYYYMMDD` changed (not the century), still a calendar date.
fn date_typo(rng: &mut Rng, d: NaiveDate) -> NaiveDate {
    let digits: Vec<u8> = d.format("%Y%m%d").to_string().into_bytes();
    for _ in 0..100 {
        let mut t = digits.clone();
        let at = 2 + rng.below(6);
        t[at] = b'0' + rng.below(10) as u8;
        if t == digits {
            continue;
        }
        let s = String::from_utf8_lossy(&t).into_owned();
        if let Ok(n) = NaiveDate::parse_from_str(&s, "%Y%m%d")
            && (1900..=2020).contains(&n.year())
        {
            return n;
        }
    }
    d
}

/// One request and what the right answer is.
struct Request {
    identity: Identity,
    /// The registry id of the person, `None` for someone the registry does not hold.
    truth: Option<String>,
    noise: Noise,
    /// Look-ups its blocking passes run (counted before the clock starts).
    lookups: usize,
}

fn make_request(rng: &mut Rng, names: &Names, p: &Person, truth: Option<String>) -> Request {
    let mut noise = Noise::draw(rng);
    let mut given = names.given[p.given as usize].clone();
    let mut surname = names.surnames[p.surname as usize].clone();
    let mut date = p.date();
    if noise == Noise::DayMonthSwapped && (date.day() > 12 || date.day() == date.month()) {
        noise = Noise::DateTypo;
    }
    match noise {
        Noise::Exact => {}
        Noise::SurnameTypo => surname = typo(rng, &surname),
        Noise::GivenTypo => given = typo(rng, &given),
        Noise::BothNamesTypo => {
            surname = typo(rng, &surname);
            given = typo(rng, &given);
        }
        Noise::DayMonthSwapped => {
            date = NaiveDate::from_ymd_opt(date.year(), date.day(), date.month()).unwrap_or(date)
        }
        Noise::DateTypo => date = date_typo(rng, date),
        Noise::DateAndNameTypo => {
            date = date_typo(rng, date);
            if rng.chance(0.5) {
                surname = typo(rng, &surname);
            } else {
                given = typo(rng, &given);
            }
        }
        Noise::NamesSwapped => std::mem::swap(&mut given, &mut surname),
        Noise::Spelling => {
            surname = respell(rng, &surname);
            given = respell(rng, &given);
        }
    }
    let mut identity = Identity::default();
    identity.set(Attribute::FamilyName, Some(&surname));
    identity.set(Attribute::GivenName, Some(&given));
    identity.set(
        Attribute::DateOfBirth,
        Some(&date.format("%Y-%m-%d").to_string()),
    );
    identity.level_of_assurance = Some(LevelOfAssurance::High);
    Request {
        identity,
        truth,
        noise,
        lookups: 0,
    }
}

/// Requests for `present` distinct registry persons, then for every absent person.
fn make_requests(
    names: &Names,
    registry: &[Person],
    outside: &[Person],
    present: usize,
) -> Vec<Request> {
    let mut rng = Rng(SEED ^ 0xA5A5_A5A5);
    let mut chosen = BTreeSet::new();
    let mut order = Vec::with_capacity(present);
    while order.len() < present.min(registry.len()) {
        let i = rng.below(registry.len());
        if chosen.insert(i) {
            order.push(i);
        }
    }
    let mut requests: Vec<Request> = order
        .iter()
        .map(|&i| make_request(&mut rng, names, &registry[i], Some(Person::id(i))))
        .collect();
    requests.extend(
        outside
            .iter()
            .map(|p| make_request(&mut rng, names, p, None)),
    );
    // Absent persons interleaved with present ones, as they would arrive.
    for i in (1..requests.len()).rev() {
        requests.swap(i, rng.below(i + 1));
    }
    requests
}

/// What happened to one request.
struct Done {
    latency: Duration,
    /// `prepare`, `retrieve::candidates` and `decide` (with the cap check), each timed.
    phases: [Duration; 3],
    candidates: usize,
    lookups: usize,
    /// The true record was among the candidates.
    blocked: bool,
    outcome: &'static str,
    correct: bool,
    wrong: bool,
}

/// Everything a decision task needs, shared.
struct Shared {
    engine: Engine,
    connector: SqlConnector,
    fields: FieldPaths,
    requests: Vec<Request>,
}

async fn decide_one(shared: &Shared, request: &Request) -> Result<Done, BoxError> {
    let empty = BTreeMap::new();
    let source = retrieve::Source {
        connector: &shared.connector,
        query: "",
        parameters: &empty,
        fields: &shared.fields,
        extra: &BTreeMap::new(),
        limits: Limits {
            timeout: Duration::from_secs(5),
            max_rows: 100_000,
        },
    };
    let engine = &shared.engine;
    let started = Instant::now();
    let prepared = engine.prepare(&request.identity);
    let prepared_at = Instant::now();
    let (outcome, records, retrieved_at) = match prepared {
        Err(o) => (*o, Vec::new(), prepared_at),
        Ok(prepared) => {
            let (records, _) = retrieve::candidates(engine, &source, &prepared).await?;
            let retrieved_at = Instant::now();
            (decide(engine, &prepared, &records), records, retrieved_at)
        }
    };
    let done_at = Instant::now();
    let ids: Vec<Option<String>> = records.iter().map(|r| engine.record_key(r)).collect();
    let phases = [
        prepared_at - started,
        retrieved_at - prepared_at,
        done_at - retrieved_at,
    ];
    Ok(judge(request, outcome, ids, done_at - started, phases))
}

/// The decision on retrieved candidates, as the exchange makes it: too many candidates
/// means the request is too unspecific.
fn decide(engine: &Engine, prepared: &Prepared, records: &[Record]) -> MatchOutcome {
    if engine
        .blocking()
        .is_some_and(|b| records.len() > b.max_candidates)
    {
        MatchOutcome::NeedsMoreAttributes {
            missing: Vec::new(),
        }
    } else {
        engine.decide(prepared, records)
    }
}

/// The connector on its own, one lookup after the other: `SELECT 1` (its own work and the
/// round trip to SQLite's worker thread, nothing to read), then the date-of-birth pass
/// as the example writes it (`SELECT *`) and with the mapped columns only, to price a
/// returned row.
async fn connector_only(shared: &Shared, n: usize) -> Result<Vec<serde_json::Value>, BoxError> {
    use oots_connector::{CancellationToken, Connector, Lookup, Params};
    let cancel = CancellationToken::new();
    let columns = DATA_COLUMNS.join(", ");
    let by_dob_columns = format!("SELECT {columns} FROM registry WHERE date_of_birth = :dob");
    let queries = [
        ("connector_select_1", "SELECT 1 AS one"),
        (
            "connector_dob_select_star",
            "SELECT * FROM registry WHERE date_of_birth = :dob",
        ),
        ("connector_dob_select_columns", by_dob_columns.as_str()),
    ];
    let mut rng = Rng(SEED ^ 0x5EED);
    let mut lines = Vec::new();
    for (name, query) in queries {
        let fields = if query.contains(":dob") {
            shared.fields.clone()
        } else {
            FieldPaths::new()
        };
        let dates: Vec<Params> = (0..n)
            .map(|_| {
                let d = epoch() + chrono::Duration::days(rng.below(dob_days() as usize) as i64);
                let mut p = Params::new();
                p.insert(
                    "dob".to_owned(),
                    Value::Text(d.format("%Y%m%d").to_string()),
                );
                p
            })
            .collect();
        let cpu0 = cpu_time()?;
        let t0 = Instant::now();
        let mut rows = 0usize;
        for params in &dates {
            let lookup = Lookup {
                query,
                params,
                fields: &fields,
                limits: Limits::default(),
            };
            rows += shared.connector.lookup(&lookup, &cancel).await?.len();
        }
        let wall = t0.elapsed().as_secs_f64();
        let cpu = (cpu_time()? - cpu0).as_secs_f64();
        lines.push(serde_json::json!({
            "measure": name,
            "lookups": n,
            "rows_per_lookup": round(rows as f64 / n.max(1) as f64, 1),
            "us_per_lookup": round(wall * 1e6 / n.max(1) as f64, 1),
            "cpu_us_per_lookup": round(cpu * 1e6 / n.max(1) as f64, 1),
        }));
    }
    Ok(lines)
}

/// The engine alone (`prepare` + `decide` on candidate sets retrieved beforehand), on
/// this thread: what one core does when the registry costs nothing.
async fn engine_only(shared: &Shared, n: usize) -> Result<serde_json::Value, BoxError> {
    let empty = BTreeMap::new();
    let source = retrieve::Source {
        connector: &shared.connector,
        query: "",
        parameters: &empty,
        fields: &shared.fields,
        extra: &BTreeMap::new(),
        limits: Limits::default(),
    };
    let engine = &shared.engine;
    let mut sets = Vec::new();
    for r in shared.requests.iter().take(n) {
        if let Ok(p) = engine.prepare(&r.identity) {
            sets.push((
                &r.identity,
                retrieve::candidates(engine, &source, &p).await?.0,
            ));
        }
    }
    let rounds = 3;
    let cpu0 = cpu_time()?;
    let t0 = Instant::now();
    let mut matches = 0usize;
    for _ in 0..rounds {
        for (identity, records) in &sets {
            let outcome = match engine.prepare(identity) {
                Ok(p) => decide(engine, &p, records),
                Err(o) => *o,
            };
            matches += usize::from(matches!(outcome, MatchOutcome::Match { .. }));
        }
    }
    let wall = t0.elapsed().as_secs_f64();
    let cpu = (cpu_time()? - cpu0).as_secs_f64();
    let decisions = sets.len() * rounds;
    let candidates: usize = sets.iter().map(|(_, r)| r.len()).sum();
    Ok(serde_json::json!({
        "measure": "engine_only",
        "decisions": decisions,
        "matches": matches,
        "candidates_mean": round(candidates as f64 / sets.len().max(1) as f64, 1),
        "seconds": round(wall, 3),
        "decisions_per_s_one_thread": (decisions as f64 / wall).round(),
        "cpu_seconds": round(cpu, 2),
        "us_per_decision": round(wall * 1e6 / decisions.max(1) as f64, 1),
        "us_per_candidate": round(wall * 1e6 / (candidates * rounds).max(1) as f64, 2),
    }))
}

/// Scores one decision against the truth (outside the timed part).
fn judge(
    request: &Request,
    outcome: MatchOutcome,
    ids: Vec<Option<String>>,
    latency: Duration,
    phases: [Duration; 3],
) -> Done {
    let lookups = request.lookups;
    let truth = request.truth.as_deref();
    let blocked = truth.is_some_and(|t| ids.iter().any(|i| i.as_deref() == Some(t)));
    let (correct, wrong) = match &outcome {
        MatchOutcome::Match { index, .. } => {
            let got = ids.get(*index).cloned().flatten();
            let ok = truth.is_some() && got.as_deref() == truth;
            (ok, !ok)
        }
        _ => (false, false),
    };
    Done {
        latency,
        phases,
        candidates: ids.len(),
        lookups,
        blocked,
        outcome: outcome.name(),
        correct,
        wrong,
    }
}

/// Process CPU time (user + system, every thread) from `/proc/self/stat`.
fn cpu_time() -> Result<Duration, BoxError> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .ok_or("unexpected /proc/self/stat")?;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11).ok_or("no utime")?.parse::<u64>()?
        + f.get(12).ok_or("no stime")?.parse::<u64>()?;
    // USER_HZ is 100 on every Linux architecture Rust targets.
    Ok(Duration::from_millis(ticks * 10))
}

async fn run_tasks(
    shared: Arc<Shared>,
    concurrency: usize,
    range: std::ops::Range<usize>,
) -> Result<Vec<(usize, Done)>, BoxError> {
    let next = Arc::new(AtomicUsize::new(range.start));
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let shared = Arc::clone(&shared);
        let next = Arc::clone(&next);
        let end = range.end;
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= end {
                    break;
                }
                out.push((i, decide_one(&shared, &shared.requests[i]).await?));
            }
            Ok::<_, BoxError>(out)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    Ok(all)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted
        .get(((sorted.len() as f64 * p) as usize).min(sorted.len().saturating_sub(1)))
        .copied()
        .unwrap_or(0.0)
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

async fn measure(
    db: &Path,
    engine: &Engine,
    requests: Vec<Request>,
    concurrency: usize,
    persons: usize,
    indexes: &Indexes,
) -> Result<(Vec<serde_json::Value>, Vec<Request>), BoxError> {
    let connector = SqlConnector::connect(
        &format!("sqlite://{}?mode=ro", db.display()),
        SqlOptions {
            max_connections: concurrency as u32,
            connect_timeout: Duration::from_secs(10),
            read_only: true,
        },
    )
    .await?;
    let shared = Arc::new(Shared {
        engine: engine.clone(),
        connector,
        fields: DATA_COLUMNS
            .iter()
            .map(|c| ((*c).to_owned(), (*c).to_owned()))
            .collect(),
        requests,
    });
    // Warm up every connection and the page cache on a slice of the requests.
    let warm = shared.requests.len().min(2_000);
    run_tasks(Arc::clone(&shared), concurrency, 0..warm).await?;

    let cpu0 = cpu_time()?;
    let t0 = Instant::now();
    let done = run_tasks(Arc::clone(&shared), concurrency, 0..shared.requests.len()).await?;
    let wall = t0.elapsed().as_secs_f64();
    let cpu = (cpu_time()? - cpu0).as_secs_f64();

    let n = done.len();
    let mut latencies: Vec<f64> = done
        .iter()
        .map(|(_, d)| d.latency.as_secs_f64() * 1e3)
        .collect();
    latencies.sort_by(f64::total_cmp);
    let mut sizes: Vec<f64> = done.iter().map(|(_, d)| d.candidates as f64).collect();
    sizes.sort_by(f64::total_cmp);
    let mut outcomes: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_noise: BTreeMap<Noise, (usize, usize, usize)> = BTreeMap::new();
    let (mut present, mut blocked, mut correct, mut wrong, mut absent_matched, mut lookups) =
        (0, 0, 0, 0, 0, 0);
    for (i, d) in &done {
        let r = &shared.requests[*i];
        *outcomes.entry(d.outcome).or_default() += 1;
        lookups += d.lookups;
        wrong += usize::from(d.wrong);
        if r.truth.is_some() {
            present += 1;
            blocked += usize::from(d.blocked);
            correct += usize::from(d.correct);
            let e = by_noise.entry(r.noise).or_default();
            e.0 += 1;
            e.1 += usize::from(d.blocked);
            e.2 += usize::from(d.correct);
        } else if d.wrong {
            absent_matched += 1;
        }
        if d.wrong {
            eprintln!(
                "WRONG PERSON: request {i} ({}, truth {:?})",
                r.noise.name(),
                r.truth
            );
        }
    }
    let phase_mean = |k: usize| {
        let total: f64 = done.iter().map(|(_, d)| d.phases[k].as_secs_f64()).sum();
        round(total * 1e6 / n.max(1) as f64, 1)
    };
    let ratio = |a: usize, b: usize| {
        if b == 0 {
            0.0
        } else {
            round(a as f64 / b as f64, 4)
        }
    };
    let per_cpu_s = if cpu > 0.0 { n as f64 / cpu } else { 0.0 };
    let p99 = percentile(&latencies, 0.99);
    let recall = ratio(blocked, present);
    let report = serde_json::json!({
        "measure": "match_decisions",
        "concurrency": concurrency,
        "registry_persons": persons,
        "registry_indexes": indexes.name(),
        "requests": n,
        "present": present,
        "absent": n - present,
        "seconds": round(wall, 3),
        "decisions_per_s": (n as f64 / wall).round(),
        "cpu_seconds": round(cpu, 2),
        "decisions_per_cpu_s": per_cpu_s.round(),
        "p50_ms": round(percentile(&latencies, 0.50), 3),
        "p90_ms": round(percentile(&latencies, 0.90), 3),
        "p99_ms": round(p99, 3),
        "max_ms": round(latencies.last().copied().unwrap_or(0.0), 3),
        "blocking_recall": recall,
        "match_rate_present": ratio(correct, present),
        "wrong_person": wrong,
        "absent_matched": absent_matched,
        "phase_us_mean": {
            "prepare": phase_mean(0),
            "retrieve": phase_mean(1),
            "decide": phase_mean(2),
        },
        "lookups_per_decision": round(lookups as f64 / n.max(1) as f64, 2),
        "candidates_mean": round(sizes.iter().sum::<f64>() / n.max(1) as f64, 1),
        "candidates_p50": percentile(&sizes, 0.50),
        "candidates_p99": percentile(&sizes, 0.99),
        "candidates_max": sizes.last().copied().unwrap_or(0.0),
        "outcomes": outcomes,
        "by_noise": by_noise.iter().map(|(k, (n, b, c))| (k.name().to_owned(), serde_json::json!({
            "n": n, "blocking_recall": ratio(*b, *n), "matched": ratio(*c, *n)
        }))).collect::<serde_json::Map<_, _>>(),
        "targets": {
            "decisions_per_cpu_s_20000": per_cpu_s >= 20_000.0,
            "p99_under_5ms": p99 < 5.0,
            "blocking_recall_0_99": recall >= 0.99,
            "no_wrong_person": wrong == 0,
        },
    });
    let mut lines = vec![report];
    if concurrency == 1 {
        lines.push(engine_only(&shared, 5_000).await?);
        lines.extend(connector_only(&shared, 10_000).await?);
    }
    shared.connector.close().await;
    let requests = Arc::try_unwrap(shared)
        .map(|s| s.requests)
        .map_err(|_| "a decision task still holds the requests")?;
    Ok((lines, requests))
}

fn main() -> Result<(), BoxError> {
    let paths = Paths::new();
    let persons = env_usize("OOTS_BENCH_PERSONS", 1_000_000)?;
    let present = env_usize("OOTS_BENCH_REQUESTS", 20_000)?;
    let concurrency: Vec<usize> = std::env::var("OOTS_BENCH_CONCURRENCY")
        .unwrap_or_else(|_| "1,2".to_owned())
        .split(',')
        .map(|s| s.trim().parse())
        .collect::<Result<_, _>>()?;

    let config = match std::env::var("OOTS_BENCH_CONFIG") {
        Ok(c) => PathBuf::from(c),
        Err(_) => paths.root.join("examples/large-registry/matching.yaml"),
    };
    let text =
        std::fs::read_to_string(&config).map_err(|e| format!("{}: {e}", config.display()))?;
    let cfg: MatchingConfig = serde_saphyr::from_str(&text)?;
    let engine = cfg.compile().map_err(|p| {
        p.iter()
            .map(|p| p.message.clone())
            .collect::<Vec<_>>()
            .join("; ")
    })?;

    let names = Names::load(&paths.shared)?;
    let (registry, outside) = generate(&names, persons, present / 10);
    let script = config.with_file_name("indexes.sql");
    let indexes = match std::env::var("OOTS_BENCH_INDEXES").as_deref() {
        Ok("single") => Indexes::Single,
        Ok("passes") => Indexes::Passes,
        Err(_) if script.exists() => Indexes::Script(
            std::fs::read_to_string(&script).map_err(|e| format!("{}: {e}", script.display()))?,
        ),
        Err(_) => Indexes::Passes,
        Ok(other) => return Err(format!("OOTS_BENCH_INDEXES={other}: passes or single").into()),
    };
    let size = if persons == 1_000_000 {
        "1m".to_owned()
    } else {
        persons.to_string()
    };
    // The key columns depend on the configuration: one database per configuration.
    let setup = config
        .parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "config".to_owned());
    let db = paths
        .cache
        .join(format!("registry-{size}-{setup}-{}.db", indexes.label()));
    let build = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    build.block_on(ensure_registry(&db, &indexes, &engine, &names, &registry))?;
    // The registry's name frequencies, read as `serve` reads them (before timing).
    build.block_on(async {
        let connector = SqlConnector::connect(
            &format!("sqlite://{}?mode=ro", db.display()),
            SqlOptions {
                max_connections: 1,
                connect_timeout: Duration::from_secs(10),
                read_only: true,
            },
        )
        .await?;
        if let Some(table) = retrieve::load_frequencies(&engine, &connector).await? {
            engine.set_frequencies(table);
        }
        Ok::<_, BoxError>(())
    })?;
    drop(build);
    let mut requests = make_requests(&names, &registry, &outside, present);
    for r in &mut requests {
        r.lookups = engine
            .blocking()
            .map(|b| {
                b.passes
                    .iter()
                    .map(|p| {
                        pass_parameters_for(
                            p,
                            &r.identity,
                            engine.date_format(),
                            engine.registry_may_hold_native_scripts(),
                        )
                        .len()
                    })
                    .sum()
            })
            .unwrap_or(1);
    }
    drop(registry);

    for c in concurrency {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(c.max(1))
            .enable_all()
            .build()?;
        let (lines, back) =
            rt.block_on(measure(&db, &engine, requests, c.max(1), persons, &indexes))?;
        requests = back;
        for line in lines {
            println!("{line}");
        }
    }
    Ok(())
}
