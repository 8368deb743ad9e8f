//! `sinfra-bench run`: generates projects, times whole-process `sinfrac check`
//! and `sinfrac build`, and the in-process check phases.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::disk;
use crate::generate;
use crate::inproc;
use crate::measure::{self, median};

/// Settings of a benchmark run.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Numbers of services to generate projects with.
    pub sizes: Vec<usize>,
    /// The `sinfrac` binary to time.
    pub sinfrac: PathBuf,
    /// Timed runs per measurement (the median is reported).
    pub runs: usize,
    /// Services per generated file.
    pub per_file: usize,
    /// The example project to time as well, if it exists.
    pub example: Option<PathBuf>,
    /// Where generated projects go (and the builds timed into an empty output).
    pub work: PathBuf,
    /// Where rebuilds into an existing output are timed: a directory on the
    /// working disk (`None`: not timed).
    pub disk: Option<PathBuf>,
    /// Keep the generated projects and outputs.
    pub keep: bool,
}

/// The figures of one project.
#[derive(Clone, Debug, Default)]
pub struct Row {
    /// `acme` or `N=1000`.
    pub label: String,
    /// `.sinfra` files (stdlib excluded) and their total bytes.
    pub files: usize,
    /// Source bytes of the `.sinfra` files.
    pub source_bytes: usize,
    /// Median wall time of `sinfrac check`.
    pub check_wall: Duration,
    /// Fastest `sinfrac check`.
    pub check_min: Duration,
    /// Peak RSS of `sinfrac check` (largest over the runs).
    pub check_rss: u64,
    /// Median wall time of `sinfrac build`.
    pub build_wall: Duration,
    /// Fastest `sinfrac build`.
    pub build_min: Duration,
    /// Peak RSS of `sinfrac build` (largest over the runs).
    pub build_rss: u64,
    /// Bytes written by `build`.
    pub out_bytes: u64,
    /// Files written by `build`.
    pub out_files: usize,
    /// YAML documents written by `build`.
    pub documents: usize,
    /// In-process: syntax + names (median).
    pub static_check: Duration,
    /// In-process: `project_diagnostics` on one thread (median).
    pub full_check: Duration,
    /// In-process: `warm` on all cores, then `project_diagnostics`, as `sinfrac check` (median).
    pub full_check_parallel: Duration,
    /// In-process: check, then render every file in memory (median).
    pub render: Duration,
    /// Diagnostics reported by `project_diagnostics`.
    pub diagnostics: usize,
    /// Median wall time of `sinfrac build --stack <first stack>`.
    pub stack_build_wall: Duration,
    /// In-process, after a full check: one service edited, its file's diagnostics (median).
    pub edit_file: Duration,
    /// In-process, after a full check: one service edited, every diagnostic again (median).
    pub edit_project: Duration,
    /// Rebuilds into an existing output on the working disk (generated projects only).
    pub disk: Option<disk::Rebuilds>,
}

/// Runs the benchmark and prints the tables.
pub fn run(settings: &Settings) -> io::Result<Vec<Row>> {
    if !settings.sinfrac.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "no sinfrac binary at {} (build it: cargo build --release -p sinfrac, or pass --sinfrac)",
                settings.sinfrac.display()
            ),
        ));
    }
    fs::create_dir_all(&settings.work)?;
    let mut rows = Vec::new();
    if let Some(example) = settings.example.as_deref().filter(|p| p.join("sinfra.toml").is_file()) {
        let name = example.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        eprintln!("timing {name} …");
        rows.push(measure_project(settings, &name, example)?);
    }
    for &n in &settings.sizes {
        let dir = settings.work.join(format!("n{n}"));
        eprintln!("generating N={n} into {} …", dir.display());
        generate::write_project(&dir, n, settings.per_file)?;
        // Before the in-process timings: a child's peak RSS counts this process's
        // memory at the spawn (Linux keeps the larger high-water mark across exec).
        let disk = match &settings.disk {
            Some(disk_dir) => {
                eprintln!("rebuilding N={n} into {} …", disk_dir.display());
                let out = disk_dir.join(format!("out-n{n}"));
                let fresh = settings.work.join(format!("out-n{n}-fresh"));
                let rebuilds = disk::measure(&settings.sinfrac, &dir, &out, &fresh, settings.runs)?;
                if !settings.keep {
                    fs::remove_dir_all(&out)?;
                }
                Some(rebuilds)
            }
            None => None,
        };
        let mut row = measure_project(settings, &format!("N={n}"), &dir)?;
        row.disk = disk;
        if row.documents != generate::expected_documents(n) {
            eprintln!("warning: N={n} wrote {} documents, expected {}", row.documents, generate::expected_documents(n));
        }
        row.label = format!("N={n}");
        rows.push(row);
    }
    if !settings.keep {
        for &n in &settings.sizes {
            let _ = fs::remove_dir_all(settings.work.join(format!("n{n}")));
        }
        let _ = fs::remove_dir(&settings.work);
        if let Some(disk_dir) = &settings.disk {
            let _ = fs::remove_dir(disk_dir);
        }
    }
    print!("{}", table(&rows, settings.runs));
    if let Some(disk_dir) = &settings.disk {
        print!("{}", disk_table(&rows, settings.runs, disk_dir));
    }
    Ok(rows)
}

