//! Terminal snippets are safe to print and small, end to end: control
//! characters of the source are shown escaped, a huge line is shown as a
//! window around the label, and positions in headers stay the real ones
//! (a byte order mark is not a column).

use std::fs;
use std::path::Path;

use sinfra_tests::sinfrac;

fn project(source: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("sinfra.toml"), "[project]\nname = \"demo\"\n").unwrap();
    fs::write(dir.path().join("main.sinfra"), source).unwrap();
    dir
}

/// The `line:column` of the first diagnostic, from `--format json`.
fn json_position(dir: &Path) -> String {
    let json = sinfrac(&["check", "--format", "json"], dir);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("valid JSON");
    let start = &doc["diagnostics"][0]["start"];
    format!("{}:{}", start["line"], start["column"])
}

#[test]
fn a_one_line_megabyte_file_prints_a_window_around_the_error() {
    let half = "x".repeat(500_000);
    let dir = project(format!("let a = \"{half}\" + nope + \"{half}\"\n").as_bytes());
    let run = sinfrac(&["check"], dir.path());
    assert_eq!(run.code, 1, "{}", &run.stderr[..run.stderr.len().min(2_000)]);
    assert!(run.stderr.len() < 100_000, "{} bytes of human output", run.stderr.len());
    // `let a = "` (9) + 500,000 + `" + ` (4): `nope` starts at column 500,014.
    assert_eq!(json_position(dir.path()), "1:500014");
    assert!(run.stderr.contains("error[E0101]: unknown name `nope`"), "{}", run.stderr);
    assert!(run.stderr.contains("main.sinfra:1:500014"), "{}", run.stderr);
    assert!(run.stderr.contains("…xxxx"), "the cut start is marked: {}", run.stderr);
    assert!(run.stderr.contains("\" + nope + \"yyyy") || run.stderr.contains("\" + nope + \"xxxx"), "{}", run.stderr);
}

#[test]
fn control_characters_are_shown_escaped() {
    let dir = project(b"let a = \"x\0y\x1b[31mz\" + 1\n");
    let run = sinfrac(&["check"], dir.path());
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!run.stderr.contains('\0') && !run.stderr.contains('\x1b'), "raw control characters: {:?}", run.stderr);
    assert!(run.stderr.contains(r#"let a = "x\0y\u{1b}[31mz" + 1"#), "{}", run.stderr);
    assert!(run.stderr.contains("main.sinfra:1:9"), "{}", run.stderr);
    // The label still points at the expression: its underline starts under `"`.
    let source_line = run.stderr.lines().find(|l| l.contains("let a =")).unwrap();
    let underline = run.stderr.lines().skip_while(|l| !l.contains("let a =")).nth(1).unwrap();
    let quote = source_line.find('"').unwrap();
    assert_eq!(underline.find('─'), Some(quote), "\n{source_line}\n{underline}");
}

#[test]
fn a_byte_order_mark_is_neither_drawn_nor_counted() {
    let dir = project("\u{FEFF}let a = nope\n".as_bytes());
    let run = sinfrac(&["check"], dir.path());
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("main.sinfra:1:9"), "{}", run.stderr);
    assert!(!run.stderr.contains('\u{FEFF}'), "{:?}", run.stderr);
    assert_eq!(json_position(dir.path()), "1:9");
}
