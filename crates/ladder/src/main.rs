//! `ladder`: engineering career frameworks as code.

mod git;
mod impact;
mod import;
mod load;
mod notify;
mod preview;
mod release;
mod render;
mod seed_ops;
mod server;
mod site;

use clap::{Parser, Subcommand, ValueEnum};
use ladder_framework::diff::{self, Grade};
use ladder_framework::{FileSet, compile, example, ids, resolve};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

// The server runs many threads (the async workers, SQLite's connection
// threads); glibc's allocator gives each its own arena and keeps freed
// memory in them, which costs resident memory and time under load.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// For one-shot batch commands (`ladder build`): have the allocator hand
/// freed memory back to the system after 10 ms instead of mimalloc's
/// default delay, and commit arena memory only as it is used. By default
/// mimalloc keeps freed pages longer and commits ahead, which suits the
/// long-running server but raises a build's peak resident memory by half;
/// handing pages back at once (no delay) costs a build about 6% of its time
/// in giving back and faulting in again memory it reuses a moment later.
#[allow(unsafe_code)]
fn lean_allocator() {
    // mimalloc's `mi_option_e`: mi_option_arena_eager_commit, mi_option_purge_delay.
    const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: `mi_option_set` stores an integer option; it may be called
    // at any time from any thread; 0 (no eager commit) and 10 (purge after
    // 10 ms) are valid values of these options.
    unsafe {
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 10);
    }
}

/// Exit codes: 0 clean or warnings only, 1 the framework has errors, 2 usage or IO errors.
pub(crate) const EXIT_ERRORS: u8 = 1;
const EXIT_USAGE: u8 = 2;

