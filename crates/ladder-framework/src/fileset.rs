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

    /// The text files as one JSON object, `{"path": "text"}`: how a
    /// framework release is stored. Files that are not UTF-8 are left out
    /// (they never compile).
    pub fn to_json(&self) -> String {
        let map: BTreeMap<&str, &str> = self
            .paths()
            .filter_map(|p| Some((p, self.text(p)?)))
            .collect();
        serde_json::to_string(&map).unwrap_or_default()
    }

    /// The files of [`FileSet::to_json`]'s object.
    pub fn from_json(json: &str) -> Result<FileSet, String> {
        let map: BTreeMap<String, String> = serde_json::from_str(json)
            .map_err(|e| format!("stored framework files do not read: {e}"))?;
        let mut files = FileSet::new();
        for (path, text) in map {
            files.insert_text(&path, text);
        }
        Ok(files)
    }
}

fn normalize(path: &str) -> String {
    let p = path.replace('\\', "/");
    p.strip_prefix("./").unwrap_or(&p).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trips_the_text_files() {
        let mut f = FileSet::new();
        f.insert_text("ladder.yaml", "name: x\n");
        f.insert_text("layers/a.md", "- A \"quoted\" line.\n");
        f.insert("bad.md", vec![0xff, 0xfe]);
        let back = FileSet::from_json(&f.to_json()).unwrap();
        assert_eq!(
            back.paths().collect::<Vec<_>>(),
            ["ladder.yaml", "layers/a.md"]
        );
        assert_eq!(back.text("layers/a.md"), f.text("layers/a.md"));
        assert!(FileSet::from_json("[1]").is_err());
    }
}
