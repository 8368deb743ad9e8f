//! Helpers of the end-to-end tests that edit a copy of the example project.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use sinfra_tests::{Run, repo_root};

/// A copy of the example's sources (no output) in a fresh temporary directory.
pub fn example_copy() -> (tempfile::TempDir, PathBuf) {
    fn copy(from: &Path, to: &Path) {
        fs::create_dir_all(to).expect("a directory");
        for entry in fs::read_dir(from).expect("a listable directory") {
            let path = entry.expect("an entry").path();
            let name = path.file_name().expect("a name").to_string_lossy().into_owned();
            if name.starts_with('.') || name == "deploy" {
                continue;
            }
            if path.is_dir() {
                copy(&path, &to.join(&name));
            } else if name.ends_with(".sinfra") || name.ends_with(".toml") {
                fs::copy(&path, to.join(&name)).expect("a copied file");
            }
        }
    }
    let dir = tempfile::Builder::new().prefix("sinfra-protect-test").tempdir().expect("a temporary directory");
    let project = dir.path().join("acme");
    copy(&repo_root().join("examples").join("acme"), &project);
    (dir, project)
}

/// Every file below `dir`, by relative path.
pub fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in fs::read_dir(&d).expect("a listable directory") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                todo.push(path);
            } else {
                out.insert(path.strip_prefix(dir).expect("below").to_path_buf(), fs::read(&path).expect("readable"));
            }
        }
    }
    out
}

#[track_caller]
pub fn expect(run: Run, code: i32) -> Run {
    assert_eq!(run.code, code, "unexpected exit code:\nstdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    run
}

#[track_caller]
pub fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).expect("a readable file");
    assert!(text.contains(from), "`{from}` not in {}", path.display());
    fs::write(path, text.replacen(from, to, 1)).expect("a writable file");
}