fn measure_project(settings: &Settings, label: &str, dir: &Path) -> io::Result<Row> {
    let sources = inproc::load(dir)?;
    let mut row = Row {
        label: label.to_string(),
        files: sources.files.len(),
        source_bytes: sources.files.iter().map(|(_, t)| t.len()).sum(),
        ..Row::default()
    };
    // A run whose output is shown when the project does not check clean.
    let first = Command::new(&settings.sinfrac).arg("check").arg(dir).output()?;
    if !first.status.success() {
        return Err(io::Error::other(format!(
            "`sinfrac check {}` failed:\n{}{}",
            dir.display(),
            String::from_utf8_lossy(&first.stdout),
            String::from_utf8_lossy(&first.stderr)
        )));
    }
    let runs = settings.runs.max(1);
    let mut walls = Vec::new();
    for _ in 0..runs {
        let r = measure::run(Command::new(&settings.sinfrac).arg("check").arg(dir))?;
        check_exit(&r, "check", dir)?;
        walls.push(r.wall);
        row.check_rss = row.check_rss.max(r.max_rss);
    }
    row.check_min = walls.iter().copied().min().unwrap_or_default();
    row.check_wall = median(walls);

    let out = settings.work.join(format!("out-{label}").replace('=', ""));
    let mut walls = Vec::new();
    for _ in 0..runs {
        if out.exists() {
            fs::remove_dir_all(&out)?;
        }
        let r = measure::run(Command::new(&settings.sinfrac).arg("build").arg(dir).arg("--out").arg(&out))?;
        check_exit(&r, "build", dir)?;
        walls.push(r.wall);
        row.build_rss = row.build_rss.max(r.max_rss);
    }
    row.build_min = walls.iter().copied().min().unwrap_or_default();
    row.build_wall = median(walls);
    if let Some(stack) = first_stack(dir) {
        let one = settings.work.join(format!("out-{label}-one").replace('=', ""));
        let mut walls = Vec::new();
        for _ in 0..runs {
            if one.exists() {
                fs::remove_dir_all(&one)?;
            }
            let r = measure::run(
                Command::new(&settings.sinfrac).arg("build").arg(dir).arg("--out").arg(&one).arg("--stack").arg(&stack),
            )?;
            check_exit(&r, "build --stack", dir)?;
            walls.push(r.wall);
        }
        row.stack_build_wall = median(walls);
        let _ = fs::remove_dir_all(&one);
    }
    let (files, bytes, docs) = output_stats(&out)?;
    row.out_files = files;
    row.out_bytes = bytes;
    row.documents = docs;
    if !settings.keep {
        fs::remove_dir_all(&out)?;
    }

    let mut statics = Vec::new();
    let mut fulls = Vec::new();
    let mut parallels = Vec::new();
    let mut renders = Vec::new();
    let mut edit_files = Vec::new();
    let mut edit_projects = Vec::new();
    for _ in 0..runs {
        let (file, project) = inproc::edit_one_service(&sources);
        edit_files.push(file);
        edit_projects.push(project);
        statics.push(inproc::syntax_and_names(&sources).0);
        let (t, n) = inproc::full_check(&sources, false);
        fulls.push(t);
        row.diagnostics = n;
        parallels.push(inproc::full_check(&sources, true).0);
        renders.push(inproc::build(&sources).0);
    }
    row.static_check = median(statics);
    row.full_check = median(fulls);
    row.full_check_parallel = median(parallels);
    row.render = median(renders);
    row.edit_file = median(edit_files);
    row.edit_project = median(edit_projects);
    Ok(row)
}

/// The first stack declared in the project's `platform.sinfra` (`stack NAME {`), if any.
fn first_stack(dir: &Path) -> Option<String> {
    let text = fs::read_to_string(dir.join("platform.sinfra")).ok()?;
    text.lines().find_map(|l| l.trim_start().strip_prefix("stack ")?.split_whitespace().next().map(str::to_string))
}

