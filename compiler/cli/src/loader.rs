//! Finding the project root and reading its files: the only place the CLI
//! touches the project's sources on disk.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use miette::{IntoDiagnostic, Result, WrapErr, miette};
use sinfra_compiler::db::{Database, Project};
use sinfra_compiler::project::{MANIFEST, parse_manifest};
use sinfra_compiler::stdlib;

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
    let manifest_text =
        fs::read_to_string(root.join(MANIFEST)).into_diagnostic().wrap_err("cannot read the manifest")?;
    let (manifest, _) = parse_manifest(&manifest_text);
    let versions_path = root.join(&manifest.versions);
    let versions_text = match fs::read_to_string(&versions_path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(e).into_diagnostic().wrap_err_with(|| format!("cannot read `{}`", versions_path.display()));
        }
    };
    let mut files = Vec::new();
    let skip = root.join(&manifest.out);
    collect(&root, &root, &skip, &mut files)?;
    files.sort();
    let mut sources: BTreeMap<String, String> = files.iter().cloned().collect();
    for m in stdlib::MODULES {
        sources.insert(m.path(), m.text.to_string());
    }
    sources.insert(MANIFEST.to_string(), manifest_text.clone());
    if let Some(v) = &versions_text {
        sources.insert(manifest.versions.clone(), v.clone());
    }
    let mut db = Database::default();
    let project = db.load_project(files, manifest_text, versions_text);
    Ok(Loaded { db, project, root, sources })
}

fn collect(root: &Path, dir: &Path, skip: &Path, out: &mut Vec<(String, String)>) -> Result<()> {
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
        } else if kind.is_file() && name.ends_with(".sinfra") {
            let text = fs::read_to_string(&path)
                .into_diagnostic()
                .wrap_err_with(|| format!("cannot read `{}`", path.display()))?;
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let rel =
                rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/");
            out.push((rel, text));
        }
    }
    Ok(())
}

/// The project-relative, `/`-separated form of `path` (which lies under `root`).
pub fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    Some(rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/"))
}
