//! The output committed at a git revision, read with `git` itself (no checkout):
//! `git ls-tree` lists the output directory's blobs, one `git cat-file --batch`
//! reads them all.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use miette::{IntoDiagnostic, Result, WrapErr, miette};

/// The files below `out` (relative to `root`, `/`-separated) at `rev`, by path relative to `out`;
/// `marker` is left out.
pub fn tree_at(root: &Path, rev: &str, out: &str, marker: &str) -> Result<BTreeMap<String, Vec<u8>>> {
    let out = out.trim_end_matches('/');
    let listing = Command::new("git")
        .current_dir(root)
        .args(["ls-tree", "-r", "-z", rev, "--", out])
        .output()
        .into_diagnostic()
        .wrap_err("cannot run `git` (is it installed?)")?;
    if !listing.status.success() {
        return Err(miette!(
            help = "give a revision git knows in this repository: a commit, branch or tag (`main`, `HEAD~1`, `origin/main`)",
            "cannot read revision `{rev}`: {}",
            String::from_utf8_lossy(&listing.stderr).trim()
        ));
    }
    // `<mode> blob <oid>\t<path>\0`, paths relative to `root`.
    let mut blobs = Vec::new();
    for entry in listing.stdout.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else { continue };
        let mut meta = meta.split(' ');
        let (Some(_mode), Some("blob"), Some(oid)) = (meta.next(), meta.next(), meta.next()) else { continue };
        let Some(rel) = path.strip_prefix(out).and_then(|p| p.strip_prefix('/')) else { continue };
        if rel != marker {
            blobs.push((oid.to_string(), rel.to_string()));
        }
    }
    let mut files = BTreeMap::new();
    if blobs.is_empty() {
        return Ok(files);
    }
    let mut child = Command::new("git")
        .current_dir(root)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .into_diagnostic()
        .wrap_err("cannot run `git cat-file`")?;
    let mut stdin = child.stdin.take().ok_or_else(|| miette!("no stdin for `git cat-file`"))?;
    let request: String = blobs.iter().map(|(oid, _)| format!("{oid}\n")).collect();
    // Written from another thread: git answers while it reads, and a full pipe would block both.
    let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
    let mut reader = BufReader::new(child.stdout.take().ok_or_else(|| miette!("no stdout for `git cat-file`"))?);
    for (oid, rel) in blobs {
        let mut line = String::new();
        reader.read_line(&mut line).into_diagnostic()?;
        // `<oid> blob <size>`
        let size: usize = line
            .split(' ')
            .nth(2)
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| miette!("unexpected answer of `git cat-file` for {oid}: `{}`", line.trim()))?;
        let mut bytes = vec![0; size + 1]; // the content, then a newline
        reader.read_exact(&mut bytes).into_diagnostic()?;
        bytes.truncate(size);
        files.insert(rel, bytes);
    }
    writer.join().map_err(|_| miette!("writing to `git cat-file` failed"))?.into_diagnostic()?;
    child.wait().into_diagnostic()?;
    Ok(files)
}
