//! `ladder build`: compile, render, and write the site in one step that
//! either fully succeeds or leaves the output folder as it was.

use crate::render;
use ladder_framework::{FileSet, compile, compile_core, duplicates, sort_diagnostics};
use ladder_site::{MARKER, Site};
use std::path::{Path, PathBuf};

/// What came of building a framework folder.
pub enum Outcome {
    Built(Site),
    /// The framework or the site has errors: rendered diagnostics.
    Broken(FileSet, Vec<ladder_framework::Diagnostic>),
}

/// Compiles and renders `dir`. Warnings are returned with a built site.
pub fn build(dir: &Path) -> Result<(Outcome, Vec<ladder_framework::Diagnostic>), String> {
    let files = crate::load::framework_dir(dir)?;
    let (fw, mut diags) = compile(&files);
    if diags.iter().any(|d| d.is_error()) {
        return Ok((Outcome::Broken(files, diags.clone()), diags));
    }
    let (site, site_diags) = ladder_site::build(&fw, &files);
    diags.extend(site_diags);
    if diags.iter().any(|d| d.is_error()) {
        return Ok((Outcome::Broken(files, diags.clone()), diags));
    }
    Ok((Outcome::Built(site), diags))
}

/// Checks that `out` may be replaced and returns the sibling folders to
/// write into and to move the old site aside to.
fn staging(out: &Path) -> Result<(PathBuf, PathBuf), String> {
    if out.exists() {
        let is_dir = out.is_dir();
        let empty = is_dir
            && std::fs::read_dir(out)
                .map_err(|e| format!("cannot read {}: {e}", out.display()))?
                .next()
                .is_none();
        if !is_dir || !(empty || out.join(MARKER).is_file()) {
            return Err(format!(
                "{} exists and is not a site Ladder built; choose a new folder for --out, or remove it first",
                out.display()
            ));
        }
    }
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| format!("{} cannot be used as an output folder", out.display()))?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)
        .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    let pid = std::process::id();
    Ok((
        parent.join(format!(".{name}.ladder-new-{pid}")),
        parent.join(format!(".{name}.ladder-old-{pid}")),
    ))
}

/// Moves the finished `tmp` folder into place at `out`.
fn swap_in(tmp: &Path, old: &Path, out: &Path) -> Result<(), String> {
    let result = (|| {
        if out.exists() {
            std::fs::rename(out, old)
                .map_err(|e| format!("cannot move {} aside: {e}", out.display()))?;
        }
        std::fs::rename(tmp, out)
            .map_err(|e| format!("cannot move the new site into {}: {e}", out.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(tmp);
        if old.exists() && !out.exists() {
            let _ = std::fs::rename(old, out);
        }
    }
    let _ = std::fs::remove_dir_all(old);
    result
}

/// `ladder build DIR --out OUT`: pages are written as they are rendered
/// into a sibling temporary folder, which replaces OUT only when the whole
/// build succeeded.
pub fn command(dir: &Path, out: &Path) -> Result<u8, String> {
    let files = crate::load::framework_dir(dir)?;
    let (fw, mut diags) = compile_core(&files);
    let broken = |diags: &[ladder_framework::Diagnostic]| {
        render::diagnostics(dir, &files, diags);
        let errors = diags.iter().filter(|d| d.is_error()).count();
        eprintln!(
            "error: {} in {}; nothing was written",
            render::counts(errors, diags.len() - errors),
            dir.display()
        );
        crate::EXIT_ERRORS
    };
    if diags.iter().any(|d| d.is_error()) {
        diags.extend(duplicates(&fw, &files));
        sort_diagnostics(&mut diags);
        return Ok(broken(&diags));
    }
    let (tmp, old) = staging(out)?;
    let _ = std::fs::remove_dir_all(&tmp);
    let write = ToDisk {
        root: &tmp,
        made: std::sync::Mutex::default(),
    };
    // The compiler's last check only warns: it runs, and its warnings and
    // the compiler's are rendered for the terminal, while the site is built.
    let ((summary, site_diags), lint) = std::thread::scope(|scope| {
        let lint = scope.spawn(|| {
            diags.extend(duplicates(&fw, &files));
            sort_diagnostics(&mut diags);
            let shown = render::for_stderr(dir, &files, &diags);
            (diags, shown)
        });
        let built = ladder_site::build_to(&fw, &files, &write);
        (built, lint.join())
    });
    let (mut diags, shown) = lint.unwrap_or_else(|p| std::panic::resume_unwind(p));
    if site_diags.iter().any(|d| d.is_error()) {
        diags.extend(site_diags);
        let _ = std::fs::remove_dir_all(&tmp);
        return Ok(broken(&diags));
    }
    eprint!("{shown}");
    render::diagnostics(dir, &files, &site_diags);
    diags.extend(site_diags);
    swap_in(&tmp, &old, out)?;
    println!(
        "built {} pages into {}{}",
        summary.pages,
        out.display(),
        if diags.is_empty() {
            String::new()
        } else {
            format!(" ({})", render::counts(0, diags.len()))
        }
    );
    println!("open {}", out.join("index.html").display());
    // The process ends next: freeing the model's hundreds of thousands of
    // small allocations one by one would only delay the exit.
    std::mem::forget(fw);
    std::mem::forget(files);
    Ok(0)
}

/// Writes a site's files under `root`, making each folder once; large
/// files are streamed through a buffer.
struct ToDisk<'a> {
    root: &'a Path,
    made: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
}

impl ToDisk<'_> {
    fn target(&self, path: &str) -> Result<PathBuf, String> {
        let target = self.root.join(path);
        if let Some(parent) = target.parent() {
            let known = self
                .made
                .lock()
                .map(|m| m.contains(parent))
                .unwrap_or(false);
            if !known {
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
                if let Ok(mut m) = self.made.lock() {
                    m.insert(parent.to_path_buf());
                }
            }
        }
        Ok(target)
    }
}

impl ladder_site::Output for ToDisk<'_> {
    fn write(&self, path: &str, bytes: &[u8]) -> Result<(), String> {
        let target = self.target(path)?;
        std::fs::write(&target, bytes)
            .map_err(|e| format!("cannot write {}: {e}", target.display()))
    }

    fn write_with(
        &self,
        path: &str,
        fill: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), String> {
        use std::io::Write as _;
        let target = self.target(path)?;
        let fail = |e: std::io::Error| format!("cannot write {}: {e}", target.display());
        let file = std::fs::File::create(&target).map_err(fail)?;
        let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
        fill(&mut w).map_err(fail)?;
        w.flush().map_err(fail)
    }
}
