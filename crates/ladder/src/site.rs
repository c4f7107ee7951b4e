//! `ladder build`: compile, render, and write the site in one step that
//! either fully succeeds or leaves the output folder as it was.

use crate::render;
use ladder_framework::{FileSet, compile};
use ladder_site::{MARKER, Site};
use std::path::{Path, PathBuf};

/// What came of building a framework folder.
pub enum Outcome {
    Built(Site, FileSet),
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
    Ok((Outcome::Built(site, files), diags))
}

/// Writes `site` to `out` through a sibling temporary folder and renames,
/// so a failure never leaves a half-written site. Refuses to replace a
/// folder that is neither empty nor an earlier Ladder site.
pub fn write(out: &Path, site: &Site) -> Result<(), String> {
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
    let tmp = parent.join(format!(".{name}.ladder-new-{pid}"));
    let old = parent.join(format!(".{name}.ladder-old-{pid}"));
    let _ = std::fs::remove_dir_all(&tmp);
    let result = write_tree(&tmp, site).and_then(|()| {
        if out.exists() {
            std::fs::rename(out, &old)
                .map_err(|e| format!("cannot move {} aside: {e}", out.display()))?;
        }
        std::fs::rename(&tmp, out)
            .map_err(|e| format!("cannot move the new site into {}: {e}", out.display()))
    });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
        if old.exists() && !out.exists() {
            let _ = std::fs::rename(&old, out);
        }
    }
    let _ = std::fs::remove_dir_all(&old);
    result
}

fn write_tree(root: &Path, site: &Site) -> Result<(), String> {
    let mut made = std::collections::BTreeSet::new();
    for (path, bytes) in &site.files {
        let target = root.join(path);
        if let Some(dir) = target.parent() {
            if made.insert(dir.to_path_buf()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
        }
        std::fs::write(&target, bytes)
            .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    }
    Ok(())
}

/// `ladder build DIR --out OUT`.
pub fn command(dir: &Path, out: &Path) -> Result<u8, String> {
    let (outcome, diags) = build(dir)?;
    match outcome {
        Outcome::Broken(files, diags) => {
            render::diagnostics(dir, &files, &diags);
            let errors = diags.iter().filter(|d| d.is_error()).count();
            eprintln!(
                "error: {} in {}; nothing was written",
                render::counts(errors, diags.len() - errors),
                dir.display()
            );
            Ok(crate::EXIT_ERRORS)
        }
        Outcome::Built(site, files) => {
            render::diagnostics(dir, &files, &diags);
            write(out, &site)?;
            println!(
                "built {} pages into {}{}",
                site.page_count(),
                out.display(),
                if diags.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", render::counts(0, diags.len()))
                }
            );
            println!("open {}", out.join("index.html").display());
            Ok(0)
        }
    }
}