#[derive(Parser, Debug)]
#[command(name = "ladder", version, about = "Engineering career frameworks as code", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum DiffFormat {
    Markdown,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum FailOn {
    Major,
    Minor,
    Patch,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the web app and API.
    Serve(server::ServeArgs),
    /// Start a demo on 127.0.0.1: the example framework, a generated
    /// organisation, and demo logins, in an SQLite file.
    Demo(server::DemoArgs),
    /// Database maintenance: migrate, backup, restore.
    Db {
        #[command(subcommand)]
        command: server::DbCommand,
    },
    /// Import and export people.
    People {
        #[command(subcommand)]
        command: server::PeopleCommand,
    },
    /// Load pay bands and salaries (all or nothing).
    Pay {
        #[command(subcommand)]
        command: server::PayCommand,
    },
    /// Account administration.
    Admin {
        #[command(subcommand)]
        command: server::AdminCommand,
    },
    /// Email: check the SMTP settings.
    Notify {
        #[command(subcommand)]
        command: server::NotifyCommand,
    },
    /// Framework releases: stage a version for review, or publish it.
    Framework {
        #[command(subcommand)]
        command: release::FrameworkCommand,
    },
    /// Print the API's OpenAPI document (committed as openapi.json).
    Openapi,
    /// Write the example framework into DIR (which must not exist or be empty).
    Init { dir: PathBuf },
    /// Validate a framework and report every problem.
    ///
    /// Exit 0 when clean or warnings only, 1 on errors, 2 on usage or IO errors.
    Check {
        dir: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Also check a pay bands CSV against the framework: every band's
        /// grade and zone exist, and every family's level has a band in
        /// every zone.
        #[arg(long, value_name = "FILE")]
        bands: Option<PathBuf>,
    },
    /// Show the resolved expectations of a role, or of a competency layer.
    Show {
        dir: PathBuf,
        /// Job family id, e.g. `backend-engineer`.
        #[arg(
            long,
            conflicts_with = "framework",
            required_unless_present = "framework"
        )]
        family: Option<String>,
        /// Competency layer id, e.g. `development`, to show a layer on its own.
        #[arg(long)]
        framework: Option<String>,
        /// Level id, e.g. `senior`.
        #[arg(long)]
        level: String,
        /// Specialty id within the family.
        #[arg(long, requires = "family")]
        specialty: Option<String>,
        /// Only statements defined at this level, not the levels below it.
        #[arg(long)]
        own: bool,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Build the static site: a page per family, role, layer and level, and
    /// framework.json. Nothing is written if the framework or a link is broken.
    Build {
        dir: PathBuf,
        /// Output folder; replaced whole if it holds an earlier build.
        #[arg(long)]
        out: PathBuf,
    },
    /// Explain what changed between two versions of a framework, graded
    /// major, minor or patch.
    ///
    /// Exit 0 normally, 1 when --fail-on is reached, 2 when the versions
    /// cannot be compared.
    Diff {
        /// The old version: a folder, or a revision with --repo.
        old: String,
        /// The new version: a folder, or a revision with --repo.
        new: String,
        /// Read OLD and NEW as git revisions of the framework at this path.
        #[arg(long)]
        repo: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = DiffFormat::Markdown)]
        format: DiffFormat,
        /// Exit 1 if any change is of this grade or higher.
        #[arg(long, value_enum)]
        fail_on: Option<FailOn>,
        /// Also say whom the change affects in an organisation: whose
        /// expectations change, whose readiness for the next level moves
        /// (with today's manager ratings), which ratings to look at again
        /// or archive; per team and level. Reads --backup FILE, or the
        /// database (--data, --database, --config).
        #[arg(long)]
        impact: bool,
        /// A `ladder db backup` file to read the organisation from.
        #[arg(long, value_name = "FILE", requires = "impact")]
        backup: Option<PathBuf>,
        /// Name the people affected (off by default: a pull request's
        /// readers may not see people's readiness).
        #[arg(long, requires = "impact")]
        names: bool,
        /// Exit 1 if this many people or more are affected.
        #[arg(long, value_name = "N", requires = "impact")]
        fail_on_impact: Option<usize>,
        /// The day readiness is read at (default today), YYYY-MM-DD.
        #[arg(long, value_name = "DATE", requires = "impact")]
        as_of: Option<String>,
        #[command(flatten)]
        db: server::DbArgs,
    },
    /// Serve the built site on 127.0.0.1, rebuilding on every change.
    Preview {
        dir: PathBuf,
        /// Port to listen on; 0 picks a free one.
        #[arg(long, default_value_t = 4000)]
        port: u16,
        /// Stop by itself after this many seconds.
        #[arg(long, value_name = "SECONDS")]
        stop_after: Option<u64>,
    },
    /// Import a framework from another format into a new folder.
    ///
    /// Exit 0 when imported (warnings allowed), 1 on errors or, with
    /// --strict, on any problem, 2 on usage or IO errors.
    Import {
        #[command(subcommand)]
        from: ImportFrom,
    },
    /// Export a framework to another format, on standard output.
    Export {
        #[command(subcommand)]
        to: ExportTo,
    },
    /// Assign stable ids to statements that lack one, in place.
    Ids {
        dir: PathBuf,
        /// Change nothing; exit 1 if any statement lacks an id.
        #[arg(long)]
        check: bool,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum EngineArg {
    Auto,
    Hugo,
    Middleman,
}

/// Options every importer takes.
#[derive(clap::Args, Debug)]
struct ImportArgs {
    /// The folder to create; it must not exist or be empty.
    #[arg(long)]
    out: PathBuf,
    /// Also write the report as JSON to this file.
    #[arg(long, value_name = "FILE.json")]
    report: Option<PathBuf>,
    /// Exit 1 if the report has any problem, warnings included.
    #[arg(long)]
    strict: bool,
    /// The organisation's name for ladder.yaml (default: the source's name).
    #[arg(long)]
    organisation: Option<String>,
    /// An earlier import of the same source (handbook, monzo): statements
    /// with the same or reworded text keep their ids, so `ladder diff`
    /// between the two shows rewordings.
    #[arg(long, value_name = "DIR")]
    previous: Option<PathBuf>,
}

impl ImportArgs {
    fn previous(&self) -> Result<Option<ladder_framework::Framework>, String> {
        let Some(dir) = &self.previous else {
            return Ok(None);
        };
        match load_clean(dir)? {
            Ok(fw) => Ok(Some(fw)),
            Err(_) => Err(format!("--previous {} does not check", dir.display())),
        }
    }
}

#[derive(Subcommand, Debug)]
enum ImportFrom {
    /// A GitLab-style handbook checkout (Hugo or Middleman), or one page.
    Handbook {
        src: PathBuf,
        #[arg(long, value_enum, default_value_t = EngineArg::Auto)]
        engine: EngineArg,
        /// Where the handbook is published (e.g. `https://handbook.example.com`):
        /// its site-absolute links are kept as links into it. Without it they
        /// become plain text.
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Level names the importer cannot guess: a YAML map from level id
        /// to the names pages use for it (see docs/import.md).
        #[arg(long, value_name = "MAP.yaml")]
        levels: Option<PathBuf>,
        /// A folder of the source (relative to it) whose pages are a career
        /// matrix, wherever it is: level pages by file name, a layer per
        /// sub-folder.
        #[arg(long, value_name = "DIR")]
        matrix_root: Option<String>,
        #[command(flatten)]
        args: ImportArgs,
    },
    /// Monzo's progression framework (Markdown files with YAML front matter).
    Monzo {
        src: PathBuf,
        #[command(flatten)]
        args: ImportArgs,
    },
    /// The Financial Times' engineering progression (YAML job families).
    Ft {
        src: PathBuf,
        #[command(flatten)]
        args: ImportArgs,
    },
    /// A competency matrix as CSV: id, layer, level, category, text.
    Csv {
        src: PathBuf,
        #[command(flatten)]
        args: ImportArgs,
    },
    /// A grid of competencies × levels: a spreadsheet (.xlsx, .xls, .ods),
    /// a .csv file, or the Markdown or HTML tables of a page (.md, .html).
    ///
    /// The header row names the levels, one column each; the other columns
    /// give the category, group and competency (found by their headers:
    /// Category/Area/Theme, Group/Topic, Competency/Skill). A grid with one
    /// row per level is read on its side. Each filled cell is a statement,
    /// one per bullet when it lists several.
    Sheet {
        src: PathBuf,
        /// The sheet or table to read (default: the first that names levels).
        #[arg(long)]
        sheet: Option<String>,
        /// The layer's id (default: from the file's name).
        #[arg(long)]
        layer: Option<String>,
        /// The row (1-based) that names the levels, when the importer
        /// cannot tell: each of its cells that is not a category, group or
        /// competency column is then a level.
        #[arg(long, value_name = "N")]
        header_row: Option<usize>,
        /// The category column, by letter (`A`) or header.
        #[arg(long, value_name = "COLUMN")]
        category_column: Option<String>,
        /// The group column, by letter or header.
        #[arg(long, value_name = "COLUMN")]
        group_column: Option<String>,
        /// The competency column, by letter or header.
        #[arg(long, value_name = "COLUMN")]
        competency_column: Option<String>,
        /// Level names the importer cannot guess (see `import handbook`).
        #[arg(long, value_name = "MAP.yaml")]
        levels: Option<PathBuf>,
        #[command(flatten)]
        args: ImportArgs,
    },
}

#[derive(Subcommand, Debug)]
enum ExportTo {
    /// The competency matrix as CSV, one row per placed statement.
    Csv { dir: PathBuf },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let clock = ladder_server::SystemClock;
    let result = match cli.command {
        Command::Serve(a) => server::serve(a),
        Command::Demo(a) => server::demo(a),
        Command::Db { command } => server::db(command),
        Command::People { command } => server::people(command, &clock),
        Command::Pay { command } => server::pay(command, &clock),
        Command::Admin { command } => server::admin(command, &clock),
        Command::Framework { command } => release::framework(command, &clock),
        Command::Notify { command } => server::notify(command),
        Command::Openapi => {
            print!("{}", ladder_server::api::openapi_json());
            Ok(0)
        }
        Command::Init { dir } => init(&dir),
        Command::Check { dir, format, bands } => check(&dir, format, bands.as_deref()),
        Command::Show {
            dir,
            family,
            framework,
            level,
            specialty,
            own,
            format,
        } => show(
            &dir,
            family,
            framework,
            &level,
            specialty.as_deref(),
            own,
            format,
        ),
        Command::Ids { dir, check } => assign_ids(&dir, check),
        Command::Import { from } => run_import(from),
        Command::Export {
            to: ExportTo::Csv { dir },
        } => export_csv(&dir),
        Command::Build { dir, out } => {
            lean_allocator();
            site::command(&dir, &out)
        }
        Command::Diff {
            old,
            new,
            repo,
            format,
            fail_on,
            impact,
            backup,
            names,
            fail_on_impact,
            as_of,
            db,
        } => diff_command(
            &old,
            &new,
            repo.as_deref(),
            format,
            fail_on,
            impact.then_some(ImpactArgs {
                backup,
                names,
                fail_on: fail_on_impact,
                as_of,
                db,
            }),
        ),
        Command::Preview {
            dir,
            port,
            stop_after,
        } => preview::command(&dir, port, stop_after),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn init(dir: &Path) -> Result<u8, String> {
    if dir.exists() {
        let mut entries =
            std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        if entries.next().is_some() {
            return Err(format!(
                "{} already exists and is not empty; choose a new directory",
                dir.display()
            ));
        }
    }
    for (path, text) in example::FILES {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&target, text)
            .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    }
    println!(
        "wrote the example framework ({} files) to {}",
        example::FILES.len(),
        dir.display()
    );
    println!("next: ladder check {}", dir.display());
    Ok(0)
}

/// A bands file checked against a framework: the rows refused (each
/// with its row, column and fix) and the family levels without a band in
/// a zone.
fn check_bands(
    framework: &ladder_framework::Framework,
    path: &Path,
) -> Result<(Vec<String>, Vec<String>), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let grades = ladder_server::access::grades(framework);
    let configured: Vec<String> = framework
        .config
        .policy
        .pay
        .zones
        .iter()
        .map(|z| z.id.clone())
        .collect();
    // Without zones in ladder.yaml, any zone the file names is one.
    let zones: Vec<String> = if configured.is_empty() {
        let column = text
            .lines()
            .next()
            .and_then(|h| {
                h.split(',')
                    .position(|c| c.trim().eq_ignore_ascii_case("zone"))
            })
            .unwrap_or(1);
        text.lines()
            .skip(1)
            .filter_map(|l| l.split(',').nth(column))
            .map(|z| z.trim().to_owned())
            .collect()
    } else {
        configured.clone()
    };
    let roles = ladder_server::access::role_grades(framework);
    let bands = match ladder_org::pay::parse_bands(&text, &grades, &roles, &zones) {
        Ok(parsed) => parsed.rows,
        Err(rows) => {
            return Ok((
                rows.iter()
                    .map(|e| format!("{}: {e}", path.display()))
                    .collect(),
                Vec::new(),
            ));
        }
    };
    let zones: std::collections::BTreeSet<&str> = if configured.is_empty() {
        bands.iter().map(|b| b.zone.as_str()).collect()
    } else {
        configured.iter().map(String::as_str).collect()
    };
    let mut missing = Vec::new();
    for f in &framework.families {
        for l in &f.levels {
            let grade = ladder_org::format_grade(l.grade);
            for z in &zones {
                // Its own role band, or its grade's band.
                let role = |b: &&ladder_org::pay::Band| b.family == f.id && b.level == l.level;
                let graded = |b: &&ladder_org::pay::Band| b.family.is_empty() && b.grade == grade;
                if !bands
                    .iter()
                    .any(|b| b.zone == *z && (role(&b) || graded(&b)))
                {
                    missing.push(format!(
                        "{}: no band for grade {grade} ({} {}) in zone {z}; add a row `{grade},{z},…`",
                        path.display(),
                        f.title,
                        l.level
                    ));
                }
            }
        }
    }
    missing.sort();
    missing.dedup();
    Ok((Vec::new(), missing))
}

fn check(dir: &Path, format: Format, bands: Option<&Path>) -> Result<u8, String> {
    let files = load::framework_dir(dir)?;
    let (framework, diags) = compile(&files);
    let (band_errors, band_warnings) = match bands {
        Some(path) if !diags.iter().any(|d| d.is_error()) => check_bands(&framework, path)?,
        _ => (Vec::new(), Vec::new()),
    };
    let errors = diags.iter().filter(|d| d.is_error()).count() + band_errors.len();
    let warnings = diags.len() + band_warnings.len() + band_errors.len() - errors;
    match format {
        Format::Json => {
            let out = serde_json::json!({
                "errors": errors,
                "warnings": warnings,
                "diagnostics": diags,
                "bands": {"errors": band_errors, "warnings": band_warnings},
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
            );
        }
        Format::Text => {
            render::diagnostics(dir, &files, &diags);
            for e in &band_errors {
                eprintln!("error: {e}");
            }
            for w in &band_warnings {
                eprintln!("warning: {w}");
            }
            let statements = framework.items.len();
            let summary = format!(
                "{} layers, {} families, {} levels, {statements} statements and items",
                framework.layers.len(),
                framework.families.len(),
                framework.config.levels.len(),
            );
            if errors > 0 {
                eprintln!(
                    "error: {} in {} ({summary})",
                    render::counts(errors, warnings),
                    dir.display()
                );
            } else {
                println!(
                    "ok: {}: {summary}{}",
                    dir.display(),
                    if warnings > 0 {
                        format!("; {}", render::counts(0, warnings))
                    } else {
                        String::new()
                    }
                );
            }
        }
    }
    Ok(if errors > 0 { EXIT_ERRORS } else { 0 })
}

#[allow(clippy::too_many_arguments)]
fn show(
    dir: &Path,
    family: Option<String>,
    framework: Option<String>,
    level: &str,
    specialty: Option<&str>,
    own: bool,
    format: Format,
) -> Result<u8, String> {
    let fw = match load_clean(dir)? {
        Ok(fw) => fw,
        Err(code) => return Ok(code),
    };
    let json = |v: &dyn erased::Json| v.to_json();
    match (family, framework) {
        (Some(f), _) => {
            let view = resolve::role(&fw, &f, level, specialty, own).map_err(|e| e.to_string())?;
            match format {
                Format::Json => println!("{}", json(&view)?),
                Format::Text => print!("{}", render::role(&fw, &view)),
            }
        }
        (None, Some(layer)) => {
            let view = resolve::layer(&fw, &layer, level, own).map_err(|e| e.to_string())?;
            match format {
                Format::Json => println!("{}", json(&view)?),
                Format::Text => print!("{}", render::layer(&fw, &view)),
            }
        }
        (None, None) => return Err("give --family F or --framework LAYER".to_owned()),
    }
    Ok(0)
}

/// Reads and compiles a framework folder; `Err` with the exit code once
/// its errors are printed, for commands that need a framework that checks.
pub(crate) fn load_clean(dir: &Path) -> Result<Result<ladder_framework::Framework, u8>, String> {
    let files = load::framework_dir(dir)?;
    let (fw, diags) = compile(&files);
    let errors = diags.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        render::diagnostics(dir, &files, &diags);
        eprintln!(
            "error: the framework has {}; fix them first (`ladder check {}`)",
            render::counts(errors, 0),
            dir.display()
        );
        return Ok(Err(EXIT_ERRORS));
    }
    Ok(Ok(fw))
}

mod erased {
    pub trait Json {
        fn to_json(&self) -> Result<String, String>;
    }
    impl<T: serde::Serialize> Json for T {
        fn to_json(&self) -> Result<String, String> {
            serde_json::to_string_pretty(self).map_err(|e| e.to_string())
        }
    }
}

fn assign_ids(dir: &Path, check_only: bool) -> Result<u8, String> {
    let files: FileSet = load::framework_dir(dir)?;
    let plan = ids::plan(&files);
    if check_only {
        for a in &plan {
            println!("{}:{}: missing id (would be `{}`)", a.file, a.line, a.id);
        }
        if plan.is_empty() {
            println!("ok: every statement has an id");
            return Ok(0);
        }
        return Ok(EXIT_ERRORS);
    }
    let changed = ids::apply(&files);
    for (path, text) in &changed {
        let target = dir.join(path);
        load::write_atomically(&target, text)?;
    }
    println!("assigned {} ids in {} files", plan.len(), changed.len());
    Ok(0)
}

/// One side of a diff, compiled; `Err` with the exit code once its
/// diagnostics are printed.
fn diff_side(
    spec: &str,
    repo: Option<&Path>,
) -> Result<Result<ladder_framework::Framework, u8>, String> {
    let (files, shown) = match repo {
        Some(r) => (git::framework_at(r, spec)?, r.join(format!("{spec}:"))),
        None => (load::framework_dir(Path::new(spec))?, PathBuf::from(spec)),
    };
    let (fw, diags) = compile(&files);
    let errors = diags.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        render::diagnostics(&shown, &files, &diags);
        eprintln!(
            "error: {} has {}; it cannot be compared until they are fixed",
            shown.display(),
            render::counts(errors, 0)
        );
        return Ok(Err(EXIT_USAGE));
    }
    Ok(Ok(fw))
}