fn check_exit(r: &measure::Run, what: &str, dir: &Path) -> io::Result<()> {
    if r.code == Some(0) {
        Ok(())
    } else {
        Err(io::Error::other(format!("`sinfrac {what} {}` exited with {:?}", dir.display(), r.code)))
    }
}

/// Files, bytes and YAML documents (`---` lines) below `dir`.
pub fn output_stats(dir: &Path) -> io::Result<(usize, u64, usize)> {
    let mut files = 0;
    let mut bytes = 0;
    let mut docs = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                let text = fs::read_to_string(&path)?;
                files += 1;
                bytes += text.len() as u64;
                docs += text.lines().filter(|l| *l == "---").count();
            }
        }
    }
    Ok((files, bytes, docs))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn mib(b: u64) -> String {
    format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0))
}

/// The result tables as Markdown.
pub fn table(rows: &[Row], runs: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "\nWhole process (`sinfrac`, median of {runs} runs; min in parentheses; RSS = peak)\n");
    let _ = writeln!(
        s,
        "| project | files | source | check | check RSS | build | build RSS | output | files out | documents |"
    );
    let _ = writeln!(s, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for r in rows {
        let _ = writeln!(
            s,
            "| {} | {} | {:.0} KiB | {} ({}) | {} | {} ({}) | {} | {} | {} | {} |",
            r.label,
            r.files,
            r.source_bytes as f64 / 1024.0,
            ms(r.check_wall),
            ms(r.check_min),
            mib(r.check_rss),
            ms(r.build_wall),
            ms(r.build_min),
            mib(r.build_rss),
            mib(r.out_bytes),
            r.out_files,
            r.documents
        );
    }
    let _ = writeln!(s, "\nIn process (`sinfra-compiler`, fresh database, median of {runs} runs)\n");
    let _ = writeln!(
        s,
        "| project | syntax + names | all diagnostics, 1 thread | all diagnostics, warm on all cores | build, no disk (`emit::build_project`) | diagnostics |"
    );
    let _ = writeln!(s, "|---|--:|--:|--:|--:|--:|");
    for r in rows {
        let (st, full, par, render) = (ms(r.static_check), ms(r.full_check), ms(r.full_check_parallel), ms(r.render));
        let _ = writeln!(s, "| {} | {st} | {full} | {par} | {render} | {} |", r.label, r.diagnostics);
    }
    let _ = writeln!(s, "\nOne stack, and one edit (median of {runs} runs)\n");
    let _ = writeln!(
        s,
        "| project | `build --stack <first>` | share of a full build | one service edited: its file's diagnostics | one service edited: all diagnostics |"
    );
    let _ = writeln!(s, "|---|--:|--:|--:|--:|");
    for r in rows {
        let share = r.stack_build_wall.as_secs_f64() / r.build_wall.as_secs_f64().max(1e-9);
        let _ = writeln!(
            s,
            "| {} | {} | {:.2} | {} | {} |",
            r.label,
            ms(r.stack_build_wall),
            share,
            ms(r.edit_file),
            ms(r.edit_project)
        );
    }
    s
}

/// The rebuilds into an existing output, beside the builds into an empty one on
/// `--work` paired with them.
pub fn disk_table(rows: &[Row], runs: usize, dir: &Path) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\nRebuild into an existing output on the working disk (`{}`), each run after a build into an empty \
         directory on `--work` (median of {runs} runs of each kind, min in parentheses; the sources on `--work`)\n",
        dir.display()
    );
    let _ = writeln!(
        s,
        "| project | build into an empty output (`--work`) | rebuild, nothing changed | rebuild, one service edited | rebuild, every service's files changed | rebuild RSS | nothing changed ÷ build | one service edited ÷ build | every file ÷ build |"
    );
    let _ = writeln!(s, "|---|--:|--:|--:|--:|--:|--:|--:|--:|");
    for r in rows {
        let Some(d) = &r.disk else { continue };
        let ratio = |x: Duration| x.as_secs_f64() / d.fresh.0.as_secs_f64().max(1e-9);
        let _ = writeln!(
            s,
            "| {} | {} ({}) | {} ({}) | {} ({}) | {} ({}) | {} | {:.2} | {:.2} | {:.2} |",
            r.label,
            ms(d.fresh.0),
            ms(d.fresh.1),
            ms(d.unchanged.0),
            ms(d.unchanged.1),
            ms(d.one_service.0),
            ms(d.one_service.1),
            ms(d.every_service.0),
            ms(d.every_service.1),
            mib(d.rss),
            ratio(d.unchanged.0),
            ratio(d.one_service.0),
            ratio(d.every_service.0)
        );
    }
    s
}
