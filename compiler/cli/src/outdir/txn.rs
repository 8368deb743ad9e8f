//! A change of the output directory: files staged beside their targets, then
//! committed through the journal (see the module docs of `outdir`). Dropped
//! without a commit, it removes what it staged.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use miette::{Result, miette};
use sinfra_compiler::project::is_safe_relative_path;

use super::journal::{self, Journal};
use super::tree::{Kind, Listing, create, sync_dir};
use super::{TEMP_SUFFIX, fault, io_error};

/// What a committed transaction changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Files written (new or changed).
    pub written: usize,
    /// Files removed.
    pub removed: usize,
}

/// Staged changes of one output directory.
pub struct Transaction<'a> {
    root: &'a Path,
    /// What the directory held when it was opened, if it was listed.
    listing: Option<&'a Listing>,
    state: Mutex<State>,
    /// Committed (or nothing to undo): dropping it removes nothing.
    done: bool,
}

#[derive(Default)]
struct State {
    journal: Journal,
    /// The temporary names in use (removed when the transaction is dropped uncommitted).
    temps: HashSet<String>,
    /// Directories checked: whether each is a directory (or was made one).
    dirs: HashMap<String, bool>,
    /// Directories created for staged files, in creation order.
    created: Vec<String>,
}

impl<'a> Transaction<'a> {
    pub(super) fn new(root: &'a Path, listing: Option<&'a Listing>) -> Transaction<'a> {
        let state = Mutex::new(State { journal: Journal::new(), ..State::default() });
        Transaction { root, listing, state, done: false }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere cannot leave the bookkeeping half-updated in a way that matters here.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes `bytes` for `rel` (a generated path) to a temporary file beside it.
    /// Several threads may stage at once.
    pub fn stage(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        // Paths come from validated DNS names; refuse anything else outright.
        if !is_safe_relative_path(rel) {
            return Err(miette!("refusing to write outside the output directory: `{rel}`"));
        }
        let (parent, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        let beside = self.prepare_dir(parent)?;
        let temp = match (beside, parent) {
            (true, "") => format!(".{name}{TEMP_SUFFIX}"),
            (true, _) => format!("{parent}/.{name}{TEMP_SUFFIX}"),
            // A file stands where its directory goes: staged at the top, moved in after the file is cleared.
            (false, _) => format!(".{}{TEMP_SUFFIX}", rel.replace('/', "~")),
        };
        let target_is_dir = beside
            && match self.listing {
                Some(listing) => listing.kind(rel) == Some(Kind::Dir),
                None => fs::symlink_metadata(self.root.join(rel)).is_ok_and(|m| m.is_dir()),
            };
        {
            let mut state = self.state();
            if !state.temps.insert(temp.clone()) {
                return Err(miette!("internal error: `{rel}` is written twice by one build"));
            }
            // Recorded before writing: a failed write leaves a file to remove too.
            state.journal.renames.push((temp.clone(), rel.to_string()));
            if target_is_dir {
                state.journal.clear_dirs.push(rel.to_string());
            }
        }
        let path = self.root.join(&temp);
        create(&path, bytes).map_err(|e| io_error("cannot write", &path, &e))?;
        fault::point();
        Ok(())
    }

    /// Makes `parent` (relative) a directory if nothing stands in its way; `false`
    /// when a file or link does (it is cleared at the commit).
    fn prepare_dir(&self, parent: &str) -> Result<bool> {
        if parent.is_empty() {
            return Ok(true);
        }
        let mut state = self.state();
        let ends = parent.match_indices('/').map(|(i, _)| i).chain([parent.len()]);
        for end in ends {
            let dir = &parent[..end];
            match state.dirs.get(dir) {
                Some(true) => continue,
                Some(false) => return Ok(false),
                None => {}
            }
            let abs = self.root.join(dir);
            let is_dir = match fs::symlink_metadata(&abs) {
                Ok(meta) if meta.is_dir() => true,
                Ok(_) => {
                    state.journal.clear_files.push(dir.to_string());
                    false
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    fs::create_dir(&abs).map_err(|e| io_error("cannot create", &abs, &e))?;
                    state.created.push(dir.to_string());
                    fault::point();
                    true
                }
                Err(e) => return Err(io_error("cannot inspect", &abs, &e)),
            };
            state.dirs.insert(dir.to_string(), is_dir);
            if !is_dir {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Deletes the file at `rel` at the commit.
    pub fn delete(&self, rel: &str) {
        self.state().journal.deletes.push(rel.to_string());
    }

    /// Makes every staged change visible (see the module docs): all of them, or —
    /// if the process dies first — none, or a journal the next run completes.
    pub fn commit(mut self) -> Result<Summary> {
        let journal = std::mem::take(&mut self.state().journal);
        let summary = Summary { written: journal.renames.len(), removed: journal.deletes.len() };
        if journal.is_empty() {
            self.done = true;
            return Ok(summary);
        }
        let root = self.root;
        if let ([(temp, target)], true, true, true) = (
            journal.renames.as_slice(),
            journal.clear_dirs.is_empty(),
            journal.clear_files.is_empty(),
            journal.deletes.is_empty(),
        ) {
            // One rename is atomic by itself.
            let to = root.join(target);
            fs::rename(root.join(temp), &to).map_err(|e| io_error("cannot rename the new file over", &to, &e))?;
            self.done = true;
            fault::point();
            sync_dir(to.parent().unwrap_or(root))?;
            return Ok(summary);
        }
        let prepared = journal::prepare(root, &journal)?;
        journal::commit(root, prepared)?;
        // From the commit point on, the staged files belong to the journal.
        self.done = true;
        fault::point();
        let finish = || -> Result<()> {
            sync_dir(root)?; // the journal is durable before the first rename
            journal.apply(root)?;
            fault::point();
            journal::remove(root)
        };
        finish().map_err(|e| {
            e.wrap_err(format!(
                "the build stopped half-way through renaming its files into `{}`; its journal is kept, and \
                 the next sinfrac command finishes it once the cause is fixed",
                root.display()
            ))
        })?;
        Ok(summary)
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let state = self.state.get_mut().unwrap_or_else(PoisonError::into_inner);
        for temp in &state.temps {
            let _ = fs::remove_file(self.root.join(temp));
        }
        for dir in state.created.iter().rev() {
            let _ = fs::remove_dir(self.root.join(dir));
        }
    }
}
