//! What is in the output directory: its listing, reading and comparing files,
//! and removing files and the directories they leave empty.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;

use miette::{Result, miette};

use super::{JOURNAL, MARKER, TEMP_SUFFIX, io_error};

/// What is at a path below the output directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link or a special file: removed or replaced, never followed.
    Other,
}

/// A file on disk compared with the bytes a build wants there.
#[derive(Debug, PartialEq, Eq)]
pub enum Compared {
    /// The same bytes.
    Same,
    /// Different: the bytes on disk, `None` when there is no regular file.
    Differs(Option<Vec<u8>>),
}

/// The entries below the output directory (relative `/`-separated paths), and
/// the temporary files an interrupted build left.
#[derive(Debug, Default)]
pub struct Listing {
    /// Every file and directory, but the marker, the journal and temporary files.
    pub entries: BTreeMap<String, Kind>,
    /// sinfrac's temporary files (of a build that never committed).
    pub orphans: Vec<String>,
}

impl Listing {
    /// The bytes of the file at `rel`, `None` when the listing has no regular file there.
    pub fn read(&self, root: &Path, rel: &str) -> Result<Option<Vec<u8>>> {
        if self.entries.get(rel) != Some(&Kind::File) {
            return Ok(None);
        }
        let path = root.join(rel);
        match fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error("cannot read", &path, &e)),
        }
    }

    /// `new` compared with the file at `rel`.
    pub fn compare(&self, root: &Path, rel: &str, new: &[u8]) -> Result<Compared> {
        if self.entries.get(rel) != Some(&Kind::File) {
            return Ok(Compared::Differs(None));
        }
        // Room for one byte more than expected: a longer file needs no second read to tell.
        Ok(match read_expecting(&root.join(rel), new.len() + 1)? {
            Some(old) if old == new => Compared::Same,
            old => Compared::Differs(old),
        })
    }

    /// What is listed at `rel`.
    pub fn kind(&self, rel: &str) -> Option<Kind> {
        self.entries.get(rel).copied()
    }
}

/// The bytes of the file at `path` (`None`: gone), read into a buffer of
/// `capacity` (grown as needed) without asking the file system for its size.
fn read_expecting(path: &Path, capacity: usize) -> Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut bytes = Vec::with_capacity(capacity);
    // Through `Take`, `read_to_end` fills the buffer it is given instead of calling `statx` first.
    let read = fs::File::open(path).and_then(|f| f.take(u64::MAX).read_to_end(&mut bytes));
    match read {
        Ok(_) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error("cannot read", path, &e)),
    }
}

/// Whether a file name is one of sinfrac's temporary files.
pub fn is_temporary(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(TEMP_SUFFIX)
}

/// Lists `root` recursively; links are listed, not followed.
pub fn list(root: &Path) -> Result<Listing> {
    let mut listing = Listing::default();
    let mut pending = vec![String::new()];
    while let Some(dir) = pending.pop() {
        let abs = if dir.is_empty() { root.to_path_buf() } else { root.join(&dir) };
        let entries = match fs::read_dir(&abs) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound && dir.is_empty() => return Ok(listing),
            Err(e) => return Err(io_error("cannot list", &abs, &e)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| io_error("cannot list", &abs, &e))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                return Err(miette!(
                    help = "rename or delete it: the output directory holds only what sinfrac writes",
                    "`{}` in the output directory has a name that is not UTF-8",
                    entry.path().display()
                ));
            };
            let rel = if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") };
            if dir.is_empty() && (name == MARKER || name == JOURNAL) {
                continue;
            }
            if is_temporary(name) {
                listing.orphans.push(rel);
                continue;
            }
            let kind = match entry.file_type() {
                Ok(t) if t.is_dir() => Kind::Dir,
                Ok(t) if t.is_file() => Kind::File,
                Ok(_) => Kind::Other,
                Err(e) => return Err(io_error("cannot inspect", &entry.path(), &e)),
            };
            if kind == Kind::Dir {
                pending.push(rel.clone());
            }
            listing.entries.insert(rel, kind);
        }
    }
    listing.orphans.sort();
    Ok(listing)
}

/// Removes the non-directory at `rel`; nothing there (any more) is fine.
pub fn remove_file(root: &Path, rel: &str) -> Result<()> {
    let path = root.join(rel);
    match fs::symlink_metadata(&path) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_error("cannot remove", &path, &e)),
        },
        Err(e) if matches!(e.kind(), io::ErrorKind::NotFound | io::ErrorKind::NotADirectory) => Ok(()),
        Err(e) => Err(io_error("cannot inspect", &path, &e)),
    }
}

/// Removes the directories above `rel` that are empty now, deepest first (never `root`).
pub fn prune_empty_parents(root: &Path, rel: &str) {
    let mut dir = rel;
    while let Some((parent, _)) = dir.rsplit_once('/') {
        match fs::remove_dir(root.join(parent)) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {} // removed by an interrupted run
            Err(_) => break,                                    // not empty: nor are the ones above
        }
        dir = parent;
    }
}

/// Flushes a directory's entries (the renames and removals in it) to disk.
pub fn sync_dir(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        let dir = match fs::File::open(path) {
            Ok(dir) => dir,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()), // removed: nothing to flush
            Err(e) => return Err(io_error("cannot open", path, &e)),
        };
        dir.sync_all().map_err(|e| io_error("cannot flush", path, &e))?;
    }
    #[cfg(not(unix))]
    let _ = path; // Directories cannot be opened as files there; renames are flushed with their files.
    Ok(())
}

/// Flushes several directories at once: each flush waits for the disk, and the
/// disk serves them together (13 directories: ~50 ms one by one, 3–25 ms at once
/// on this machine's disk).
pub fn sync_dirs(paths: &[std::path::PathBuf]) -> Result<()> {
    if let [path] = paths {
        return sync_dir(path);
    }
    std::thread::scope(|scope| {
        let flushes: Vec<_> = paths.iter().map(|p| scope.spawn(move || sync_dir(p))).collect();
        let mut result = Ok(());
        for flush in flushes {
            let flushed = flush.join().unwrap_or_else(|_| Err(miette!("a directory flush panicked")));
            if result.is_ok() {
                result = flushed;
            }
        }
        result
    })
}

/// Creates the file at `path` with `bytes`, replacing whatever is there: a
/// leftover of an interrupted build is removed first, and a link is never
/// written through. Returns the file, open for writing.
pub fn create(path: &Path, bytes: &[u8]) -> io::Result<fs::File> {
    use std::io::Write;
    let open = || fs::OpenOptions::new().write(true).create_new(true).open(path);
    let mut file = match open() {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            fs::remove_file(path)?;
            open()?
        }
        other => other?,
    };
    file.write_all(bytes)?;
    Ok(file)
}
