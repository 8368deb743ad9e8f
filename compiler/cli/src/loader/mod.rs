//! Finding the project root and reading its files: the only place the CLI
//! touches the project's sources on disk.

mod read;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use miette::{IntoDiagnostic, Result, WrapErr, miette};
use sinfra_compiler::db::{Database, Project};
use sinfra_compiler::diagnostics::Diagnostic;
use sinfra_compiler::project::{MANIFEST, parse_manifest};
use sinfra_compiler::stdlib;

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
    /// Files that could not be taken in (not UTF-8, …): while there are any,
    /// the project is not checked and nothing is built.
    pub problems: Vec<Diagnostic>,
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
    let mut take = |rel: &str, sources: &mut BTreeMap<String, String>| -> Result<Option<String>> {
        let (text, problem) = read_recorded(&root, rel, sources)?;
        problems.extend(problem);
        Ok(text)
    };
    let manifest_text = take(MANIFEST, &mut sources)?.unwrap_or_default();
    let (manifest, _) = parse_manifest(&manifest_text);
    let versions_text = take(&manifest.versions, &mut sources)?;
    let mut paths = Vec::new();
    let skip = root.join(&manifest.out);
    collect(&root, &root, &skip, &mut paths)?;
    paths.sort();
    let mut files = Vec::new();
    for rel in paths {
        if let Some(text) = take(&rel, &mut sources)? {
            files.push((rel, text));
        }
    }
    let mut db = Database::default();
    let project = db.load_project(files, manifest_text, versions_text);
    Ok(Loaded { db, project, root, sources, problems })
}

/// The project-relative paths of the `.sinfra` files below `dir`.
fn collect(root: &Path, dir: &Path, skip: &Path, out: &mut Vec<String>) -> Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot list `{}`", dir.display()))?
        .filter_map(|e| e.ok())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || path == skip || name == "target" || name == "node_modules" {
            continue;
        }
        let kind = entry.file_type().into_diagnostic()?;
        if kind.is_dir() {
            collect(root, &path, skip, out)?;
        } else if kind.is_file()
            && name.ends_with(".sinfra")
            && let Some(rel) = relative(root, &path)
        {
            out.push(rel);
        }
    }
    Ok(())
}

/// The project-relative, `/`-separated form of `path` (which lies under `root`).
pub fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    Some(rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/"))
}
