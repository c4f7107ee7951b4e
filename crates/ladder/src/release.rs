//! `ladder framework stage`: a framework version, from a folder or a git
//! revision, stored as a release for review in the web app
//! (`/admin/framework/changes`), or published at once with `--publish`.

use crate::server::{DbArgs, cli_record, runtime};
use ladder_server::{Clock, Loaded};
use std::path::PathBuf;

#[derive(clap::Subcommand, Debug)]
pub enum FrameworkCommand {
    /// Stage a framework version: the folder DIR, or `--rev` of the git
    /// repository `--repo`. Review and publish it on
    /// /admin/framework/changes, or publish it at once with --publish.
    Stage {
        /// The framework's folder (with --repo and --rev: a folder inside
        /// the repository, default its root).
        dir: Option<PathBuf>,
        /// A git repository to read the version from, at --rev.
        #[arg(long, requires = "rev", value_name = "PATH")]
        repo: Option<PathBuf>,
        /// The revision to read (a commit, tag or branch).
        #[arg(long, requires = "repo", value_name = "REV")]
        rev: Option<String>,
        /// Make it live at once, on every server.
        #[arg(long)]
        publish: bool,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// `ladder framework …`.
pub fn framework(cmd: FrameworkCommand, clock: &dyn Clock) -> Result<u8, String> {
    let now = clock.now();
    let FrameworkCommand::Stage {
        dir,
        repo,
        rev,
        publish,
        db,
    } = cmd;
    let (files, source) = match (&repo, &rev) {
        (Some(repo), Some(rev)) => {
            let at = match &dir {
                Some(d) => repo.join(d),
                None => repo.clone(),
            };
            (
                crate::git::framework_at(&at, rev)?,
                format!("{} at {rev}", at.display()),
            )
        }
        _ => {
            let dir = dir.ok_or("give the framework's folder, or --repo PATH --rev REV")?;
            (crate::load::framework_dir(&dir)?, dir.display().to_string())
        }
    };
    let loaded = Loaded::from_files(&files)?;
    runtime()?.block_on(async move {
        let store = db.open().await?;
        let err = |e: ladder_store::StoreError| e.to_string();
        let short: String = loaded.hash.chars().take(12).collect();
        let live = store.live_framework().await.map_err(err)?;
        if live.as_ref().is_some_and(|(_, h)| *h == loaded.hash) {
            println!("{source} ({short}) is the live version already; nothing was staged.");
            return Ok(0);
        }
        let data = |release: Option<i64>| {
            serde_json::json!({
                "hash": loaded.hash,
                "source": source,
                "release": release,
                "previous": live.as_ref().map(|(id, _)| *id),
            })
        };
        let detail = format!("{short} from {source}");
        let id = store
            .stage_framework(
                &loaded.release(&source, None, now),
                &cli_record(now, "framework.stage", &detail).data(data(None)),
            )
            .await
            .map_err(err)?;
        if publish {
            store
                .publish_framework(
                    id,
                    None,
                    now,
                    &cli_record(now, "framework.publish", &format!("release {id}"))
                        .data(data(Some(id))),
                )
                .await
                .map_err(err)?;
            println!(
                "Published release {id} ({short}, {}): every server serves it from its next request.",
                loaded.summary
            );
        } else {
            println!(
                "Staged release {id} ({short}, {}). Review and publish it on /admin/framework/changes.",
                loaded.summary
            );
        }
        Ok(0)
    })
}
