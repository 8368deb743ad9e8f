//! The journal of a committed build: what it renames, clears and deletes.
//! Written durably before the first rename; applying it is idempotent, so an
//! interrupted build is finished by applying it again.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Component, Path};

use miette::{Result, miette};
use serde::{Deserialize, Serialize};

use super::tree::{create, prune_empty_parents, remove_file, sync_dirs};
use super::{JOURNAL, TEMP_SUFFIX, fault, io_error};

/// The journal's format version.
const VERSION: u32 = 1;

/// What a committed build does to the output directory, in this order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    /// The format version.
    pub version: u32,
    /// Directories where a file goes: removed with what they hold.
    pub clear_dirs: Vec<String>,
    /// Files (or links) where a directory goes: removed.
    pub clear_files: Vec<String>,
    /// Staged files renamed over their targets: (temporary, target).
    pub renames: Vec<(String, String)>,
    /// Files no source produces any more.
    pub deletes: Vec<String>,
}

impl Journal {
    /// An empty journal of the current version.
    pub fn new() -> Journal {
        Journal { version: VERSION, ..Journal::default() }
    }

    /// Whether it changes nothing.
    pub fn is_empty(&self) -> bool {
        self.clear_dirs.is_empty() && self.clear_files.is_empty() && self.renames.is_empty() && self.deletes.is_empty()
    }

    /// Applies it to `root`: clears, renames, deletes, then removes the directories
    /// left empty and flushes every directory it touched. Idempotent: what is done
    /// already is skipped.
    pub fn apply(&self, root: &Path) -> Result<()> {
        for rel in &self.clear_dirs {
            let path = root.join(rel);
            if fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
                fs::remove_dir_all(&path).map_err(|e| io_error("cannot remove", &path, &e))?;
                fault::point();
            }
        }
        for rel in &self.clear_files {
            remove_file(root, rel)?;
            fault::point();
        }
        for (temp, target) in &self.renames {
            let (from, to) = (root.join(temp), root.join(target));
            match fs::rename(&from, &to) {
                Ok(()) => {}
                Err(_) if fs::symlink_metadata(&from).is_err() => continue, // renamed already
                // Its directory is still to be made (it was a file, cleared above).
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    let parent = to.parent().unwrap_or(root);
                    fs::create_dir_all(parent).map_err(|e| io_error("cannot create", parent, &e))?;
                    fs::rename(&from, &to).map_err(|e| io_error("cannot rename the new file over", &to, &e))?;
                }
                Err(e) => return Err(io_error("cannot rename the new file over", &to, &e)),
            }
            fault::point();
        }
        for rel in &self.deletes {
            remove_file(root, rel)?;
            fault::point();
        }
        for rel in self.deletes.iter().chain(&self.clear_dirs) {
            prune_empty_parents(root, rel);
        }
        let dirs: Vec<_> = self.touched_dirs().into_iter().map(|d| root.join(d)).collect();
        sync_dirs(&dirs)
    }

    /// The directories whose entries it changes (`""`: the root).
    fn touched_dirs(&self) -> BTreeSet<&str> {
        let paths = self.clear_dirs.iter().chain(&self.clear_files).chain(&self.deletes);
        let paths = paths.chain(self.renames.iter().flat_map(|(a, b)| [a, b]));
        let mut dirs: BTreeSet<&str> = paths.map(|p| p.rsplit_once('/').map_or("", |(d, _)| d)).collect();
        dirs.insert("");
        dirs
    }

    /// Every path is relative and stays below the root; temporary names are sinfrac's.
    fn validate(&self) -> std::result::Result<(), String> {
        if self.version != VERSION {
            return Err(format!("version {} (this sinfrac writes {VERSION})", self.version));
        }
        let plain = self.clear_dirs.iter().chain(&self.clear_files).chain(&self.deletes);
        for p in plain.chain(self.renames.iter().map(|(_, target)| target)) {
            if !is_below(p) {
                return Err(format!("`{p}` is not a path below the output directory"));
            }
        }
        for (temp, _) in &self.renames {
            let name = temp.rsplit('/').next().unwrap_or(temp);
            if !is_below(temp) || !super::tree::is_temporary(name) {
                return Err(format!("`{temp}` is not one of sinfrac's temporary files (`.NAME{TEMP_SUFFIX}`)"));
            }
        }
        Ok(())
    }
}

