//! Reading a framework directory into a FileSet, and writing files back.

use ladder_framework::FileSet;
use std::path::Path;

/// Files larger than this are refused rather than read.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Folders a framework never has content in: hidden ones, build output.
pub fn skipped_dir(name: &str) -> bool {
    name.starts_with('.') || name == "target" || name == "node_modules"
}

/// Whether a file name is one the framework is read from.
pub fn is_framework_file(name: &str) -> bool {
    [".md", ".yaml", ".yml"].iter().any(|e| name.ends_with(e))
}

/// Reads every `.md`, `.yaml` and `.yml` file under `dir`, skipping hidden
/// folders and `target/`.
pub fn framework_dir(dir: &Path) -> Result<FileSet, String> {
    let meta = std::fs::metadata(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    if !meta.is_dir() {
        return Err(format!(
            "{} is not a directory; give the framework's root folder (the one with ladder.yaml)",
            dir.display()
        ));
    }
    let mut files = FileSet::new();
    walk(dir, dir, &mut files)?;
    Ok(files)
}

fn walk(root: &Path, dir: &Path, files: &mut FileSet) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut entries: Vec<_> = entries
        .collect::<Result<_, _>>()
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = entry
            .file_type()
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if kind.is_dir() {
            if !skipped_dir(&name) {
                walk(root, &path, files)?;
            }
            continue;
        }
        if !kind.is_file() || !is_framework_file(&name) {
            continue;
        }
        let size = entry
            .metadata()
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?
            .len();
        if size > MAX_FILE_BYTES {
            return Err(format!(
                "{} is {size} bytes, larger than the {MAX_FILE_BYTES}-byte limit for a framework file",
                path.display()
            ));
        }
        let bytes =
            std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let rel = path
            .strip_prefix(root)
            .map_err(|e| e.to_string())?
            .to_string_lossy()
            .replace('\\', "/");
        files.insert(&rel, bytes);
    }
    Ok(())
}

/// Writes through a temporary file and a rename, so a failure never leaves
/// a half-written file.
pub fn write_atomically(target: &Path, text: &str) -> Result<(), String> {
    let tmp = target.with_extension("md.ladder-tmp");
    std::fs::write(&tmp, text).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, target).map_err(|e| format!("cannot replace {}: {e}", target.display()))
}

/// Creates the parent folders, then writes the file atomically.
pub fn write_file(target: &Path, bytes: &[u8]) -> Result<(), String> {
    write_with_mode(target, bytes, 0o644)
}

/// Like [`write_file`], but readable by its owner alone (mode 0600): for
/// backups, which hold every person's data, private notes and password
/// hashes.
pub fn write_private(target: &Path, bytes: &[u8]) -> Result<(), String> {
    write_with_mode(target, bytes, 0o600)
}

fn write_with_mode(target: &Path, bytes: &[u8], mode: u32) -> Result<(), String> {
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".ladder-tmp");
    let tmp = target.with_file_name(name);
    let _ = std::fs::remove_file(&tmp);
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = open
        .open(&tmp)
        .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    std::io::Write::write_all(&mut file, bytes)
        .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    drop(file);
    std::fs::rename(&tmp, target).map_err(|e| format!("cannot replace {}: {e}", target.display()))
}
