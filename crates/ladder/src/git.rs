//! Reading a framework as it was at a git revision, with gix (no `git`
//! process is started).

use ladder_framework::FileSet;
use std::path::Path;

/// The framework files at `rev` of the repository containing `path`. When
/// `path` is a folder inside the work tree, only the files below it are
/// read, with paths relative to it, just as `load::framework_dir` would.
pub fn framework_at(path: &Path, rev: &str) -> Result<FileSet, String> {
    let repo = gix::discover(path)
        .map_err(|e| format!("{} is not inside a git repository: {e}", path.display()))?;
    let prefix = match repo.workdir() {
        Some(root) => {
            let abs = std::fs::canonicalize(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let root = std::fs::canonicalize(root)
                .map_err(|e| format!("cannot read {}: {e}", root.display()))?;
            let rel = abs.strip_prefix(&root).map_err(|e| e.to_string())?;
            let mut p = rel.to_string_lossy().replace('\\', "/");
            if !p.is_empty() {
                p.push('/');
            }
            p
        }
        None => String::new(),
    };
    let id = repo
        .rev_parse_single(rev)
        .map_err(|e| format!("cannot find revision `{rev}` in {}: {e}", path.display()))?;
    let tree = id
        .object()
        .map_err(|e| format!("cannot read revision `{rev}`: {e}"))?
        .peel_to_tree()
        .map_err(|e| format!("revision `{rev}` has no tree: {e}"))?;
    let entries = tree
        .traverse()
        .breadthfirst
        .files()
        .map_err(|e| format!("cannot list the files of `{rev}`: {e}"))?;
    let mut files = FileSet::new();
    for e in entries {
        if !e.mode.is_blob() {
            continue;
        }
        let full = String::from_utf8_lossy(&e.filepath).into_owned();
        let Some(rel) = full.strip_prefix(&prefix) else {
            continue;
        };
        // The same files `load::framework_dir` reads from a folder.
        let (dirs, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        let skipped = dirs
            .split('/')
            .any(|d| !d.is_empty() && crate::load::skipped_dir(d));
        if skipped || !crate::load::is_framework_file(name) {
            continue;
        }
        let blob = repo
            .find_object(e.oid)
            .map_err(|err| format!("cannot read {full} at `{rev}`: {err}"))?;
        files.insert(rel, blob.data.clone());
    }
    if files.is_empty() {
        return Err(format!(
            "revision `{rev}` has no framework files under `{}`",
            if prefix.is_empty() {
                "."
            } else {
                prefix.trim_end_matches('/')
            }
        ));
    }
    Ok(files)
}
