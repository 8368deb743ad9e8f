//! `sinfrac fmt [--check] [PATH…]`: rewrites `.sinfra` files in the one
//! canonical layout (`sinfra_syntax::format`).
//!
//! Without a path, every source of the project at `.` (found as the loader
//! finds them, confined to the root); a directory means the sources below it
//! (of its project when it is inside one); a file means that file; `-` reads
//! standard input and writes standard output. Files are rewritten
//! atomically (a temporary file renamed over the original). A file with a
//! syntax error is left untouched and reported as `path:line:col`.
//!
//! Exit codes: 0 nothing to do or everything formatted; 1 with `--check`
//! when a file would change; 2 a syntax error, or usage or I/O errors (1
//! means "would change" here, so errors take 2, like `ruff format`).

use std::fs;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use miette::{IntoDiagnostic, Result, WrapErr, miette};
use sinfra_compiler::encoding::decode;
use sinfra_syntax::format;

use crate::loader::{self, Read};

/// One source to format: where it is read and written, and how it is shown.
struct Target {
    path: PathBuf,
    shown: String,
    /// Project root and relative path when it is read through the loader's confinement.
    confined: Option<(PathBuf, String)>,
}

/// What happened to the sources, for the exit code and the summary.
#[derive(Default)]
struct Tally {
    seen: usize,
    changed: usize,
    errors: usize,
}

/// Runs `fmt` on `paths` (the project at `.` when empty).
pub fn run(paths: &[PathBuf], check: bool) -> Result<ExitCode> {
    if paths.iter().any(|p| p.as_os_str() == "-") {
        if paths.len() > 1 {
            return Err(miette!("`-` (standard input) cannot be combined with other paths"));
        }
        return stdin(check);
    }
    let mut targets = Vec::new();
    let mut tally = Tally::default();
    let cwd = PathBuf::from(".");
    let paths: Vec<&Path> =
        if paths.is_empty() { vec![cwd.as_path()] } else { paths.iter().map(|p| p.as_path()).collect() };
    let explicit_dirs = paths.len() > 1 || !paths.is_empty() && paths[0] != cwd.as_path();
    for path in paths {
        collect(path, explicit_dirs, &mut targets, &mut tally)?;
    }
    for target in &targets {
        format_one(target, check, &mut tally)?;
    }
    if tally.changed > 0 {
        let verb = if check { "would reformat" } else { "reformatted" };
        let files = if tally.changed == 1 { "file" } else { "files" };
        eprintln!("{verb} {} {files} of {}", tally.changed, tally.seen);
    }
    Ok(if tally.errors > 0 {
        ExitCode::from(2)
    } else if check && tally.changed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The sources `path` names.
fn collect(path: &Path, explicit: bool, targets: &mut Vec<Target>, tally: &mut Tally) -> Result<()> {
    if path.is_file() {
        targets.push(Target { path: path.to_path_buf(), shown: path.display().to_string(), confined: None });
        return Ok(());
    }
    if !path.is_dir() {
        return Err(miette!("cannot open `{}`: no such file or directory", path.display()));
    }
    let dir = fs::canonicalize(path).into_diagnostic().wrap_err_with(|| format!("cannot open `{}`", path.display()))?;
    // Inside a project: its sources below `dir`; elsewhere (only when named) the directory itself.
    let root = match loader::find_root(&dir) {
        Ok(root) => root,
        Err(e) if !explicit => return Err(e),
        Err(_) => dir.clone(),
    };
    let (files, problems) = loader::source_files(&root)?;
    for p in problems {
        eprintln!("{}: {}", p.location().path, p.message);
        tally.errors += 1;
    }
    let prefix = loader::relative(&root, &dir).unwrap_or_default();
    for rel in files {
        if prefix.is_empty() || rel == prefix || rel.starts_with(&format!("{prefix}/")) {
            let shown = shown_path(path, &prefix, &rel);
            targets.push(Target { path: root.join(&rel), shown, confined: Some((root.clone(), rel)) });
        }
    }
    Ok(())
}

/// `rel` (project-relative) as seen from the directory the user named.
fn shown_path(named: &Path, prefix: &str, rel: &str) -> String {
    let below = if prefix.is_empty() { rel } else { rel.strip_prefix(prefix).unwrap_or(rel).trim_start_matches('/') };
    if named == Path::new(".") { below.to_string() } else { named.join(below).display().to_string() }
}

/// Reads, formats and (unless `check`) rewrites one source.
fn format_one(target: &Target, check: bool, tally: &mut Tally) -> Result<()> {
    let text = match &target.confined {
        Some((root, rel)) => match loader::read_source(root, rel).into_diagnostic()? {
            Read::Text(text) => text,
            Read::Missing => return Ok(()),
            Read::Rejected(diag, _) => {
                eprintln!("{}: {}", target.shown, diag.message);
                tally.errors += 1;
                return Ok(());
            }
        },
        None => {
            let bytes =
                fs::read(&target.path).into_diagnostic().wrap_err_with(|| format!("cannot read `{}`", target.shown))?;
            match decode(&target.shown, bytes) {
                Ok(text) => text,
                Err(bad) => {
                    eprintln!("{}: {}", target.shown, bad.diagnostic.message);
                    tally.errors += 1;
                    return Ok(());
                }
            }
        }
    };
    tally.seen += 1;
    let formatted = match format(&text) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{}:{e}", target.shown);
            eprintln!("  (left unchanged; `sinfrac check` shows every error)");
            tally.errors += 1;
            return Ok(());
        }
    };
    if formatted == text {
        return Ok(());
    }
    tally.changed += 1;
    if check {
        outln!("{}", target.shown);
    } else {
        write_atomically(&target.path, &formatted).wrap_err_with(|| format!("cannot write `{}`", target.shown))?;
    }
    Ok(())
}

/// Writes `text` to a temporary file beside `path`, then renames it over `path`.
fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let target = fs::canonicalize(path).into_diagnostic()?;
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = target.with_file_name(format!(".{name}.sinfrac-fmt-{}", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        if let Ok(meta) = fs::metadata(&target) {
            fs::set_permissions(&tmp, meta.permissions())?;
        }
        fs::rename(&tmp, &target)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.into_diagnostic()
}

/// `-`: standard input to standard output.
fn stdin(check: bool) -> Result<ExitCode> {
    let mut bytes = Vec::new();
    std::io::stdin().read_to_end(&mut bytes).into_diagnostic().wrap_err("cannot read standard input")?;
    let text = match decode("<stdin>", bytes) {
        Ok(text) => text,
        Err(bad) => {
            eprintln!("<stdin>: {}", bad.diagnostic.message);
            return Ok(ExitCode::from(2));
        }
    };
    match format(&text) {
        Err(e) => {
            eprintln!("<stdin>:{e}");
            Ok(ExitCode::from(2))
        }
        Ok(formatted) if check => {
            if formatted == text {
                Ok(ExitCode::SUCCESS)
            } else {
                outln!("<stdin>");
                Ok(ExitCode::from(1))
            }
        }
        Ok(formatted) => {
            out!("{formatted}");
            Ok(ExitCode::SUCCESS)
        }
    }
}
