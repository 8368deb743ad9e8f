//! `sinfrac build --watch`: keeps the database alive and, on each saved
//! edit, re-evaluates what the edit touched and rewrites only the files whose
//! content changed, with the protocol of every build (`crate::outdir`): the
//! files of one edit appear together, and deletions are judged as by `build`.

use std::cmp::Ordering;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use miette::{IntoDiagnostic, Result, WrapErr};
use notify::{RecursiveMode, Watcher};
use sinfra_compiler::emit::{self, OutputFile};
use sinfra_compiler::platform::platform_info;
use sinfra_compiler::project::MANIFEST;

use super::{rejected, report};
use crate::Format;
use crate::loader::{Loaded, load, relative};
use crate::outdir::{Access, Compared, MARKER, OutDir, Summary};
use crate::output::{Gathered, protect};

/// How long to wait for more events after the first one of a burst (editors write in several steps).
const SETTLE: Duration = Duration::from_millis(15);

/// Builds once, then rebuilds on every change until interrupted.
pub fn run(path: &Path, out: Option<&Path>, format: Format) -> Result<ExitCode> {
    let mut loaded = load(path)?;
    let out_dir = match out {
        Some(o) => o.to_path_buf(),
        None => loaded.root.join(&platform_info(&loaded.db, loaded.project).manifest.out),
    };
    // What the output directory holds, as this watcher last wrote it: sorted by path.
    let mut written: Vec<OutputFile> = Vec::new();
    if let Some(files) = rebuild(&loaded, format)
        && let Some(done) = write_whole(&loaded, &out_dir, &files)?
    {
        eprintln!(
            "wrote {} files to {} ({} written, {} removed)",
            files.len(),
            out_dir.display(),
            done.written,
            done.removed
        );
        written = files;
    }
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        // Reads (access events) and metadata changes are not edits.
        if let Ok(e) = event
            && matches!(
                e.kind,
                notify::EventKind::Create(_) | notify::EventKind::Modify(_) | notify::EventKind::Remove(_)
            )
            && !matches!(e.kind, notify::EventKind::Modify(notify::event::ModifyKind::Metadata(_)))
        {
            let _ = tx.send(e.paths);
        }
    })
    .into_diagnostic()
    .wrap_err("cannot watch the project")?;
    watcher.watch(&loaded.root, RecursiveMode::Recursive).into_diagnostic()?;
    let out_abs = fs::canonicalize(&out_dir).unwrap_or(out_dir.clone());
    eprintln!("watching {} (Ctrl-C to stop)", loaded.root.display());
    while let Ok(first) = rx.recv() {
        let mut paths: Vec<PathBuf> = first;
        let settle_until = Instant::now() + SETTLE;
        while let Ok(more) = rx.recv_timeout(settle_until.saturating_duration_since(Instant::now())) {
            paths.extend(more);
        }
        let started = Instant::now();
        if !apply_changes(&mut loaded, &paths, &out_abs)? {
            continue;
        }
        let Some(files) = rebuild(&loaded, format) else {
            eprintln!("not written: fix the errors above");
            continue;
        };
        let built = started.elapsed();
        // Nothing written yet this session, or the directory went away: compare with the disk.
        let done = if written.is_empty() || !out_dir.join(MARKER).is_file() {
            write_whole(&loaded, &out_dir, &files)?
        } else {
            write_changes(&loaded, &out_dir, &written, &files)?
        };
        let Some(done) = done else { continue };
        written = files;
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        eprintln!(
            "rebuilt in {:.1} ms (checked and rendered in {:.1} ms): {} files written, {} removed",
            ms(started.elapsed()),
            ms(built),
            done.written,
            done.removed
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Loads changed sources into the database; whether anything relevant changed.
fn apply_changes(loaded: &mut Loaded, paths: &[PathBuf], out_abs: &Path) -> Result<bool> {
    let manifest = platform_info(&loaded.db, loaded.project).manifest.clone();
    let mut changes = Vec::new();
    let mut relevant = false;
    // Each changed path as the project sees it: its own path, and the links it is loaded through.
    let mut rels: Vec<String> = Vec::new();
    for p in paths {
        if p.starts_with(out_abs) {
            continue;
        }
        if let Some(rel) = relative(&loaded.root, p)
            && !rel.split('/').any(|seg| seg.starts_with('.'))
        {
            rels.push(rel);
        }
        rels.extend(loaded.links.get(p).cloned());
    }
    rels.sort();
    rels.dedup();
    for rel in rels {
        if rel != MANIFEST && rel != manifest.versions && !rel.ends_with(".sinfra") {
            continue;
        }
        let before = loaded.sources.get(&rel).cloned();
        let rejected_before = loaded.problems.iter().any(|d| d.location().path == rel);
        let text = match loaded.read(&rel) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{e:?}");
                continue;
            }
        };
        let rejected_now = loaded.problems.iter().any(|d| d.location().path == rel);
        if !rejected_before && !rejected_now && before == text {
            continue; // saved without changes
        }
        relevant = true;
        if rejected_now {
            continue; // reported by `rebuild`; the database keeps the last good text
        }
        if rel == MANIFEST {
            if let Some(t) = text {
                loaded.db.set_manifest_text(loaded.project, t);
            }
        } else if rel == manifest.versions {
            loaded.db.set_versions_text(loaded.project, text);
        } else {
            changes.push((rel, text));
        }
    }
    if !changes.is_empty() {
        loaded.db.update_files(loaded.project, changes);
    }
    Ok(relevant)
}

