//! Helper processes for tests (ChromeDriver, the OpenID Connect provider,
//! the SMTP server) that stop with the test.

/// A helper process run under `timeout 600`, so it stops by itself if
/// this process dies first. `timeout` leads its own process group; dropping
/// this stops the whole group (the helper and anything it started).
pub struct Spawned(std::process::Child);

impl Spawned {
    pub fn run(program: &str, args: &[String], what: &str) -> Spawned {
        let child = std::process::Command::new("timeout")
            .arg("600")
            .arg(program)
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("could not run {program} ({what}): {e}"));
        Spawned(child)
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = std::process::Command::new("kill")
            .args(["-TERM", "--", &group])
            .status();
        let _ = self.0.wait();
    }
}