/// What `--impact` asks for.
struct ImpactArgs {
    backup: Option<PathBuf>,
    names: bool,
    fail_on: Option<usize>,
    as_of: Option<String>,
    db: server::DbArgs,
}

/// The organisation the impact is computed on, and the report.
fn impact_of(
    a: &ladder_framework::Framework,
    b: &ladder_framework::Framework,
    args: &ImpactArgs,
) -> Result<ladder_growth::impact::Impact, String> {
    let org = match &args.backup {
        Some(file) => impact::from_backup(file)?,
        None => server::read_org(&args.db)?,
    };
    let day: ladder_org::Date = match &args.as_of {
        Some(d) => d
            .parse()
            .map_err(|e| format!("--as-of: `{d}` is not a date ({e}); write it as YYYY-MM-DD"))?,
        None => {
            use ladder_server::Clock as _;
            ladder_org::Date::from_unix(ladder_server::SystemClock.now())
        }
    };
    let quarters = ladder_growth::Quarter::at(day.to_unix())
        .trailing(ladder_server::growth::service::READINESS_QUARTERS);
    Ok(ladder_growth::impact::report(a, b, &org, &quarters))
}

fn diff_command(
    old: &str,
    new: &str,
    repo: Option<&Path>,
    format: DiffFormat,
    fail_on: Option<FailOn>,
    impact_args: Option<ImpactArgs>,
) -> Result<u8, String> {
    let a = match diff_side(old, repo)? {
        Ok(fw) => fw,
        Err(code) => return Ok(code),
    };
    let b = match diff_side(new, repo)? {
        Ok(fw) => fw,
        Err(code) => return Ok(code),
    };
    let report = diff::diff(&a, &b);
    let affected = match &impact_args {
        Some(args) => Some((impact_of(&a, &b, args)?, args)),
        None => None,
    };
    match (format, &affected) {
        (DiffFormat::Markdown, None) => print!("{}", diff::markdown(&report, &a, &b)),
        (DiffFormat::Markdown, Some((i, args))) => print!(
            "{}\n{}",
            diff::markdown(&report, &a, &b),
            ladder_growth::impact::markdown(i, args.names)
        ),
        (DiffFormat::Json, None) => println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
        ),
        (DiffFormat::Json, Some((i, args))) => {
            let mut impact = serde_json::to_value(i).map_err(|e| e.to_string())?;
            if !args.names {
                // Counts only: who is affected, or proposed, stays out.
                if let Some(people) = impact.get_mut("people") {
                    *people = serde_json::Value::Array(Vec::new());
                }
                if let Some(p) = impact.get_mut("proposals") {
                    let n = p.as_array().map_or(0, Vec::len);
                    *p = serde_json::json!(n);
                }
            }
            println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({
                    "diff": report,
                    "impact": impact,
                }))
                .map_err(|e| e.to_string())?
            );
        }
    }
    if let Some((i, args)) = &affected
        && let Some(n) = args.fail_on
        && i.total.affected >= n
    {
        return Ok(EXIT_ERRORS);
    }
    let threshold = fail_on.map(|f| match f {
        FailOn::Major => Grade::Major,
        FailOn::Minor => Grade::Minor,
        FailOn::Patch => Grade::Patch,
    });
    Ok(match (threshold, report.grade) {
        (Some(t), Some(g)) if g >= t => EXIT_ERRORS,
        _ => 0,
    })
}

