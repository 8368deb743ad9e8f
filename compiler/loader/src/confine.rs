//! The trust boundary: every file the compiler reads lies inside the project
//! root once symbolic links are followed. [`confine`] is the one place that
//! decides; the loader, the versions file, `out` and `--watch` all ask it.

use std::fs;
use std::path::{Component, Path, PathBuf};

use sinfra_compiler::diagnostics::{Code, Diagnostic, Location};
use sinfra_syntax::Span;

/// Where a project path leads, symbolic links followed.
#[derive(Debug, PartialEq, Eq)]
pub enum Confined {
    /// Inside the root: the resolved path.
    Inside(PathBuf),
    /// Nothing there, and nothing that would lead out either.
    Missing,
    /// Outside the root: where it leads, relative to the root where possible.
    Outside(String),
}

/// Symbolic links followed before giving up (a loop).
const MAX_LINKS: u32 = 40;

/// Where `rel` (project-relative, `/`-separated) below the canonical `root` leads.
pub fn confine(root: &Path, rel: &str) -> Confined {
    let resolved = resolve(&root.join(rel), 0);
    if !resolved.starts_with(root) {
        return Confined::Outside(shown(root, &resolved));
    }
    if resolved.exists() { Confined::Inside(resolved) } else { Confined::Missing }
}

/// The diagnostic for `rel`, which leads to `target` outside the project; `at`
/// is where it is named (its own path, or the manifest line naming it), and
/// `label` says what is not done with it ("not read").
pub fn outside(rel: &str, target: &str, at: Location, label: &str) -> Diagnostic {
    Diagnostic::new(
        Code::OutsideProject,
        format!("`{rel}` resolves to `{target}`, outside the project root"),
        at,
        label,
    )
    .with_note("sinfrac reads only files inside the directory holding sinfra.toml (symbolic links are followed)")
    .with_help(format!("copy the file into the project, or rename the link to start with `.` to have `{rel}` ignored"))
}

/// The location of a file named by its own path (no text of it is shown).
pub fn whole_file(rel: &str) -> Location {
    Location { path: rel.to_string(), span: Span::default() }
}

/// `path` with every symbolic link followed, as far as it exists; dangling
/// links are followed too, so that a link to a missing file outside the root
/// is still seen to lead out.
fn resolve(path: &Path, depth: u32) -> PathBuf {
    if let Ok(p) = fs::canonicalize(path) {
        return p;
    }
    if depth >= MAX_LINKS {
        return normalize(path);
    }
    if let Ok(target) = fs::read_link(path) {
        let base = path.parent().unwrap_or(Path::new("/"));
        return resolve(&normalize(&base.join(target)), depth + 1);
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => resolve(parent, depth + 1).join(name),
        _ => normalize(path),
    }
}

/// Removes `.` and `..` without touching the disk.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `target` relative to `root` when they share more than the filesystem root, else as is.
fn shown(root: &Path, target: &Path) -> String {
    let common = root.components().zip(target.components()).take_while(|(a, b)| a == b).count();
    let shares_a_directory = root.components().take(common).any(|c| matches!(c, Component::Normal(_)));
    if !shares_a_directory {
        return target.display().to_string();
    }
    let ups = root.components().count() - common;
    let rest: Vec<String> =
        target.components().skip(common).map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    std::iter::repeat_n("..".to_string(), ups).chain(rest).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_where_possible() {
        assert_eq!(shown(Path::new("/home/u/proj"), Path::new("/home/u/secret.txt")), "../secret.txt");
        assert_eq!(shown(Path::new("/home/u/proj"), Path::new("/home/v/x")), "../../v/x");
        assert_eq!(shown(Path::new("/home/u/proj"), Path::new("/etc/passwd")), "/etc/passwd");
        assert_eq!(normalize(Path::new("/a/b/../c/./d")), PathBuf::from("/a/c/d"));
    }
}
