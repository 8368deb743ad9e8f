//! Finding the project root and reading its files: the only place the
//! command line and the language server touch the project's sources on disk.

pub mod confine;
mod read;
mod walk;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use miette::{IntoDiagnostic, Result, WrapErr, miette};
use sinfra_compiler::db::{Database, Project};
use sinfra_compiler::diagnostics::{Diagnostic, Location};
use sinfra_compiler::project::{MANIFEST, parse_manifest};
use sinfra_compiler::stdlib;
use sinfra_syntax::Span;

pub use read::Read;

/// A project loaded into a fresh database.
pub struct Loaded {
    /// The database.
    pub db: Database,
    /// The project input.
    pub project: Project,
    /// The project root.
    pub root: PathBuf,
    /// Every file's text by project-relative path, stdlib included (for rendering).
    pub sources: BTreeMap<String, String>,
    /// Files that could not be taken in (not UTF-8, outside the project):
    /// while there are any, the project is not checked and nothing is built.
    pub problems: Vec<Diagnostic>,
    /// Sources read through a symbolic link: resolved path → the path they are loaded as.
    pub links: BTreeMap<PathBuf, String>,
}

impl Loaded {
    /// Reads the project file `rel`: its text, or `None` when it is missing or
    /// rejected (then the problem is recorded, replacing an earlier one of the
    /// same file, and `sources` holds what can be drawn of it).
    pub fn read(&mut self, rel: &str) -> Result<Option<String>> {
        self.problems.retain(|d| d.location().path != rel);
        let (text, problem) = read_recorded(&self.root, rel, &mut self.sources)?;
        self.problems.extend(problem);
        Ok(text)
    }
}

/// Reads `rel`, keeping what can be shown of it in `sources`.
fn read_recorded(
    root: &Path,
    rel: &str,
    sources: &mut BTreeMap<String, String>,
) -> Result<(Option<String>, Option<Diagnostic>)> {
    let outcome = read::read(root, rel).into_diagnostic().wrap_err_with(|| format!("cannot read `{rel}`"))?;
    Ok(match outcome {
        Read::Text(text) => {
            sources.insert(rel.to_string(), text.clone());
            (Some(text), None)
        }
        Read::Missing => {
            sources.remove(rel);
            (None, None)
        }
        Read::Rejected(diag, shown) => {
            match shown {
                Some(t) => sources.insert(rel.to_string(), t),
                None => sources.remove(rel),
            };
            (None, Some(*diag))
        }
    })
}

/// The directory holding `sinfra.toml`, found from `start` upwards.
pub fn find_root(start: &Path) -> Result<PathBuf> {
    let start = if start.is_file() { start.parent().unwrap_or(start) } else { start };
    let abs =
        fs::canonicalize(start).into_diagnostic().wrap_err_with(|| format!("cannot open `{}`", start.display()))?;
    for dir in abs.ancestors() {
        if dir.join(MANIFEST).is_file() {
            return Ok(dir.to_path_buf());
        }
    }
    Err(miette!(
        help = format!("create `{MANIFEST}` with `[project]` and `name = \"…\"` at the root of your project"),
        "no `{MANIFEST}` in `{}` or any parent directory",
        start.display()
    ))
}

/// Reads the project's manifest, versions file and every `.sinfra` file below the root.
pub fn load(start: &Path) -> Result<Loaded> {
    let root = find_root(start)?;
    let mut sources: BTreeMap<String, String> =
        stdlib::MODULES.iter().map(|m| (m.path(), m.text.to_string())).collect();
    let mut problems = Vec::new();
    let take = |rel: &str, sources: &mut BTreeMap<String, String>, problems: &mut Vec<Diagnostic>| {
        let (text, problem) = read_recorded(&root, rel, sources)?;
        problems.extend(problem);
        Ok::<_, miette::Report>(text)
    };
    let manifest_text = take(MANIFEST, &mut sources, &mut problems)?.unwrap_or_default();
    let (manifest, _) = parse_manifest(&manifest_text);
    let versions_text = take(&manifest.versions, &mut sources, &mut problems)?;
    if let confine::Confined::Outside(target) = confine::confine(&root, &manifest.out) {
        let needle = format!("\"{}\"", manifest.out);
        let at = match manifest_text.find(&needle) {
            Some(i) => Location { path: MANIFEST.to_string(), span: Span::from(i..i + needle.len()) },
            None => confine::whole_file(&manifest.out),
        };
        problems.push(confine::outside(&manifest.out, &target, at, "nothing is written there").with_help(
            "the output directory must be inside the project: change `out` in sinfra.toml, or pass `--out`",
        ));
    }
    let found = walk::walk(&root, &manifest.out)?;
    problems.extend(found.problems);
    let mut files = Vec::new();
    for rel in found.files {
        if let Some(text) = take(&rel, &mut sources, &mut problems)? {
            files.push((rel, text));
        }
    }
    let mut db = Database::default();
    let project = db.load_project(files, manifest_text, versions_text);
    sinfra_compiler::diagnostics::normalize(&mut problems);
    Ok(Loaded { db, project, root, sources, problems, links: found.links })
}

/// The project's `.sinfra` files (project-relative, sorted) found below the
/// canonical `root` exactly as [`load`] finds them — hidden directories and the
/// output directory skipped, links followed only inside the root — and the
/// links that lead out.
pub fn source_files(root: &Path) -> Result<(Vec<String>, Vec<Diagnostic>)> {
    let manifest_text = match read::read(root, MANIFEST) {
        Ok(Read::Text(text)) => text,
        _ => String::new(),
    };
    let (manifest, _) = parse_manifest(&manifest_text);
    let found = walk::walk(root, &manifest.out)?;
    Ok((found.files, found.problems))
}

/// Reads one project file below the canonical `root`, confined like every read of the loader.
pub fn read_source(root: &Path, rel: &str) -> std::io::Result<Read> {
    read::read(root, rel)
}

/// The project-relative, `/`-separated form of `path` (which lies under `root`).
pub fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    Some(rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/"))
}
