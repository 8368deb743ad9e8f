//! Rebuilds into an existing output on a working disk (not tmpfs): what
//! `sinfrac build` costs a developer after the first build — with nothing
//! changed, after one service is edited, and after an edit that changes every
//! service's files — each run paired with a build into an empty directory on
//! `--work` just before it, so that the ratio survives a machine whose speed
//! drifts.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::measure::{self, median};

/// The figures of one project.
#[derive(Clone, Debug, Default)]
pub struct Rebuilds {
    /// The builds into an empty directory on `--work`, one before each rebuild: median and fastest.
    pub fresh: (Duration, Duration),
    /// Nothing changed: median and fastest.
    pub unchanged: (Duration, Duration),
    /// One service edited (its file in each of the 12 stacks changes): median and fastest.
    pub one_service: (Duration, Duration),
    /// A helper every service uses edited (every service file changes): median and fastest.
    pub every_service: (Duration, Duration),
    /// Peak RSS of the rebuilds (the largest).
    pub rss: u64,
}

/// The default working-disk directory: beside the benchmark's own binary in
/// cargo's target directory (the disk the repository is on), else the system
/// temp dir.
pub fn default_dir() -> PathBuf {
    let target = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.to_path_buf()))
        .filter(|t| t.join("CACHEDIR.TAG").is_file());
    target.unwrap_or_else(std::env::temp_dir).join(format!("sinfra-bench-disk-{}", std::process::id()))
}

/// Times rebuilds of the generated project in `project` into `out` (on the
/// disk under test), `runs` of each kind, each after a build into the empty
/// directory `fresh` (on `--work`). The project's sources are edited back and
/// forth and restored afterwards.
pub fn measure(sinfrac: &Path, project: &Path, out: &Path, fresh: &Path, runs: usize) -> io::Result<Rebuilds> {
    if out.exists() {
        fs::remove_dir_all(out)?;
    }
    let build_into = |out: &Path, rss: &mut u64| -> io::Result<Duration> {
        let r = measure::run(Command::new(sinfrac).arg("build").arg(project).arg("--out").arg(out))?;
        if r.code != Some(0) {
            return Err(io::Error::other(format!("`sinfrac build {}` exited with {:?}", project.display(), r.code)));
        }
        *rss = (*rss).max(r.max_rss);
        Ok(r.wall)
    };
    let build = |rss: &mut u64| build_into(out, rss);
    let fresh_walls = std::cell::RefCell::new(Vec::new());
    let fresh_build = || -> io::Result<()> {
        if fresh.exists() {
            fs::remove_dir_all(fresh)?;
        }
        fresh_walls.borrow_mut().push(build_into(fresh, &mut 0)?);
        Ok(())
    };
    let mut rss = 0;
    build(&mut 0)?; // the first build, into an empty directory: not timed
    let timed = |edit: Option<(&Path, &str, &str)>, rss: &mut u64| -> io::Result<(Duration, Duration)> {
        let original = match edit {
            Some((file, from, _)) => {
                let text = fs::read_to_string(file)?;
                if !text.contains(from) {
                    return Err(io::Error::other(format!("`{from}` is not in {}", file.display())));
                }
                Some(text)
            }
            None => None,
        };
        let mut walls = Vec::new();
        for i in 0..runs.max(1) {
            // Every run changes the files: the edit, then back, and so on.
            if let (Some((file, from, to)), Some(text)) = (edit, &original) {
                fs::write(file, if i % 2 == 0 { text.replace(from, to) } else { text.clone() })?;
            }
            fresh_build()?;
            walls.push(build(rss)?);
        }
        if let (Some((file, _, _)), Some(text)) = (edit, original) {
            fs::write(file, text)?;
            build(&mut 0)?; // back to the original output
        }
        let min = walls.iter().copied().min().unwrap_or_default();
        Ok((median(walls), min))
    };
    let unchanged = timed(None, &mut rss)?;
    let group = project.join("services/group_0000.sinfra");
    let one_service = timed(Some((&group, "BATCH_SIZE    = \"100\"", "BATCH_SIZE    = \"101\"")), &mut rss)?;
    let lib = project.join("lib.sinfra");
    let every_service =
        timed(Some((&lib, "let domain = \"synth.internal\"", "let domain = \"synth2.internal\"")), &mut rss)?;
    if fresh.exists() {
        fs::remove_dir_all(fresh)?;
    }
    let fresh_walls = fresh_walls.into_inner();
    let fresh = (median(fresh_walls.clone()), fresh_walls.iter().copied().min().unwrap_or_default());
    Ok(Rebuilds { fresh, unchanged, one_service, every_service, rss })
}
