//! In-process timings through `sinfra-compiler`: the static checks alone
//! (syntax and names) against every diagnostic (with the per-stack tier
//! rules), each on a fresh database.

use std::fs;
use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

use sinfra_compiler::check::{check_item, project_diagnostics, syntax_diagnostics, warm};
use sinfra_compiler::db::Database;
use sinfra_compiler::items::file_items;

/// A project's texts, as the CLI's loader would hand them to the core.
#[derive(Clone, Debug)]
pub struct Sources {
    /// `.sinfra` files: path relative to the root (`/`-separated), text.
    pub files: Vec<(String, String)>,
    /// `sinfra.toml`.
    pub manifest: String,
    /// `versions.toml`, if present.
    pub versions: Option<String>,
}

/// Reads a project directory: every `.sinfra` file below `root`, skipping
/// hidden directories and `deploy` (the output directory).
pub fn load(root: &Path) -> io::Result<Sources> {
    let mut files = Vec::new();
    walk(root, root, &mut files)?;
    files.sort();
    let manifest = fs::read_to_string(root.join("sinfra.toml"))?;
    let versions = fs::read_to_string(root.join("versions.toml")).ok();
    Ok(Sources { files, manifest, versions })
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if path.is_dir() {
            if !file_name.starts_with('.') && file_name != "deploy" {
                walk(root, &path, out)?;
            }
        } else if path.extension().is_some_and(|e| e == "sinfra") {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let rel: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            out.push((rel.join("/"), fs::read_to_string(&path)?));
        }
    }
    Ok(())
}

/// Syntax diagnostics of every file and the static check of every item, on a
/// fresh database. Returns the time and the number of diagnostics.
pub fn syntax_and_names(src: &Sources) -> (Duration, usize) {
    let start = Instant::now();
    let mut db = Database::default();
    let project = db.load_project(src.files.clone(), src.manifest.clone(), src.versions.clone());
    let mut count = 0;
    for &file in project.files(&db) {
        count += syntax_diagnostics(&db, file).len();
        for &item in file_items(&db, file) {
            count += check_item(&db, project, item).len();
        }
    }
    (start.elapsed(), count)
}

/// `project_diagnostics` (everything, tier rules included) on a fresh
/// database; with `warm`, first [`warm`] on all cores, as `sinfrac check`
/// does. Returns the time and the number of diagnostics.
pub fn full_check(src: &Sources, parallel: bool) -> (Duration, usize) {
    let start = Instant::now();
    let mut db = Database::default();
    let project = db.load_project(src.files.clone(), src.manifest.clone(), src.versions.clone());
    if parallel {
        warm(&db, project, &[], true);
    }
    let count = project_diagnostics(&db, project).len();
    (start.elapsed(), count)
}

/// `emit::build_project`: every diagnostic and every stack's output files
/// rendered in memory on all cores (what `sinfrac build` does before
/// writing), on a fresh database. Returns the time, the number of files and
/// their bytes.
pub fn build(src: &Sources) -> (Duration, usize, usize) {
    let start = Instant::now();
    let mut db = Database::default();
    let project = db.load_project(src.files.clone(), src.manifest.clone(), src.versions.clone());
    let built = sinfra_compiler::emit::build_project(&db, project, &[]);
    let bytes = built.files.iter().map(|f| f.content.len()).sum();
    (start.elapsed(), built.files.len(), bytes)
}

/// An editor's keystroke: after a full check, one service body is edited (a
/// line added inside it) and the diagnostics are asked for again. Returns the
/// time of the edited file's diagnostics (what a language server pulls as you
/// type) and of every diagnostic of the project (what `check --watch` would).
pub fn edit_one_service(src: &Sources) -> (Duration, Duration) {
    let mut db = Database::default();
    let project = db.load_project(src.files.clone(), src.manifest.clone(), src.versions.clone());
    warm(&db, project, &[], true);
    let _ = project_diagnostics(&db, project);
    let Some(file) = project.files(&db).iter().copied().find(|f| f.path(&db).starts_with("services/")) else {
        return (Duration::ZERO, Duration::ZERO);
    };
    let text = file.text(&db).clone();
    let Some(at) = text.find("service ").and_then(|s| text[s..].find("{\n").map(|b| s + b + 2)) else {
        return (Duration::ZERO, Duration::ZERO);
    };
    let edited = format!("{}  // edited\n{}", &text[..at], &text[at..]);
    db.set_file_text(file, edited);
    let start = Instant::now();
    let _ = sinfra_compiler::check::file_diagnostics(&db, project, file);
    let file_time = start.elapsed();
    let start = Instant::now();
    let _ = project_diagnostics(&db, project);
    (file_time, file_time + start.elapsed())
}
