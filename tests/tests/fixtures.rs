//! Fixture-driven diagnostics tests: every `tests/cases/<area>/<name>.sinfra`
//! is checked against its inline `//~` annotations and snapshotted (source +
//! compact diagnostics) in `tests/tests/snapshots/`. Also: the stdlib and the
//! bundled example check clean. The format is described in `tests/README.md`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sinfra_compiler::diagnostics::Code;
use sinfra_tests::{
    DEFAULT_MANIFEST, DEFAULT_VERSIONS, check_project, is_stdlib, parse_annotations, render, run_fixture,
};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cases_dir() -> PathBuf {
    manifest_dir().join("cases")
}

/// Every file under `dir` whose name ends with `ext`, sorted, as (path relative to `dir` with `/`, path).
fn files_under(dir: &Path, ext: &str) -> Vec<(String, PathBuf)> {
    fn walk(root: &Path, dir: &Path, ext: &str, out: &mut Vec<(String, PathBuf)>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(root, &p, ext, out);
            } else if p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(ext)) {
                let rel = p.strip_prefix(root).unwrap();
                let rel: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
                out.push((rel.join("/"), p));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, ext, &mut out);
    out
}

fn relative_case_path(path: &Path) -> String {
    let rel = path.strip_prefix(cases_dir()).expect("fixture under tests/cases");
    rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/")
}

/// Every fixture: annotations must match the diagnostics exactly, and the
/// rendered diagnostics must match the snapshot.
#[test]
fn fixtures() {
    let mut failures: Vec<String> = Vec::new();
    insta::glob!("../cases", "**/*.sinfra", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let rel = relative_case_path(path);
        let outcome = run_fixture(&rel, &text);
        for p in &outcome.problems {
            eprintln!("{p}");
        }
        failures.extend(outcome.problems);
        insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!("fixture", outcome.snapshot);
        });
    });
    assert!(failures.is_empty(), "fixtures disagree with their annotations:\n{}", failures.join("\n"));
}

/// `check` and `build` agree on every fixture: the same diagnostics (code,
/// severity and location), so the pre-commit gate never passes what CI refuses.
#[test]
fn check_and_build_report_the_same() {
    let mut failures = Vec::new();
    for (rel, path) in files_under(&cases_dir(), ".sinfra") {
        let text = std::fs::read_to_string(&path).unwrap();
        let fixture = sinfra_tests::Fixture::parse(&rel, &text).unwrap();
        let key = |d: &sinfra_compiler::diagnostics::Diagnostic| (d.code, d.severity, d.location().clone());
        let check: Vec<_> = fixture.diagnostics().iter().map(key).collect();
        let build: Vec<_> = sinfra_tests::build_project_diagnostics(
            vec![(rel.clone(), text.clone())],
            &fixture.manifest,
            fixture.versions.as_deref(),
        )
        .iter()
        .map(key)
        .collect();
        if check != build {
            failures.push(format!("{rel}:\n  check: {check:?}\n  build: {build:?}"));
        }
    }
    assert!(failures.is_empty(), "check and build disagree:\n{}", failures.join("\n"));
}

