//! The compiler's input: a set of files by relative path. Reading them from
//! disk (or from a git revision) is the caller's job.

use std::collections::BTreeMap;

/// The contents of a framework directory, keyed by `/`-separated relative path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileSet {
    files: BTreeMap<String, FileContent>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum FileContent {
    Text(String),
    /// Bytes that are not UTF-8; the byte offset of the first bad sequence.
    NotUtf8(usize),
}

impl FileSet {
    pub fn new() -> FileSet {
        FileSet::default()
    }

    /// Adds a file. Backslashes in the path become `/` and a leading `./` is dropped.
    pub fn insert(&mut self, path: &str, bytes: Vec<u8>) {
        let content = match String::from_utf8(bytes) {
            Ok(text) => FileContent::Text(text),
            Err(e) => FileContent::NotUtf8(e.utf8_error().valid_up_to()),
        };
        self.files.insert(normalize(path), content);
    }

    /// Adds a text file.
    pub fn insert_text(&mut self, path: &str, text: impl Into<String>) {
        self.files
            .insert(normalize(path), FileContent::Text(text.into()));
    }

    /// The text of a file, if present and valid UTF-8.
    pub fn text(&self, path: &str) -> Option<&str> {
        match self.files.get(path) {
            Some(FileContent::Text(t)) => Some(t),
            _ => None,
        }
    }

    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// Every path, sorted.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Files that are not valid UTF-8, with the offset of the first bad byte.
    pub fn invalid_utf8(&self) -> impl Iterator<Item = (&str, usize)> {
        self.files.iter().filter_map(|(p, c)| match c {
            FileContent::NotUtf8(at) => Some((p.as_str(), *at)),
            FileContent::Text(_) => None,
        })
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

fn normalize(path: &str) -> String {
    let p = path.replace('\\', "/");
    p.strip_prefix("./").unwrap_or(&p).to_owned()
}
