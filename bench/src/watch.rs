//! `sinfra-bench watch`: `sinfrac build --watch` through its real binary on a
//! generated project — one service edited, then the time until its files are
//! rewritten (p50/p95), split as the watcher reports it: checking and
//! rendering (salsa re-validating and re-running what the edit touched) and
//! writing the changed files.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::generate;

/// What to measure.
pub struct Settings {
    /// Services in the generated project.
    pub services: usize,
    /// Edits timed.
    pub edits: usize,
    /// The `sinfrac` binary.
    pub sinfrac: PathBuf,
    /// Where the project is generated.
    pub work: PathBuf,
    /// The output directory (default: the project's `deploy`, under `work`).
    pub out: Option<PathBuf>,
}

fn percentile(mut xs: Vec<Duration>, p: f64) -> Duration {
    xs.sort();
    let i = ((xs.len() as f64 - 1.0) * p).round() as usize;
    xs.get(i).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// `rebuilt in X ms (checked and rendered in Y ms): N files written, …` → (X, Y, N);
/// older watchers print no Y (then it is `None`).
fn parse_rebuilt(line: &str) -> Option<(Duration, Option<Duration>, usize)> {
    let ms = |t: &str| t.trim().parse::<f64>().ok().map(|x| Duration::from_secs_f64(x / 1e3));
    let rest = line.split("rebuilt in ").nth(1)?;
    let (total, rest) = rest.split_once(" ms")?;
    let checked = rest.split("checked and rendered in ").nth(1).and_then(|r| ms(r.split(" ms").next()?));
    let written = rest.split(" files written").next()?.rsplit(' ').next()?;
    Some((ms(total)?, checked, written.parse().ok()?))
}

/// The watcher's peak resident memory, from `/proc` (Linux).
fn peak_rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 =
        status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?.trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb / 1024.0)
}

/// Runs the measurements and prints a table.
pub fn run(s: &Settings) -> std::io::Result<()> {
    let project = s.work.join("project");
    generate::write_project(&project, s.services, generate::DEFAULT_PER_FILE)?;
    let out = s.out.clone().unwrap_or_else(|| project.join("deploy"));
    // Run in the project: a relative path to the binary would be taken relative to it.
    let sinfrac = std::fs::canonicalize(&s.sinfrac)?;
    let mut child = Command::new(sinfrac)
        .args(["build", "--watch", "--out"])
        .arg(&out)
        .current_dir(&project)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let stderr = child.stderr.take().expect("piped");
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let wait_for = |needle: &str| -> std::io::Result<String> {
        loop {
            match lines.recv_timeout(Duration::from_secs(300)) {
                Ok(line) if line.contains(needle) => return Ok(line),
                Ok(line) if line.contains("error") => return Err(std::io::Error::other(line)),
                Ok(_) => {}
                Err(_) => return Err(std::io::Error::other(format!("no `{needle}` from sinfrac --watch"))),
            }
        }
    };
    /// Wall times from save, the watcher's totals, its checking and its writing; files per edit.
    type Timings = (Vec<Duration>, Vec<Duration>, Vec<Duration>, Vec<Duration>, usize);
    let result = (|| -> std::io::Result<Timings> {
        wait_for("watching")?;
        let file = project.join("services/group_0000.sinfra");
        let text = std::fs::read_to_string(&file)?;
        let (from, to) = ("BATCH_SIZE    = \"100\"", "BATCH_SIZE    = \"101\"");
        let (mut walls, mut totals, mut checked, mut writes) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut written = 0;
        for i in 0..s.edits.max(1) {
            std::thread::sleep(Duration::from_millis(200));
            let edited = if i % 2 == 0 { text.replace(from, to) } else { text.clone() };
            let saved = Instant::now();
            std::fs::write(&file, edited)?;
            let line = wait_for("rebuilt in")?;
            walls.push(saved.elapsed());
            let (total, check, n) =
                parse_rebuilt(&line).ok_or_else(|| std::io::Error::other(format!("unexpected line: {line}")))?;
            totals.push(total);
            if let Some(check) = check {
                checked.push(check);
                writes.push(total.saturating_sub(check));
            }
            written = n;
        }
        std::fs::write(&file, &text)?;
        Ok((walls, totals, checked, writes, written))
    })();
    let peak = peak_rss_mib(child.id());
    let _ = child.kill();
    let _ = child.wait();
    let (walls, totals, checked, writes, written) = result?;
    println!(
        "\n`sinfrac build --watch`, N={}: one service edited ({written} files rewritten), {} edits\n",
        s.services, s.edits
    );
    println!("| measurement | p50 | p95 |\n|---|--:|--:|");
    for (what, xs) in [
        ("saved → files rewritten (as the editor sees it; includes the 15 ms settle)", walls),
        ("the watcher's own: change seen → files rewritten", totals),
        ("… of which checking and rendering", checked),
        ("… of which writing (judging, staging, committing)", writes),
    ] {
        if !xs.is_empty() {
            println!("| {what} | {} | {} |", ms(percentile(xs.clone(), 0.5)), ms(percentile(xs, 0.95)));
        }
    }
    if let Some(peak) = peak {
        println!("\nPeak resident memory of the watcher: {peak:.1} MiB");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebuilt_lines_parse() {
        let (t, c, n) =
            parse_rebuilt("rebuilt in 45.3 ms (checked and rendered in 40.1 ms): 12 files written, 0 removed").unwrap();
        assert_eq!((t.as_micros(), c.map(|c| c.as_micros()), n), (45_300, Some(40_100), 12));
        let (t, c, n) = parse_rebuilt("rebuilt in 116 ms: 12 files written, 0 removed").unwrap();
        assert_eq!((t.as_millis(), c, n), (116, None, 12));
    }
}
