//! `sinfrac fmt` end to end: `--check` lists and exits 1, `fmt` rewrites
//! and a second run is a no-op, a syntax error leaves the file untouched
//! (exit 2), standard input to standard output; and before/after snapshots
//! of `tests/format/*.sinfra`.

use std::fs;
use std::io::Write;
use std::process::{Command, Stdio};

use sinfra_tests::{repo_root, sinfrac, sinfrac_bin};

const MESSY: &str = "tier latest\nregion r = \"us-central1\"\n\n\n\nstack latest {\n    tier=latest\n  region =r\n  cluster= \"https://k8s\"\n}\nlet   xs=[1,2,3]   // the numbers\n";
const TIDY: &str = "tier latest\nregion r = \"us-central1\"\n\nstack latest {\n  tier = latest\n  region = r\n  cluster = \"https://k8s\"\n}\n\nlet xs = [1, 2, 3] // the numbers\n";

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix("sinfra-fmt-test").tempdir().expect("a temporary directory");
    fs::write(dir.path().join("sinfra.toml"), "[project]\nname = \"demo\"\n").expect("a manifest");
    for (rel, text) in files {
        let path = dir.path().join(rel);
        fs::create_dir_all(path.parent().expect("a parent")).expect("a directory");
        fs::write(path, text).expect("a source");
    }
    dir
}

#[test]
fn check_lists_then_fmt_fixes_then_nothing_to_do() {
    let dir = project(&[("platform.sinfra", MESSY), ("services/ok.sinfra", TIDY)]);
    let run = sinfrac(&["fmt", "--check"], dir.path());
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout, "platform.sinfra\n");
    assert_eq!(fs::read_to_string(dir.path().join("platform.sinfra")).unwrap(), MESSY, "--check writes nothing");

    let run = sinfrac(&["fmt"], dir.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(fs::read_to_string(dir.path().join("platform.sinfra")).unwrap(), TIDY);
    assert!(run.stderr.contains("reformatted 1 file"), "{}", run.stderr);

    let run = sinfrac(&["fmt"], dir.path());
    assert_eq!((run.code, run.stdout.as_str(), run.stderr.as_str()), (0, "", ""), "a second run is a no-op");
    let run = sinfrac(&["fmt", "--check"], dir.path());
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
    // No temporary file is left behind.
    let names: Vec<String> =
        fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().all(|n| !n.contains("sinfrac-fmt")), "{names:?}");
}

#[test]
fn a_single_file_and_a_directory() {
    let dir = project(&[("a.sinfra", MESSY), ("sub/b.sinfra", MESSY)]);
    let run = sinfrac(&["fmt", "a.sinfra"], dir.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(fs::read_to_string(dir.path().join("a.sinfra")).unwrap(), TIDY);
    assert_eq!(fs::read_to_string(dir.path().join("sub/b.sinfra")).unwrap(), MESSY, "only the named file");
    let run = sinfrac(&["fmt", "--check", "sub"], dir.path());
    assert_eq!((run.code, run.stdout.trim()), (1, "sub/b.sinfra"), "{}", run.stderr);
}

#[test]
fn a_syntax_error_leaves_the_file_untouched() {
    let broken = "let x   = 1\nlet y = #\n";
    let dir = project(&[("bad.sinfra", broken), ("good.sinfra", MESSY)]);
    let run = sinfrac(&["fmt"], dir.path());
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("bad.sinfra:2:9: syntax error: invalid character `#`"), "{}", run.stderr);
    assert_eq!(fs::read_to_string(dir.path().join("bad.sinfra")).unwrap(), broken);
    assert_eq!(fs::read_to_string(dir.path().join("good.sinfra")).unwrap(), TIDY, "the other files are formatted");
}

fn stdin_run(args: &[&str], input: &str) -> (i32, String, String) {
    let mut child = Command::new(sinfrac_bin())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs sinfrac");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("writes stdin");
    let out = child.wait_with_output().expect("sinfrac ends");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn standard_input_to_standard_output() {
    assert_eq!(stdin_run(&["fmt", "-"], MESSY), (0, TIDY.to_string(), String::new()));
    let (code, out, err) = stdin_run(&["fmt", "-"], "let = 1\n");
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.starts_with("<stdin>:1:5: syntax error"), "{err}");
    assert_eq!(stdin_run(&["fmt", "--check", "-"], TIDY).0, 0);
    assert_eq!(stdin_run(&["fmt", "--check", "-"], MESSY).0, 1);
}

#[test]
fn before_and_after_snapshots() {
    let dir = repo_root().join("tests/format");
    let mut names: Vec<_> = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    let mut seen = 0;
    for path in names.iter().filter(|p| p.extension().is_some_and(|e| e == "sinfra")) {
        let before = fs::read_to_string(path).unwrap();
        let after = sinfra_syntax::format(&before).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(sinfra_syntax::format(&after).as_deref(), Ok(after.as_str()), "idempotent");
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        insta::with_settings!({ snapshot_path => dir.join("snapshots"), prepend_module_to_snapshot => false, description => format!("{name}.sinfra formatted"), omit_expression => true }, {
            insta::assert_snapshot!(name, after);
        });
        seen += 1;
    }
    assert!(seen >= 4);
}