/// A relative path of plain names (no root, `.`, `..` or drive).
fn is_below(rel: &str) -> bool {
    !rel.contains('\0')
        && rel.split('/').all(|seg| !seg.is_empty() && seg != "." && seg != "..")
        && Path::new(rel).components().all(|c| matches!(c, Component::Normal(_)))
}

/// A journal written and flushed under its temporary name, not committed yet.
pub struct Prepared(std::path::PathBuf);

/// Writes `journal` durably into `root` under a temporary name: the last step
/// before the commit point (a kill here leaves a temporary file, rolled back).
pub fn prepare(root: &Path, journal: &Journal) -> Result<Prepared> {
    let temp = root.join(format!("{JOURNAL}{TEMP_SUFFIX}"));
    let text = serde_json::to_vec_pretty(journal).map_err(|e| miette!("cannot encode the journal: {e}"))?;
    let written = create(&temp, &text).and_then(|file| file.sync_all());
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(io_error("cannot write", &temp, &e));
    }
    fault::point();
    Ok(Prepared(temp))
}

/// Renames the prepared journal into place: the commit point of a build (the
/// caller flushes the directory).
pub fn commit(root: &Path, prepared: Prepared) -> Result<()> {
    let path = root.join(JOURNAL);
    fs::rename(&prepared.0, &path).map_err(|e| io_error("cannot commit", &path, &e))
}

/// Removes the journal of a build that is complete.
pub fn remove(root: &Path) -> Result<()> {
    let path = root.join(JOURNAL);
    match fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error("cannot remove", &path, &e)),
    }
}

/// Finishes a build interrupted after its commit point (rolls it forward), and
/// drops a journal whose writing was interrupted (its build never committed).
pub fn recover(root: &Path) -> Result<()> {
    let path = root.join(JOURNAL);
    let text = match fs::read(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_error("cannot read", &path, &e)),
    };
    let journal: Journal = serde_json::from_slice(&text)
        .map_err(|e| e.to_string())
        .and_then(|j: Journal| j.validate().map(|()| j))
        .map_err(|why| {
            miette!(
                help =
                    "delete it and build again: a build rewrites every file that differs from what the sources produce",
                "the journal `{}` of an interrupted build is damaged: {why}",
                path.display()
            )
        })?;
    journal.apply(root).map_err(|e| {
        e.wrap_err(format!(
            "cannot finish the build that was interrupted in `{}` (its journal is kept)",
            root.display()
        ))
    })?;
    remove(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journals_stay_below_the_root() {
        let mut j = Journal::new();
        j.renames.push(("a/.b.yaml.sinfrac-tmp".into(), "a/b.yaml".into()));
        j.deletes.push("a/c.yaml".into());
        assert_eq!(j.validate(), Ok(()));
        for bad in ["../x", "/etc/passwd", "a/../../x", "", "a/./b"] {
            let mut k = j.clone();
            k.deletes.push(bad.into());
            assert!(k.validate().is_err(), "{bad:?} accepted");
        }
        let mut k = j.clone();
        k.renames.push(("a/plain.yaml".into(), "a/b.yaml".into()));
        assert!(k.validate().is_err(), "a rename from a file that is not a temporary one");
        assert!(Journal { version: 9, ..j }.validate().is_err());
    }

    #[test]
    fn the_touched_directories_include_the_root() {
        let mut j = Journal::new();
        j.renames.push(("a/.b.yaml.sinfrac-tmp".into(), "a/b.yaml".into()));
        j.deletes.push("c/d.yaml".into());
        assert_eq!(j.touched_dirs().into_iter().collect::<Vec<_>>(), ["", "a", "c"]);
    }
}
