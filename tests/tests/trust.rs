//! The trust boundary, end to end with the real binary: every file the compiler
//! reads lies inside the project root once symbolic links are followed. Links
//! that stay inside are followed; links that lead out are an error (E0404)
//! naming the link and its target, and the target is never read or quoted.
#![cfg(unix)]

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use sinfra_tests::{Run, sinfrac};

/// In every file outside the project: it must never appear in any output.
const MARKER: &str = "MARKER_outside_c0ffee";

/// `<tmp>/proj` (the root, a valid project) and `<tmp>/outside` (holding the marker).
fn layout() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("proj");
    let outside = dir.path().join("outside");
    fs::create_dir_all(&root).unwrap();
    fs::create_dir_all(&outside).unwrap();
    fs::write(root.join("sinfra.toml"), "[project]\nname = \"demo\"\n").unwrap();
    fs::write(root.join("versions.toml"), "api = \"ghcr.io/acme/api:1.0.0\"\n").unwrap();
    fs::write(root.join("main.sinfra"), sinfra_tests::SMALL_PROJECT).unwrap();
    fs::write(outside.join("secret.sinfra"), format!("let leaked = \"{MARKER}\"\n")).unwrap();
    fs::write(outside.join("versions.toml"), format!("api = \"ghcr.io/acme/{MARKER}:1\"\n")).unwrap();
    (dir, root, outside)
}

/// Runs `check` in all three formats; each must fail with E0404 and never show the marker.
fn check_refuses(root: &Path, expected: &str) -> [Run; 3] {
    let runs = ["human", "json", "sarif"].map(|f| sinfrac(&["check", "--format", f], root));
    for run in &runs {
        assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
        assert!(!run.stdout.contains(MARKER) && !run.stderr.contains(MARKER), "{}{}", run.stdout, run.stderr);
    }
    assert!(runs[0].stderr.contains("error[E0404]"), "{}", runs[0].stderr);
    assert!(runs[0].stderr.contains(expected), "missing `{expected}` in:\n{}", runs[0].stderr);
    let doc: serde_json::Value = serde_json::from_str(&runs[1].stdout).expect("valid JSON");
    assert!(doc["diagnostics"].as_array().unwrap().iter().any(|d| d["code"] == "E0404"), "{doc}");
    let log: serde_json::Value = serde_json::from_str(&runs[2].stdout).expect("valid SARIF");
    assert_eq!(log["runs"][0]["results"][0]["ruleId"], "E0404", "{log}");
    runs
}

#[test]
fn links_inside_the_project_are_followed_once() {
    let (_dir, root, _) = layout();
    // A source reachable only through a link (hidden directories are not walked).
    fs::remove_file(root.join("main.sinfra")).unwrap();
    fs::create_dir(root.join(".shared")).unwrap();
    fs::write(root.join(".shared/platform.sinfra"), sinfra_tests::SMALL_PROJECT).unwrap();
    symlink(".shared/platform.sinfra", root.join("platform.sinfra")).unwrap();
    // A directory and a file reached both directly and through links: read once.
    fs::create_dir(root.join("lib")).unwrap();
    fs::write(root.join("lib/util.sinfra"), "let util = 1\n").unwrap();
    symlink("lib", root.join("lib_link")).unwrap();
    symlink("lib/util.sinfra", root.join("util_link.sinfra")).unwrap();
    // A link to itself's directory (a loop) is harmless.
    symlink(".", root.join("lib/loop")).unwrap();
    let run = sinfrac(&["check"], &root);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = sinfrac(&["eval", "--item", "util"], &root);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("util: 1"), "{}", run.stdout);
}

#[test]
fn a_source_linking_out_is_refused_unread() {
    let (_dir, root, outside) = layout();
    symlink(outside.join("secret.sinfra"), root.join("evil.sinfra")).unwrap();
    check_refuses(&root, "`evil.sinfra` resolves to `../outside/secret.sinfra`, outside the project root");
    // Through a linked directory, relative link text, and with `--watch`'s loader too (build).
    fs::remove_file(root.join("evil.sinfra")).unwrap();
    symlink("../outside", root.join("vendor")).unwrap();
    check_refuses(&root, "`vendor` resolves to `../outside`");
    let build = sinfrac(&["build"], &root);
    assert_eq!(build.code, 1, "{}", build.stderr);
    assert!(!root.join("deploy").exists(), "nothing written");
}

#[test]
fn a_versions_file_linking_out_is_refused_unread() {
    let (_dir, root, _) = layout();
    fs::remove_file(root.join("versions.toml")).unwrap();
    symlink("../outside/versions.toml", root.join("versions.toml")).unwrap();
    let [human, ..] = check_refuses(&root, "`versions.toml` resolves to `../outside/versions.toml`");
    assert!(human.stderr.contains("error: 1 error"), "the root cause only: {}", human.stderr);
    // The manifest too, even when it is found through the link.
    fs::remove_file(root.join("sinfra.toml")).unwrap();
    fs::write(root.parent().unwrap().join("outside/sinfra.toml"), format!("[project]\nname = \"{MARKER}\"\n")).unwrap();
    symlink("../outside/sinfra.toml", root.join("sinfra.toml")).unwrap();
    check_refuses(&root, "`sinfra.toml` resolves to `../outside/sinfra.toml`");
}

#[test]
fn the_output_directory_must_resolve_inside() {
    let (_dir, root, outside) = layout();
    fs::create_dir(outside.join("deploy")).unwrap();
    symlink("../outside/deploy", root.join("deploy")).unwrap();
    let run = sinfrac(&["build"], &root);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("`deploy` resolves to `../outside/deploy`"), "{}", run.stderr);
    assert_eq!(fs::read_dir(outside.join("deploy")).unwrap().count(), 0, "nothing written outside");
    // Named in sinfra.toml: located there.
    fs::write(root.join("sinfra.toml"), "[project]\nname = \"demo\"\nout = \"deploy\"\n").unwrap();
    let run = sinfrac(&["check"], &root);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("sinfra.toml:3:7"), "{}", run.stderr);
}
