//! `ladder import …` and `ladder export csv`: reading a source, running an
//! importer, writing the framework folder whole or not at all.

use crate::load::skipped_dir;
use ladder_import::{Import, Report, Severity, Source};
use std::path::{Path, PathBuf};

/// Above this many files, reading shows a progress bar.
const PROGRESS_FROM: usize = 300;

/// Reads every file under `src` whose name ends with one of `exts` (or the
/// one file `src` names), as text.
pub fn read_source(src: &Path, exts: &[&str]) -> Result<Source, String> {
    let meta = std::fs::metadata(src).map_err(|e| format!("cannot read {}: {e}", src.display()))?;
    let mut source = Source::new();
    if meta.is_file() {
        let text = std::fs::read(src).map_err(|e| format!("cannot read {}: {e}", src.display()))?;
        let name = src
            .file_name()
            .map_or_else(|| "source".to_owned(), |n| n.to_string_lossy().into_owned());
        source.insert(name, String::from_utf8_lossy(&text).into_owned());
        return Ok(source);
    }
    let mut paths = Vec::new();
    walk(src, src, exts, &mut paths)?;
    let bar = (paths.len() > PROGRESS_FROM).then(|| {
        let b = indicatif::ProgressBar::new(paths.len() as u64);
        b.set_message("reading");
        b
    });
    for (rel, path) in paths {
        let bytes =
            std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        source.insert(rel, String::from_utf8_lossy(&bytes).into_owned());
        if let Some(b) = &bar {
            b.inc(1);
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(source)
}

fn walk(
    root: &Path,
    dir: &Path,
    exts: &[&str],
    out: &mut Vec<(String, PathBuf)>,
) -> Result<(), String> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for e in entries {
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        let kind = e
            .file_type()
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if kind.is_dir() {
            if !skipped_dir(&name) {
                walk(root, &path, exts, out)?;
            }
        } else if kind.is_file() && exts.iter().any(|x| name.ends_with(x)) {
            let rel = path
                .strip_prefix(root)
                .map_err(|e| e.to_string())?
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, path));
        }
    }
    Ok(())
}

/// Writes the imported files into a fresh sibling folder, then renames it
/// to `out`, so `out` is either the whole import or untouched.
pub fn write_out(out: &Path, import: &Import) -> Result<(), String> {
    if out.exists() {
        let empty = std::fs::read_dir(out)
            .map_err(|e| format!("cannot read {}: {e}", out.display()))?
            .next()
            .is_none();
        if !empty {
            return Err(format!(
                "{} already exists and is not empty; import into a new folder",
                out.display()
            ));
        }
    }
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    let name = out
        .file_name()
        .map_or_else(|| "import".into(), |n| n.to_string_lossy().into_owned());
    let tmp = parent.join(format!(".{name}.importing-{}", std::process::id()));
    let result = (|| {
        for (rel, text) in &import.files {
            let p = tmp.join(rel);
            if let Some(d) = p.parent() {
                std::fs::create_dir_all(d)
                    .map_err(|e| format!("cannot create {}: {e}", d.display()))?;
            }
            std::fs::write(&p, text).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
        }
        if out.exists() {
            std::fs::remove_dir(out)
                .map_err(|e| format!("cannot replace {}: {e}", out.display()))?;
        }
        std::fs::rename(&tmp, out)
            .map_err(|e| format!("cannot move the import into {}: {e}", out.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

/// Prints the report, writes it as JSON if asked, and gives the exit code.
pub fn finish(
    out: &Path,
    import: &Import,
    report_file: Option<&Path>,
    strict: bool,
) -> Result<u8, String> {
    let r: &Report = &import.report;
    if let Some(f) = report_file {
        let json = serde_json::to_string_pretty(r).map_err(|e| e.to_string())?;
        if let Some(d) = f.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(d)
                .map_err(|e| format!("cannot create {}: {e}", d.display()))?;
        }
        crate::load::write_atomically(f, &(json + "\n"))?;
    }
    for p in &r.problems {
        eprintln!("{p}");
    }
    let errors = r
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    let warnings = r.problems.len() - errors;
    if errors > 0 {
        eprintln!("import failed: {errors} error(s), {warnings} warning(s); nothing was written");
        return Ok(crate::EXIT_ERRORS);
    }
    write_out(out, import)?;
    if !r.families.is_empty() {
        eprintln!("where each family's responsibilities and requirements landed:");
        for f in &r.families {
            eprintln!("  {}", family_scope_line(f));
        }
    }
    let c = &r.counts;
    eprintln!(
        "imported {} source files ({}) into {}: {} layers, {} levels, {} statements and items, {} includes, {} families, {} pages kept as prose; {warnings} warning(s)",
        c.source_files,
        r.format,
        out.display(),
        c.layers,
        c.levels,
        c.statements,
        c.includes,
        c.families,
        c.prose_pages
    );
    Ok(if strict && warnings > 0 {
        crate::EXIT_ERRORS
    } else {
        0
    })
}

/// `backend-engineer: 25 family-wide; levels senior 36, staff 36, intern 0;
/// 3 specialties (40)`, from the import report.
fn family_scope_line(f: &ladder_import::FamilyScope) -> String {
    let levels: Vec<String> = f.levels.iter().map(|(l, n)| format!("{l} {n}")).collect();
    let mut s = format!("{}: {} family-wide", f.family, f.family_wide);
    if !levels.is_empty() {
        s.push_str(&format!("; per level: {}", levels.join(", ")));
    }
    if !f.specialties.is_empty() {
        let n: usize = f.specialties.values().sum();
        s.push_str(&format!("; {} specialties: {n}", f.specialties.len()));
    }
    s
}