fn source_name(src: &Path) -> String {
    std::fs::canonicalize(src)
        .ok()
        .and_then(|p| p.file_stem().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "Imported framework".to_owned())
}

/// The `--levels` map, read and checked; none when not given.
fn level_map(path: Option<&Path>) -> Result<ladder_import::LevelMap, String> {
    let Some(p) = path else {
        return Ok(ladder_import::LevelMap::default());
    };
    let text =
        std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
    ladder_import::LevelMap::parse(&text).map_err(|e| format!("{}: {e}", p.display()))
}

fn run_import(from: ImportFrom) -> Result<u8, String> {
    use ladder_import::{csv, ft, handbook, monzo};
    let (import, args) = match from {
        ImportFrom::Handbook {
            src,
            engine,
            base_url,
            levels,
            matrix_root,
            args,
        } => {
            let source = import::read_source(&src, &[".md", ".erb", ".txt", ".html", ".htm"])?;
            let opts = handbook::Options {
                engine: match engine {
                    EngineArg::Auto => None,
                    EngineArg::Hugo => Some(handbook::Engine::Hugo),
                    EngineArg::Middleman => Some(handbook::Engine::Middleman),
                },
                organisation: args
                    .organisation
                    .clone()
                    .unwrap_or_else(|| source_name(&src)),
                previous: args.previous()?,
                base_url,
                levels: level_map(levels.as_deref())?,
                matrix_root,
            };
            (handbook::import(&source, &opts), args)
        }
        ImportFrom::Monzo { src, args } => {
            let source = import::read_source(&src, &[".md"])?;
            let org = args
                .organisation
                .clone()
                .unwrap_or_else(|| source_name(&src));
            (
                monzo::import(&source, &org, args.previous()?.as_ref()),
                args,
            )
        }
        ImportFrom::Ft { src, args } => {
            let source = import::read_source(&src, &[".yml", ".yaml"])?;
            let org = args
                .organisation
                .clone()
                .unwrap_or_else(|| source_name(&src));
            (ft::import(&source, &org), args)
        }
        ImportFrom::Csv { src, args } => {
            let source = import::read_source(&src, &[".csv"])?;
            let org = args
                .organisation
                .clone()
                .unwrap_or_else(|| source_name(&src));
            (csv::import(&source, &org), args)
        }
        ImportFrom::Sheet {
            src,
            sheet,
            layer,
            header_row,
            category_column,
            group_column,
            competency_column,
            levels,
            args,
        } => {
            let name = src
                .file_name()
                .map_or_else(|| "sheet".to_owned(), |n| n.to_string_lossy().into_owned());
            let bytes =
                std::fs::read(&src).map_err(|e| format!("cannot read {}: {e}", src.display()))?;
            let ext = name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
            let grids = match ext.as_str() {
                "csv" => {
                    let text = String::from_utf8_lossy(&bytes);
                    vec![
                        ladder_import::sheet::read_csv(&name, &text).map_err(|line| {
                            format!("{name}:{line}: a quoted field opens here and never closes")
                        })?,
                    ]
                }
                "md" | "markdown" | "html" | "htm" => {
                    ladder_import::sheet::read_tables(&String::from_utf8_lossy(&bytes))
                }
                _ => ladder_import::sheet::read_workbook(&bytes)
                    .map_err(|e| format!("{}: {e}", src.display()))?,
            };
            let opts = ladder_import::sheet::Options {
                organisation: args
                    .organisation
                    .clone()
                    .unwrap_or_else(|| source_name(&src)),
                layer,
                sheet,
                header_row,
                category_column,
                group_column,
                competency_column,
                previous: args.previous()?,
                levels: level_map(levels.as_deref())?,
            };
            (ladder_import::sheet::import(&name, &grids, &opts), args)
        }
    };
    import::finish(&args.out, &import, args.report.as_deref(), args.strict)
}

fn export_csv(dir: &Path) -> Result<u8, String> {
    let fw = match load_clean(dir)? {
        Ok(fw) => fw,
        Err(code) => return Ok(code),
    };
    let text = ladder_import::csv::export(&fw);
    use std::io::Write as _;
    std::io::stdout()
        .write_all(text.as_bytes())
        .map_err(|e| format!("cannot write the CSV: {e}"))?;
    Ok(0)
}