/// Checks and renders; `None` when there are errors (already reported).
fn rebuild(loaded: &Loaded, format: Format) -> Option<Vec<OutputFile>> {
    if rejected(loaded, format).is_some() {
        return None;
    }
    let built = emit::build_project(&loaded.db, loaded.project, &[]);
    if report(loaded, &built.diags, format) {
        return None;
    }
    Some(built.files)
}

/// Writes `files` into `out_dir`, comparing each with the disk: the first build
/// of a session, whatever the directory holds. `None`: a deletion was refused.
fn write_whole(loaded: &Loaded, out_dir: &Path, files: &[OutputFile]) -> Result<Option<Summary>> {
    let dir = OutDir::open(out_dir, Access::Write { list: true })?;
    let mut changed = Vec::new();
    for file in files {
        if let Compared::Differs(old) = dir.compare(&file.path, file.content.as_bytes())? {
            changed.push((file, old));
        }
    }
    let mut vanished = Vec::new();
    let mut wanted = files.iter().map(|f| f.path.as_str()).peekable();
    for path in dir.files() {
        // Both sorted by path: a merge.
        while wanted.next_if(|w| *w < path).is_some() {}
        if wanted.peek() != Some(&path) {
            vanished.push((path, dir.read(path)?));
        }
    }
    let changed: Vec<_> = changed.iter().map(|(f, old)| (*f, old.as_deref())).collect();
    let vanished: Vec<_> = vanished.iter().map(|(p, old)| (*p, old.as_deref())).collect();
    commit(loaded, &dir, &changed, &vanished, !dir.is_empty())
}

/// Writes what changed since the files `before`, trusting that the directory
/// still holds them: an edit re-reads nothing from disk. `None`: a deletion was refused.
fn write_changes(
    loaded: &Loaded,
    out_dir: &Path,
    before: &[OutputFile],
    files: &[OutputFile],
) -> Result<Option<Summary>> {
    let mut changed = Vec::new();
    let mut vanished = Vec::new();
    let (mut old, mut new) = (before.iter().peekable(), files.iter().peekable());
    loop {
        match (old.peek(), new.peek()) {
            (None, None) => break,
            (Some(o), Some(n)) if o.path == n.path => {
                if !Arc::ptr_eq(&o.content, &n.content) && o.content != n.content {
                    changed.push((*n, Some(o.content.as_bytes())));
                }
                old.next();
                new.next();
            }
            (Some(o), n) if n.is_none_or(|n| o.path.cmp(&n.path) == Ordering::Less) => {
                vanished.push((o.path.as_str(), Some(o.content.as_bytes())));
                old.next();
            }
            (_, Some(n)) => {
                changed.push((*n, None));
                new.next();
            }
            (_, None) => unreachable!("handled above"),
        }
    }
    if changed.is_empty() && vanished.is_empty() {
        return Ok(Some(Summary::default()));
    }
    let dir = OutDir::open(out_dir, Access::Write { list: false })?;
    commit(loaded, &dir, &changed, &vanished, true)
}

/// Judges the deletions (the platform's `allow_delete` only: `--watch` takes no
/// `--allow-delete`), then stages `changed` (each file with what the disk holds)
/// and removes `vanished` in one transaction. `None`: a deletion was refused.
fn commit(
    loaded: &Loaded,
    dir: &OutDir,
    changed: &[(&OutputFile, Option<&[u8]>)],
    vanished: &[(&str, Option<&[u8]>)],
    gather_new: bool,
) -> Result<Option<Summary>> {
    let mut gathered = Gathered::new(false);
    for (file, old) in changed {
        gathered.file(&file.path, *old, gather_new.then_some(&*file.content))?;
    }
    for (path, old) in vanished {
        gathered.file(path, *old, None)?;
    }
    let info = platform_info(&loaded.db, loaded.project);
    let judged = gathered.judge(&loaded.db, loaded.project, info, &[], Vec::new());
    let refused: Vec<_> = judged.removals.iter().filter(|r| r.refused()).collect();
    if !refused.is_empty() {
        eprint!("{}", protect::refusal(&refused, "; nothing was written"));
        return Ok(None);
    }
    let txn = dir.transaction();
    for (file, _) in changed {
        txn.stage(&file.path, file.content.as_bytes())?;
    }
    for (path, _) in vanished {
        txn.delete(path);
    }
    txn.commit().map(Some)
}
