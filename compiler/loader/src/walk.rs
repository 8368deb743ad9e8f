//! Finding the `.sinfra` files of a project: every directory below the root
//! except hidden ones, the output directory, `target` and `node_modules`.
//! Symbolic links are followed when they stay inside the root; each file and
//! directory is visited once, under its own path when the walk reaches it.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};

use miette::{IntoDiagnostic, Result, WrapErr};
use sinfra_compiler::diagnostics::Diagnostic;

use super::confine::{Confined, confine, outside, whole_file};

/// What the walk found.
#[derive(Default)]
pub struct Found {
    /// Project-relative paths of the `.sinfra` files, sorted, each file once.
    pub files: Vec<String>,
    /// Files read through a symbolic link: resolved path → the path it is loaded as.
    pub links: BTreeMap<PathBuf, String>,
    /// Links that lead out of the project.
    pub problems: Vec<Diagnostic>,
}

/// Walks the canonical `root`, skipping the directory `skip` (project-relative).
pub fn walk(root: &Path, skip: &str) -> Result<Found> {
    let mut walker = Walker { root, skip, visited: HashSet::new(), later: VecDeque::new(), files: Vec::new() };
    let mut problems = Vec::new();
    walker.dir("", &mut problems)?;
    // Directories reached through links come after every real one, so that a
    // directory's files keep their own paths when both are walked.
    while let Some(rel) = walker.later.pop_front() {
        walker.dir(&rel, &mut problems)?;
    }
    // A file reached through several paths is read once: under its own path if
    // the walk reached it, else under the first link in path order.
    walker.files.sort();
    let mut by_target: BTreeMap<PathBuf, String> = BTreeMap::new();
    for (rel, target) in walker.files {
        let own = root.join(&rel) == target;
        match by_target.get(&target) {
            Some(_) if !own => {}
            _ => {
                by_target.insert(target, rel);
            }
        }
    }
    let mut files: Vec<String> = by_target.values().cloned().collect();
    files.sort();
    let links = by_target.into_iter().filter(|(target, rel)| root.join(rel) != *target).collect();
    Ok(Found { files, links, problems })
}

struct Walker<'a> {
    root: &'a Path,
    skip: &'a str,
    /// Resolved directories already walked.
    visited: HashSet<PathBuf>,
    /// Directories reached through links, walked after the rest.
    later: VecDeque<String>,
    /// (path as reached, resolved path).
    files: Vec<(String, PathBuf)>,
}

impl Walker<'_> {
    fn dir(&mut self, rel_dir: &str, problems: &mut Vec<Diagnostic>) -> Result<()> {
        let dir = self.root.join(rel_dir);
        let Ok(resolved) = fs::canonicalize(&dir) else { return Ok(()) };
        if !self.visited.insert(resolved) {
            return Ok(());
        }
        let mut entries: Vec<_> = fs::read_dir(&dir)
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot list `{}`", if rel_dir.is_empty() { "." } else { rel_dir }))?
            .filter_map(|e| e.ok())
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = if rel_dir.is_empty() { name.clone() } else { format!("{rel_dir}/{name}") };
            if name.starts_with('.') || rel == self.skip || name == "target" || name == "node_modules" {
                continue;
            }
            let Ok(kind) = entry.file_type() else { continue };
            let is_source = name.ends_with(".sinfra");
            if kind.is_symlink() {
                match confine(self.root, &rel) {
                    Confined::Inside(target) if target.is_dir() => self.later.push_back(rel),
                    Confined::Inside(target) if is_source && target.is_file() => self.files.push((rel, target)),
                    Confined::Inside(_) | Confined::Missing => {}
                    Confined::Outside(target) => {
                        // Only what the compiler would read: sources, and directories that may hold some.
                        if is_source || fs::metadata(entry.path()).is_ok_and(|m| m.is_dir()) {
                            problems.push(outside(&rel, &target, whole_file(&rel), "not read"));
                        }
                    }
                }
            } else if kind.is_dir() {
                self.dir(&rel, problems)?;
            } else if kind.is_file()
                && is_source
                && let Ok(target) = fs::canonicalize(entry.path())
            {
                self.files.push((rel, target));
            }
        }
        Ok(())
    }
}
