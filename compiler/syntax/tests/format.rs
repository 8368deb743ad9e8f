//! The formatter's promises on every `.sinfra` file of the repository:
//! idempotent, the same tree modulo spans, every comment kept in order;
//! files with syntax errors are refused. Plus mutated inputs never panic.

// Tests read the repository's files from disk; the crate itself does no IO.
#![allow(clippy::disallowed_methods)]

use std::fs;
use std::path::{Path, PathBuf};

use sinfra_syntax::format::verify::{comment_texts, same_tree};
use sinfra_syntax::{FormatError, format, parse};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.sinfra` file below the repository's source directories.
fn sinfra_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else { return };
        let mut entries: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        entries.sort();
        for p in entries {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with('.') || name == "target" {
                continue;
            }
            if p.is_dir() {
                walk(&p, out);
            } else if name.ends_with(".sinfra") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    for dir in ["stdlib", "examples", "tests", "bench", "fuzz", "compiler", "docs"] {
        walk(&repo().join(dir), &mut out);
    }
    out
}

/// The three promises on one text; `Err` texts must have syntax errors.
fn check_promises(path: &str, src: &str) -> Option<String> {
    let parsed = parse(src);
    match format(src) {
        Err(FormatError::Syntax { .. }) => {
            assert!(!parsed.errors.is_empty(), "{path}: refused without a syntax error");
            None
        }
        Err(e) => panic!("{path}: {e}"),
        Ok(out) => {
            assert!(parsed.errors.is_empty(), "{path}: formatted despite syntax errors");
            let again = parse(&out);
            assert!(again.errors.is_empty(), "{path}: the output does not parse:\n{out}");
            assert!(same_tree(&parsed.file, &again.file), "{path}: the tree changed:\n{out}");
            assert_eq!(comment_texts(src), comment_texts(&out), "{path}: comments changed");
            let twice = format(&out).unwrap_or_else(|e| panic!("{path}: second pass: {e}"));
            assert_eq!(out, twice, "{path}: not idempotent");
            assert!(out.lines().all(|l| l == l.trim_end()), "{path}: trailing whitespace");
            Some(out)
        }
    }
}

#[test]
fn promises_hold_on_every_repository_file() {
    let files = sinfra_files();
    assert!(files.len() > 50, "the repository's .sinfra files are missing ({})", files.len());
    let mut formatted = 0;
    for path in &files {
        let Ok(src) = fs::read_to_string(path) else { continue };
        let shown = path.strip_prefix(repo()).unwrap_or(path).display().to_string();
        if let Some(out) = check_promises(&shown, &src) {
            formatted += 1;
            if std::env::var_os("SINFRA_FMT_DUMP").is_some() && out != src {
                let dump = std::env::temp_dir().join("sinfra-fmt-dump").join(&shown);
                fs::create_dir_all(dump.parent().unwrap()).unwrap();
                fs::write(dump, out).unwrap();
            }
        }
    }
    assert!(formatted > 40, "too few files formatted: {formatted}");
}
