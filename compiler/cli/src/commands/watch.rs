//! `sinfrac build --watch`: keeps the database alive and, on each saved
//! edit, re-evaluates what the edit touched and rewrites only the files whose
//! content changed. Each file is replaced atomically (written aside, then
//! renamed); stale files are removed after the new ones are in place.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use miette::{IntoDiagnostic, Result, WrapErr};
use notify::{RecursiveMode, Watcher};
use sinfra_compiler::emit;
use sinfra_compiler::platform::platform_info;
use sinfra_compiler::project::MANIFEST;

use super::build::write_atomically;
use super::{rejected, report};
use crate::Format;
use crate::loader::{Loaded, load, relative};

/// How long to wait for more events after the first one of a burst (editors write in several steps).
const SETTLE: Duration = Duration::from_millis(15);

/// Builds once, then rebuilds on every change until interrupted.
pub fn run(path: &Path, out: Option<&Path>, format: Format) -> Result<ExitCode> {
    let mut loaded = load(path)?;
    let out_dir = match out {
        Some(o) => o.to_path_buf(),
        None => loaded.root.join(&platform_info(&loaded.db, loaded.project).manifest.out),
    };
    let mut written: BTreeMap<String, Arc<str>> = BTreeMap::new();
    if let Some(files) = rebuild(&loaded, format)
        && deletions_allowed(&loaded, &super::build::previous_output(&out_dir)?, &files)?
    {
        let list: Vec<_> = files.to_vec();
        write_atomically(&out_dir, &list, None)?;
        written = files.into_iter().map(|f| (f.path, f.content)).collect();
        eprintln!("wrote {} files to {}", written.len(), out_dir.display());
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
        let previous = written.iter().map(|(p, c)| (p.clone(), c.as_bytes().to_vec())).collect();
        if !deletions_allowed(&loaded, &previous, &files)? {
            continue;
        }
        let (changed, removed) = write_changes(&out_dir, &mut written, files)?;
        eprintln!("rebuilt in {} ms: {changed} files written, {removed} removed", started.elapsed().as_millis());
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
fn rebuild(loaded: &Loaded, format: Format) -> Option<Vec<emit::OutputFile>> {
    if rejected(loaded, format).is_some() {
        return None;
    }
    let built = emit::build_project(&loaded.db, loaded.project, &[]);
    if report(loaded, &built.diags, format) {
        return None;
    }
    let files = built.files;
    Some(files)
}

/// Whether writing `files` over `previous` deletes no protected object that the
/// platform's `allow_delete` does not name; otherwise the refusal is printed.
fn deletions_allowed(
    loaded: &Loaded,
    previous: &BTreeMap<String, Vec<u8>>,
    files: &[emit::OutputFile],
) -> Result<bool> {
    let info = platform_info(&loaded.db, loaded.project);
    let judged =
        crate::output::judge(&loaded.db, loaded.project, info, (previous, files), Default::default(), Vec::new())?;
    let refused: Vec<_> = judged.removals.iter().filter(|r| r.refused()).collect();
    if !refused.is_empty() {
        eprint!("{}", crate::output::protect::refusal(&refused, "; nothing was written"));
    }
    Ok(refused.is_empty())
}

/// Writes the files whose content changed and removes stale ones.
fn write_changes(
    out_dir: &Path,
    written: &mut BTreeMap<String, Arc<str>>,
    files: Vec<emit::OutputFile>,
) -> Result<(usize, usize)> {
    let mut changed = 0;
    let mut fresh = BTreeMap::new();
    for f in files {
        let same = written.get(&f.path).is_some_and(|old| Arc::ptr_eq(old, &f.content) || **old == *f.content);
        if !same {
            replace_file(&out_dir.join(&f.path), f.content.as_bytes())?;
            changed += 1;
        }
        fresh.insert(f.path, f.content);
    }
    let mut removed = 0;
    for path in written.keys() {
        if !fresh.contains_key(path) {
            let _ = fs::remove_file(out_dir.join(path));
            removed += 1;
        }
    }
    *written = fresh;
    Ok((changed, removed))
}

fn replace_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).into_diagnostic()?;
    }
    let tmp = path.with_extension("yaml.sinfrac-tmp");
    fs::write(&tmp, bytes).into_diagnostic().wrap_err_with(|| format!("cannot write `{}`", tmp.display()))?;
    fs::rename(&tmp, path).into_diagnostic().wrap_err_with(|| format!("cannot replace `{}`", path.display()))
}
