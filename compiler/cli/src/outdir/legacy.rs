//! The protocol of older sinfrac versions, which wrote a whole new tree beside
//! the output directory (`<out>.sinfrac-new`) and swapped it in with two
//! renames, keeping the previous tree as `<out>.sinfrac-old` meanwhile. A swap
//! one of them left unfinished is finished or undone here.

use std::fs;
use std::path::{Path, PathBuf};

use miette::Result;

use super::io_error;

/// `<out>.<suffix>`.
fn sibling(out_dir: &Path, suffix: &str) -> PathBuf {
    let name = out_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
    out_dir.with_file_name(format!("{name}.{suffix}"))
}

/// The directory a reader reads: the previous tree set aside when a swap was
/// interrupted between its two renames, else `out_dir`.
pub fn readable_root(out_dir: &Path) -> PathBuf {
    let aside = sibling(out_dir, "sinfrac-old");
    if !out_dir.exists() && aside.is_dir() { aside } else { out_dir.to_path_buf() }
}

/// Restores the previous tree if the swap was interrupted between its renames,
/// and removes what an interrupted swap left beside the output directory.
pub fn recover(out_dir: &Path) -> Result<()> {
    let old = sibling(out_dir, "sinfrac-old");
    let new = sibling(out_dir, "sinfrac-new");
    if old.exists() {
        if out_dir.exists() {
            fs::remove_dir_all(&old).map_err(|e| io_error("cannot remove", &old, &e))?;
        } else {
            fs::rename(&old, out_dir).map_err(|e| io_error("cannot restore the previous output from", &old, &e))?;
        }
    }
    if new.exists() {
        fs::remove_dir_all(&new).map_err(|e| io_error("cannot remove", &new, &e))?;
    }
    Ok(())
}