/// The one-shot build that streams each stack's files (`sinfrac build`) and the
/// memoized one (`--watch`, `plan`) report the same diagnostics and produce the
/// same files, on every fixture and on the example.
#[test]
fn streamed_and_memoized_builds_agree() {
    use sinfra_compiler::db::Database;
    use sinfra_compiler::emit::{self, OutputFile};
    /// (name, sources, manifest, versions file)
    type Project = (String, Vec<(String, String)>, String, Option<String>);
    let mut projects: Vec<Project> = Vec::new();
    for (rel, path) in files_under(&cases_dir(), ".sinfra") {
        let text = std::fs::read_to_string(&path).unwrap();
        let fixture = sinfra_tests::Fixture::parse(&rel, &text).unwrap();
        projects.push((rel.clone(), vec![(rel, text)], fixture.manifest, fixture.versions));
    }
    let example = manifest_dir().parent().unwrap().join("examples/acme");
    let sources = files_under(&example, ".sinfra")
        .into_iter()
        .map(|(rel, path)| (rel, std::fs::read_to_string(path).unwrap()))
        .collect();
    let read = |name: &str| std::fs::read_to_string(example.join(name)).unwrap();
    projects.push(("examples/acme".into(), sources, read("sinfra.toml"), Some(read("versions.toml"))));
    let mut failures = Vec::new();
    for (name, files, manifest, versions) in projects {
        let mut db = Database::default();
        let project = db.load_project(files.clone(), manifest.clone(), versions.clone());
        let memoized = emit::build_project(&db, project, &[]);
        let mut db = Database::default();
        let project = db.load_project(files, manifest, versions);
        let streamed = std::sync::Mutex::new(Vec::<OutputFile>::new());
        let (diags, sunk) = emit::build_project_streaming(&db, project, &[], &|files| -> Result<(), ()> {
            streamed.lock().unwrap().extend(files);
            Ok(())
        });
        assert_eq!(sunk, Ok(()));
        let mut streamed = streamed.into_inner().unwrap();
        streamed.sort_by(|a, b| a.path.cmp(&b.path));
        let errors = diags.iter().any(|d| d.is_error());
        if name == "examples/acme" {
            assert!(!errors && streamed.len() == 37, "the example builds: {diags:?}");
        }
        if diags != memoized.diags {
            failures.push(format!("{name}: the diagnostics differ"));
        } else if !errors && streamed != memoized.files {
            failures.push(format!("{name}: the files differ"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Codes no single-file fixture can produce: the loader reports them from the
/// files on disk (their bytes, their symbolic links) before the compiler sees
/// any text. Each is proven instead by an end-to-end test of the real binary:
/// (code, file under `tests/tests/`, test function).
const PROVEN_END_TO_END: &[(&str, &str, &str)] =
    &[("E0004", "cli.rs", "files_that_are_not_utf8_are_diagnostics"), ("E0404", "trust.rs", "check_refuses")];

/// Every diagnostic code is proven by at least one fixture annotation, or by
/// an end-to-end test listed in [`PROVEN_END_TO_END`] that names the code.
#[test]
fn every_code_has_a_fixture() {
    let mut seen = BTreeSet::new();
    for (rel, path) in files_under(&cases_dir(), ".sinfra") {
        let text = std::fs::read_to_string(&path).unwrap();
        for e in parse_annotations(&rel, &text).unwrap() {
            seen.insert(e.code);
        }
    }
    for (code, file, test) in PROVEN_END_TO_END {
        let text = std::fs::read_to_string(manifest_dir().join("tests").join(file)).unwrap();
        let start = text.find(&format!("fn {test}(")).unwrap_or_else(|| panic!("no test `{test}` in {file}"));
        let body = &text[start..text[start..].find("\n}\n").map_or(text.len(), |e| start + e)];
        assert!(body.contains(code), "`{test}` in {file} does not mention {code}");
        seen.insert(code.to_string());
    }
    let missing: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).filter(|c| !seen.contains(*c)).collect();
    assert!(missing.is_empty(), "codes no fixture expects: {missing:?}");
}

/// The smallest complete platform: one tier, one region, one stack.
const MINIMAL_PLATFORM: &str = r#"platform { ops_repo = "https://github.com/acme/ops.git" }
tier latest
region us = "us-central1"
stack latest { tier = latest, region = us, cluster = "https://k8s-latest" }
"#;

/// The stdlib type-checks: a project with no items of its own but a minimal
/// platform reports nothing at all, in particular nothing in `std/…`.
#[test]
fn stdlib_checks_clean() {
    let diags = check_project(
        vec![("platform.sinfra".into(), MINIMAL_PLATFORM.into())],
        DEFAULT_MANIFEST,
        Some(DEFAULT_VERSIONS),
    );
    let sources = [("platform.sinfra", MINIMAL_PLATFORM)];
    assert!(diags.is_empty(), "{}", render(&diags, &sources));

    // Importing every module changes nothing.
    let text = format!("import std.k8s\nimport std.gcp\nimport std.argocd\n{MINIMAL_PLATFORM}");
    let diags = check_project(vec![("platform.sinfra".into(), text.clone())], DEFAULT_MANIFEST, None);
    let sources = [("platform.sinfra", text.as_str())];
    assert!(diags.is_empty(), "{}", render(&diags, &sources));

    // Without any project file, whatever is reported is not in the stdlib.
    let diags = check_project(Vec::new(), DEFAULT_MANIFEST, None);
    let in_std: Vec<_> = diags.into_iter().filter(|d| d.labels.iter().any(|l| is_stdlib(&l.location.path))).collect();
    assert!(in_std.is_empty(), "{}", render(&in_std, &[]));
}

/// The bundled example `examples/acme` checks with no diagnostic at all.
#[test]
fn acme_example_checks_clean() {
    let root = manifest_dir().join("../examples/acme");
    let files: Vec<(String, String)> = files_under(&root, ".sinfra")
        .into_iter()
        .map(|(rel, path)| (rel, std::fs::read_to_string(path).unwrap()))
        .collect();
    assert!(files.len() >= 5, "examples/acme has its files");
    let manifest = std::fs::read_to_string(root.join("sinfra.toml")).unwrap();
    let versions = std::fs::read_to_string(root.join("versions.toml")).unwrap();
    let diags = check_project(files.clone(), &manifest, Some(&versions));
    let sources: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    assert!(diags.is_empty(), "examples/acme:\n{}", render(&diags, &sources));
}
