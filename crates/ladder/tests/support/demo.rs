//! `ladder demo` as a child process on a free 127.0.0.1 port, with the
//! logins it prints; killed when dropped.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub struct Demo {
    child: Child,
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub base: String,
    /// Every printed login: (role, email).
    pub logins: Vec<(String, String)>,
    _data: tempfile::TempDir,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Demo {
    /// The demo's data folder (its database and its framework folder).
    // Each test binary that includes this file uses only some helpers.
    #[allow(dead_code)]
    pub fn data(&self) -> &std::path::Path {
        self._data.path()
    }

    /// The email of the login printed for `role` ("engineer", "manager",
    /// "people team", "admin").
    pub fn login(&self, role: &str) -> &str {
        self.logins
            .iter()
            .find(|(r, _)| r == role)
            .map(|(_, e)| e.as_str())
            .unwrap_or_else(|| panic!("the demo printed no {role} login"))
    }
}

/// Starts `ladder demo --port 0 --data TEMP` with `args` added (e.g.
/// `--people 40`, `--database URL`) and waits for its banner.
pub fn demo(args: &[&str]) -> Demo {
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ladder"))
        .args(["demo", "--port", "0"])
        .args(args)
        .arg("--data")
        .arg(data.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut printed = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        let stop = line.starts_with("Stop with Ctrl-C");
        printed.push(line);
        if stop {
            break;
        }
    }
    let base = printed
        .first()
        .and_then(|l| l.strip_prefix("Ladder is running at "))
        .unwrap_or_else(|| panic!("the demo did not start: {printed:?}"))
        .trim_end_matches('/')
        .to_owned();
    let logins: Vec<(String, String)> = ["engineer", "manager", "people team", "admin"]
        .iter()
        .map(|role| {
            let email = printed
                .iter()
                .find_map(|l| l.trim().strip_prefix(role))
                .unwrap()
                .trim()
                .to_owned();
            ((*role).to_owned(), email)
        })
        .collect();
    Demo {
        child,
        base,
        logins,
        _data: data,
    }
}
