//! End-to-end tests of `sinfrac build`, run against the real binary.
//!
//! - the bundled example's full output, as insta snapshots (one per output directory);
//! - every emitted document validated against Kubernetes' strict schemas and the Argo CD /
//!   Argo Rollouts CRDs by `tests/build_support/validate.py`, run by the Python of a virtual
//!   environment the tests create under the target directory (`sinfra_tests::python`); the
//!   emitter's output read by YAML 1.1 and 1.2 readers is `yaml_readers.rs`;
//! - determinism (repeated builds, thread counts, file layout);
//! - atomicity and safety of the output directory (errors, crashes, stale files, `--check`,
//!   `--stack`, foreign directories).
//!
//! The binary: an integration test of another package cannot use `CARGO_BIN_EXE_sinfrac`, and
//! stable Cargo cannot depend on a binary, so [`sinfrac`] runs `cargo build -p sinfrac` once with
//! the cargo, profile and target directory of this test executable. That is a no-op when the
//! binary is up to date and guarantees the tests never run a stale binary left from an older
//! build. `SINFRAC_BIN=/path/to/sinfrac` skips the build and tests that binary instead.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The marker file of an output directory.
const MARKER: &str = ".sinfrac-output";

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

fn example() -> PathBuf {
    repo_root().join("examples").join("acme")
}

fn validator() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("build_support").join("validate.py")
}

/// The `sinfrac` binary under test (see the module docs).
fn sinfrac() -> &'static Path {
    sinfra_tests::sinfrac_bin()
}

/// A finished `sinfrac` run.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().expect("sinfrac was killed by a signal"),
            stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
            stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
        }
    }

    #[track_caller]
    fn ok(self) -> Run {
        assert_eq!(self.code, 0, "sinfrac failed:\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }

    #[track_caller]
    fn code(self, want: i32) -> Run {
        assert_eq!(self.code, want, "unexpected exit code:\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }
}

/// `sinfrac build <project> --out <out> <extra…>`, without colours.
fn build_with(project: &Path, out: &Path, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(sinfrac());
    cmd.arg("build").arg(project).arg("--out").arg(out).args(extra).env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    Run::from(cmd.output().expect("cannot run sinfrac"))
}

fn build(project: &Path, out: &Path, extra: &[&str]) -> Run {
    build_with(project, out, extra, &[])
}

fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("sinfra-build-test").tempdir().expect("a temporary directory")
}

/// Every file below `dir` (relative `/`-separated path → bytes), the marker included.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display())) {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).expect("below the root");
                let rel: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
                out.insert(rel.join("/"), fs::read(&path).expect("a readable file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The project files of `src` (`sinfra.toml`, `*.toml`, `*.sinfra`; no output, nothing hidden),
/// as a list of relative paths, sorted.
fn project_files(src: &Path) -> Vec<PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).expect("a listable project directory") {
            let path = entry.expect("a directory entry").path();
            let name = path.file_name().and_then(OsStr::to_str).unwrap_or_default().to_string();
            if name.starts_with('.') || name == "deploy" {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, out);
            } else if name.ends_with(".sinfra") || name.ends_with(".toml") {
                out.push(path.strip_prefix(root).expect("below the root").to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(src, src, &mut out);
    out.sort();
    out
}

/// A copy of the example project in `dst`.
fn copy_example(dst: &Path) {
    for rel in project_files(&example()) {
        write(&dst.join(&rel), &fs::read_to_string(example().join(&rel)).expect("a readable project file"));
    }
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().expect("a parent")).expect("a directory");
    fs::write(path, text).expect("a writable file");
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Replaces `from` (which must occur) by `to` in a file.
#[track_caller]
fn edit(path: &Path, from: &str, to: &str) {
    let text = read(path);
    assert!(text.contains(from), "`{from}` not in {}", path.display());
    write(path, &text.replacen(from, to, 1));
}

/// `<out>.<suffix>`, the build's sibling directories.
fn sibling(out: &Path, suffix: &str) -> PathBuf {
    out.with_file_name(format!("{}.{suffix}", out.file_name().unwrap().to_string_lossy()))
}

#[track_caller]
fn assert_no_siblings(out: &Path) {
    for suffix in ["sinfrac-new", "sinfrac-old"] {
        assert!(!sibling(out, suffix).exists(), "`{}` left behind", sibling(out, suffix).display());
    }
}

/// A fresh build of the example into a temporary directory: (guard, output dir, its tree).
fn built_example() -> (tempfile::TempDir, PathBuf, BTreeMap<String, Vec<u8>>) {
    let dir = tempdir();
    let out = dir.path().join("deploy");
    build(&example(), &out, &[]).ok();
    let t = tree(&out);
    (dir, out, t)
}

/// Runs the validation environment's Python with `args` (`sinfra_tests::python`: found or
/// created under the target directory, or `SINFRA_PYTHON`).
fn python(args: &[&OsStr]) -> Run {
    let python = sinfra_tests::python::python();
    let out = Command::new(python).args(args).output().unwrap_or_else(|e| {
        panic!("cannot run `{}` ({e}): the build tests need Python 3", python.display());
    });
    let run = Run::from(out);
    assert_ne!(run.code, 3, "`{}` lacks a package the validator needs:\n{}", python.display(), run.stderr);
    run
}

fn validate(paths: &[&Path]) -> Run {
    let mut args: Vec<&OsStr> = vec![validator().as_os_str().to_owned().leak()];
    args.extend(paths.iter().map(|p| p.as_os_str()));
    python(&args)
}

// ---------------------------------------------------------------------------
// 1–2. The example's output, as a user sees it
// ---------------------------------------------------------------------------

/// The whole output of `examples/acme`, one snapshot per top-level directory
/// (`argocd`, then each stack), every file with its path.
#[test]
fn example_output_snapshots() {
    let (_dir, _out, files) = built_example();
    assert_eq!(
        files.get(MARKER).map(Vec::as_slice),
        Some(&b"This directory is generated by `sinfrac build`; its contents are replaced on every build.\n"[..])
    );
    let mut by_dir: BTreeMap<&str, String> = BTreeMap::new();
    for (path, bytes) in &files {
        let Some((dir, _)) = path.split_once('/') else {
            assert_eq!(path, MARKER, "unexpected file at the top of the output");
            continue;
        };
        let text = std::str::from_utf8(bytes).expect("UTF-8 output");
        let s = by_dir.entry(dir).or_default();
        s.push_str(&format!("=== {path} ===\n{text}"));
    }
    assert_eq!(by_dir.keys().copied().collect::<Vec<_>>(), ["argocd", "latest", "prod-eu", "prod-us", "staging"]);
    for (dir, text) in by_dir {
        insta::assert_snapshot!(format!("acme_{dir}"), text);
    }
}

/// Every document of the example's output is valid for its consumer (the Kubernetes API
/// server with strict field validation, Argo CD, Argo Rollouts), read as YAML 1.1.
#[test]
fn example_output_is_valid_kubernetes() {
    let (_dir, out, files) = built_example();
    let run = validate(&[&out]);
    assert_eq!(run.code, 0, "validate.py found problems:\n{}{}", run.stdout, run.stderr);
    let docs: usize = files.values().map(|b| String::from_utf8_lossy(b).matches("\n---\n").count()).sum();
    assert!(
        run.stdout.contains(&format!("validated {docs} documents in {} files", files.len() - 1)),
        "the validator did not see every document ({docs}):\n{}",
        run.stdout
    );
}

/// The validator is not vacuous: it rejects what the API server, Argo CD or Argo Rollouts
/// would reject, and YAML that a YAML 1.1 reader turns into the wrong types.
#[test]
fn validator_rejects_invalid_documents() {
    let dir = tempdir();
    let cases: &[(&str, &str, &str)] = &[
        (
            "deployment-unknown-field",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: a, image: a, bogus: 1}]}\n",
            "'bogus' was unexpected",
        ),
        (
            "configmap-wrong-type",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {a: 1}\n",
            "data.a: 1 is not of type 'string'",
        ),
        (
            "yaml11-boolean-key",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  on: x\n",
            "mapping key True is a bool",
        ),
        (
            "yaml11-boolean-value",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {a: yes}}\n",
            "metadata.labels.a: True is not of type 'string'",
        ),
        (
            "duplicate-key",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {a: x, a: y}\n",
            "duplicate key 'a'",
        ),
        ("unknown-kind", "apiVersion: example.com/v1\nkind: Frob\nmetadata: {name: a}\n", "unknown kind"),
        ("no-name", "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", "metadata.name are required"),
        (
            "duplicate-object",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
            "duplicate object",
        ),
        (
            "application-unknown-field",
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec:\n  project: p\n  destination: {server: 'https://x', namespace: n}\n  source: {repoURL: 'https://x', path: p, targetRevision: main, bogus: 1}\n",
            "spec.source: Additional properties are not allowed ('bogus' was unexpected)",
        ),
        (
            "application-missing-project",
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec:\n  destination: {server: 'https://x', namespace: n}\n",
            "'project' is a required property",
        ),
        (
            "application-bad-metadata",
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a, labelz: {}}\nspec:\n  project: p\n  destination: {server: 'https://x'}\n",
            "metadata: Additional properties are not allowed ('labelz' was unexpected)",
        ),
        (
            "rollout-unknown-step-field",
            "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: a}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: a, image: a}]}\n  strategy: {canary: {steps: [{setWeight: 10, bogus: 1}]}}\n",
            "spec.strategy.canary.steps.0: Additional properties are not allowed ('bogus' was unexpected)",
        ),
        (
            "rollout-pod-template",
            "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: a}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers: [{name: a, image: a, resources: {requests: {cpu: 1}}}]\n      volumes: [{name: v, bogusVolume: {}}]\n",
            "spec.template.spec.volumes.0: Additional properties are not allowed ('bogusVolume' was unexpected)",
        ),
    ];
    // One directory (one "stack") per case, one validator run for all of them.
    for (name, yaml, _) in cases {
        write(&dir.path().join(name).join("case.yaml"), yaml);
    }
    let run = validate(&[dir.path()]);
    assert_eq!(run.code, 1, "the validator accepted everything:\n{}{}", run.stdout, run.stderr);
    for (name, _, want) in cases {
        let file = dir.path().join(name).join("case.yaml");
        let prefix = format!("{}:", file.display());
        assert!(
            run.stdout.lines().any(|l| l.starts_with(&prefix) && l.contains(want)),
            "{name}: wanted a problem containing `{want}`, got:\n{}",
            run.stdout
        );
    }
}

// ---------------------------------------------------------------------------
// 4. Determinism
// ---------------------------------------------------------------------------

/// Two builds of the same sources are byte-identical, whatever the number of threads.
#[test]
fn builds_are_deterministic() {
    let (dir, _out, first) = built_example();
    let again = dir.path().join("again");
    build(&example(), &again, &[]).ok();
    assert!(tree(&again) == first, "a second build differs");
    for threads in ["1", "2", "4"] {
        let out = dir.path().join(format!("threads-{threads}"));
        build_with(&example(), &out, &[], &[("RAYON_NUM_THREADS", threads)]).ok();
        assert!(tree(&out) == first, "RAYON_NUM_THREADS={threads} gives a different output");
    }
}

/// The output does not depend on the order in which the file system lists the sources: a
/// copy whose files were created in the reverse order (on tmpfs and many other file systems
/// that changes the directory listing order) builds byte-identical output, headers included.
#[test]
fn output_does_not_depend_on_directory_listing_order() {
    let (dir, _out, reference) = built_example();
    let project = dir.path().join("reversed");
    for rel in project_files(&example()).into_iter().rev() {
        write(&project.join(&rel), &read(&example().join(&rel)));
    }
    let out = dir.path().join("out-reversed");
    build(&project, &out, &[]).ok();
    assert!(tree(&out) == reference, "creating the sources in another order changes the output");
}

/// Moving declarations between files — renaming every file so that the sorted order of the
/// paths is reversed, and merging two service files into one with their order swapped —
/// changes nothing but the provenance line of the headers (`generated by sinfrac from
/// <file>`), which must name the new file.
#[test]
fn output_does_not_depend_on_file_layout() {
    let (dir, _out, reference) = built_example();
    let project = dir.path().join("shuffled");
    let files = project_files(&example());
    let mut renamed = BTreeMap::new();
    for (i, rel) in files.iter().enumerate() {
        let name = rel.file_name().unwrap().to_string_lossy().into_owned();
        let new = if name.ends_with(".toml") {
            rel.clone() // sinfra.toml and the versions file keep their names
        } else {
            PathBuf::from(format!("z{:02}", files.len() - i)).join(format!("{:02}-{name}", files.len() - i))
        };
        renamed.insert(rel.to_string_lossy().replace('\\', "/"), new);
    }
    for (old, new) in &renamed {
        if old != "services/scheduler.sinfra" && old != "services/api.sinfra" {
            write(&project.join(new), &read(&example().join(old)));
        }
    }
    // `scheduler` and then `api` in one file, under api's new name.
    let scheduler = read(&example().join("services/scheduler.sinfra"));
    let api = read(&example().join("services/api.sinfra")).replacen("import std.k8s\n", "", 1);
    assert!(scheduler.starts_with("import std.k8s\n"), "scheduler.sinfra imports std.k8s first");
    let merged = &renamed["services/api.sinfra"];
    write(&project.join(merged), &format!("{scheduler}\n{api}"));

    let out = dir.path().join("out-shuffled");
    build(&project, &out, &[]).ok();
    let shuffled = tree(&out);
    assert_eq!(shuffled.keys().collect::<Vec<_>>(), reference.keys().collect::<Vec<_>>());
    let provenance = |text: &str| -> (String, String) {
        let (first, rest) = text.split_once('\n').expect("a header line");
        let source = first
            .strip_prefix("# generated by sinfrac from ")
            .and_then(|s| s.strip_suffix(" — do not edit"))
            .unwrap_or_else(|| panic!("unexpected first line `{first}`"));
        (source.to_string(), rest.to_string())
    };
    for (path, bytes) in &reference {
        if path == MARKER {
            assert_eq!(&shuffled[path], bytes);
            continue;
        }
        let (old_source, old_rest) = provenance(std::str::from_utf8(bytes).unwrap());
        let (new_source, new_rest) = provenance(std::str::from_utf8(&shuffled[path]).unwrap());
        assert_eq!(new_rest, old_rest, "{path}: the output changed with the file layout");
        let want = if old_source == "services/scheduler.sinfra" { "services/api.sinfra" } else { old_source.as_str() };
        assert_eq!(
            new_source,
            renamed[want].to_string_lossy().replace('\\', "/"),
            "{path}: the header names the wrong file"
        );
    }
}

// ---------------------------------------------------------------------------
// 5. Atomicity and safety of the output directory
// ---------------------------------------------------------------------------

/// A type error anywhere: exit 1, nothing written, the previous output byte-identical.
#[test]
fn error_keeps_previous_output() {
    let dir = tempdir();
    let project = dir.path().join("acme");
    copy_example(&project);
    let out = dir.path().join("deploy");
    build(&project, &out, &[]).ok();
    let before = tree(&out);

    edit(&project.join("services/console.sinfra"), "port        = 3000", "port        = \"3000\"");
    let run = build(&project, &out, &[]).code(1);
    assert!(run.stderr.contains("services/console.sinfra"), "the error names the file:\n{}", run.stderr);
    assert!(run.stderr.contains("nothing written"), "{}", run.stderr);
    assert!(tree(&out) == before, "a failed build changed the output");
    assert_no_siblings(&out);
}

/// A missing entry in the versions file: exit 1 with one E0401 naming the service, every
/// stack and the file; the previous output is kept.
#[test]
fn missing_version_is_e0401() {
    let dir = tempdir();
    let project = dir.path().join("acme");
    copy_example(&project);
    let out = dir.path().join("deploy");
    build(&project, &out, &[]).ok();
    let before = tree(&out);

    edit(&project.join("versions.toml"), "notifier        = \"ghcr.io/acme/notifier:1.3.0\"\n", "");
    let run = build(&project, &out, &[]).code(1);
    // One root cause, one diagnostic: it names the first stack and lists them all.
    let want = "error[E0401]: no image version for `notifier` in stack `latest`";
    assert!(run.stderr.contains(want), "missing `{want}` in:\n{}", run.stderr);
    assert_eq!(run.stderr.matches("error[E0401]").count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("in stacks latest, staging, prod_us, prod_eu"), "{}", run.stderr);
    assert!(run.stderr.contains("in `versions.toml`"), "{}", run.stderr);
    assert!(run.stderr.contains("services/notifier.sinfra:6:14"), "{}", run.stderr);
    assert!(run.stderr.contains("add `notifier = \"registry/notifier:TAG\"` to `versions.toml`"), "{}", run.stderr);
    assert!(tree(&out) == before, "a failed build changed the output");
    assert_no_siblings(&out);
}

/// An older sinfrac (which swapped whole trees) killed while writing the new tree left
/// `<out>.sinfrac-new` half-written: the next build discards it and writes a complete output.
#[test]
fn recovers_from_half_written_new_tree() {
    let (dir, out, reference) = built_example();
    let new = sibling(&out, "sinfrac-new");
    write(&new.join("prod-us/api.yaml"), "# generated by sinfrac from services/api.sinfra — do not edit\n---\napiVers");
    write(&new.join("prod-us/zombie.yaml"), "half");
    build(&example(), &out, &[]).ok();
    assert!(tree(&out) == reference, "the output is not the complete build");
    assert_no_siblings(&out);
    let _ = dir;
}

/// An older sinfrac killed between its two renames left no `<out>`, the previous tree in
/// `<out>.sinfrac-old` and a new one in `<out>.sinfrac-new`: the next build (even a partial
/// `--stack` build, which keeps the other stacks' files from the previous tree) restores
/// and completes the output.
#[test]
fn recovers_from_crash_between_renames() {
    for extra in [&[][..], &["--stack", "prod_us"][..]] {
        let (dir, out, reference) = built_example();
        fs::rename(&out, sibling(&out, "sinfrac-old")).unwrap();
        write(&sibling(&out, "sinfrac-new").join("latest/api.yaml"), "apiVersion: v1\nki");
        build(&example(), &out, extra).ok();
        assert!(tree(&out) == reference, "{extra:?}: the output is not complete after recovery");
        assert_no_siblings(&out);
        let _ = dir;
    }
}

/// An older sinfrac killed after the swap but before removing `<out>.sinfrac-old`: the next
/// build removes it and keeps a complete output.
#[test]
fn recovers_from_crash_after_swap() {
    let (dir, out, reference) = built_example();
    write(&sibling(&out, "sinfrac-old").join("latest/api.yaml"), "old");
    build(&example(), &out, &[]).ok();
    assert!(tree(&out) == reference);
    assert_no_siblings(&out);
    let _ = dir;
}

/// `text` without whitespace and the frame miette draws when it wraps a long message.
fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace() && *c != '│').collect()
}

/// Inode and modification time of every file below `dir`.
#[cfg(unix)]
fn identities(dir: &Path) -> BTreeMap<String, (u64, std::time::SystemTime)> {
    use std::os::unix::fs::MetadataExt;
    tree(dir)
        .into_keys()
        .map(|p| {
            let meta = fs::metadata(dir.join(&p)).unwrap();
            (p, (meta.ino(), meta.modified().unwrap()))
        })
        .collect()
}

/// A rebuild writes only the files whose bytes changed (each renamed in from a temporary
/// file, so a new inode), leaves every other file untouched, and says so.
#[cfg(unix)]
#[test]
fn a_rebuild_writes_only_what_changed() {
    let dir = tempdir();
    let project = dir.path().join("acme");
    copy_example(&project);
    let out = dir.path().join("deploy");
    let run = build(&project, &out, &[]).ok();
    assert!(run.stderr.contains("37 written, 0 removed, 0 unchanged"), "{}", run.stderr);
    let before = identities(&out);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let run = build(&project, &out, &[]).ok();
    assert!(run.stderr.contains("0 written, 0 removed, 37 unchanged"), "{}", run.stderr);
    assert_eq!(identities(&out), before, "an unchanged build touched a file");

    edit(&project.join("services/api.sinfra"), "SDK_CONFIG_TTL = \"30s\"", "SDK_CONFIG_TTL = \"45s\"");
    let run = build(&project, &out, &[]).ok();
    assert!(run.stderr.contains("4 written, 0 removed, 33 unchanged"), "{}", run.stderr);
    let after = identities(&out);
    let changed: Vec<&String> = before.keys().filter(|p| before[*p] != after[*p]).collect();
    assert_eq!(changed, ["latest/api.yaml", "prod-eu/api.yaml", "prod-us/api.yaml", "staging/api.yaml"]);
    assert!(!tree(&out).keys().any(|p| p.contains(".sinfrac-tmp") || p.contains("journal")));
}

/// A file where the build writes a directory, and a directory where it writes a file, are
/// replaced (the output directory is sinfrac's); `--check` reports both first.
#[test]
fn files_and_directories_in_the_way_are_replaced() {
    let (dir, out, reference) = built_example();
    fs::remove_file(out.join("latest/api.yaml")).unwrap();
    write(&out.join("latest/api.yaml/notes.yaml"), "a directory where a file goes");
    fs::remove_dir_all(out.join("staging")).unwrap();
    write(&out.join("staging"), "a file where a directory goes");
    let run = build(&example(), &out, &["--check"]).code(1);
    assert!(run.stdout.contains("missing: latest/api.yaml"), "{}", run.stdout);
    assert!(run.stdout.contains("stale: staging (no source produces it any more)"), "{}", run.stdout);
    build(&example(), &out, &[]).ok();
    assert!(tree(&out) == reference, "the output is not the complete build");
    let _ = dir;
}

/// An output the build cannot write: exit 2 with the path and a fix, the previous output
/// untouched, nothing of the build left behind (no journal, no temporary file).
#[test]
fn an_unwritable_output_is_an_error_naming_the_path() {
    let dir = tempdir();
    let project = dir.path().join("acme");
    copy_example(&project);
    let out = dir.path().join("deploy");
    build(&project, &out, &[]).ok();
    let before = tree(&out);
    edit(&project.join("services/api.sinfra"), "SDK_CONFIG_TTL = \"30s\"", "SDK_CONFIG_TTL = \"45s\"");

    // Something that cannot be replaced where a temporary file goes.
    let blocker = out.join("prod-us/.api.yaml.sinfrac-tmp");
    write(&blocker.join("x"), "in the way");
    let run = build(&project, &out, &[]).code(2);
    assert!(squeezed(&run.stderr).contains("prod-us/.api.yaml.sinfrac-tmp"), "the path:\n{}", run.stderr);
    fs::remove_dir_all(&blocker).unwrap();
    assert!(tree(&out) == before, "a failed build changed the output");

    // A directory without write permission (root may write anyway: then there is nothing to see).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let stack = out.join("prod-us");
        fs::set_permissions(&stack, fs::Permissions::from_mode(0o555)).unwrap();
        let privileged = fs::write(stack.join("probe"), "").is_ok();
        let _ = fs::remove_file(stack.join("probe"));
        if !privileged {
            let run = build(&project, &out, &[]).code(2);
            assert!(squeezed(&run.stderr).contains("deploy/prod-us"), "the path:\n{}", run.stderr);
            assert!(squeezed(&run.stderr).contains("maketheoutputdirectorywritable"), "{}", run.stderr);
            assert!(tree(&out) == before, "a failed build changed the output");
        }
        fs::set_permissions(&stack, fs::Permissions::from_mode(0o755)).unwrap();
    }
    build(&project, &out, &[]).ok();
    assert!(!tree(&out).keys().any(|p| p.contains(".sinfrac-tmp") || p.contains("journal")));
}

/// A build interrupted after its commit point (crashed on purpose at each step in turn until
/// one leaves its journal) is finished by `plan`, which then plans nothing.
#[test]
fn an_interrupted_build_is_finished_by_plan() {
    let dir = tempdir();
    let project = dir.path().join("acme");
    copy_example(&project);
    build(&project, &project.join("deploy"), &[]).ok();
    let before = tree(&project.join("deploy"));
    edit(&project.join("services/api.sinfra"), "SDK_CONFIG_TTL = \"30s\"", "SDK_CONFIG_TTL = \"45s\"");
    let journal = project.join("deploy/.sinfrac-journal");
    for n in 1.. {
        assert!(n < 100, "no crash left a journal");
        let out = project.join("deploy");
        fs::remove_dir_all(&out).unwrap();
        for (p, b) in &before {
            fs::create_dir_all(out.join(p).parent().unwrap()).unwrap();
            fs::write(out.join(p), b).unwrap();
        }
        let run = build_with(&project, &out, &[], &[("SINFRAC_TEST_CRASH_AFTER", &n.to_string())]).code(86);
        let _ = run;
        if journal.exists() {
            break;
        }
    }
    let run = Run::from(Command::new(sinfrac()).arg("plan").arg(&project).env("NO_COLOR", "1").output().unwrap());
    assert_eq!(run.code, 0, "the finished build is what the sources produce:\n{}{}", run.stdout, run.stderr);
    assert!(!journal.exists(), "plan finished the interrupted build");
    assert!(read(&project.join("deploy/prod-us/api.yaml")).contains("SDK_CONFIG_TTL: 45s"));
}

/// Removing a service removes its files from every stack at the next build (here in
/// unprotected tiers only: deletion protection is `tests/protect.rs`).
#[test]
fn stale_files_disappear() {
    let dir = tempdir();
    let project = dir.path().join("acme");
    copy_example(&project);
    edit(
        &project.join("services/scheduler.sinfra"),
        "service scheduler: k8s.Worker {",
        "service scheduler: k8s.Worker @[latest, staging] {",
    );
    let out = dir.path().join("deploy");
    build(&project, &out, &[]).ok();
    let before = tree(&out);
    assert!(before.contains_key("staging/scheduler.yaml"));

    fs::remove_file(project.join("services/scheduler.sinfra")).unwrap();
    build(&project, &out, &[]).ok();
    let after = tree(&out);
    let mut want = before.clone();
    want.retain(|path, _| !path.ends_with("/scheduler.yaml"));
    assert_eq!(before.len() - want.len(), 2, "scheduler runs in the two unprotected stacks");
    assert_eq!(after.keys().collect::<Vec<_>>(), want.keys().collect::<Vec<_>>());
    assert!(after == want, "the other files changed");
}

/// `build --check`: exit 0 on fresh output; exit 1 with a unified diff after a hand edit, and
/// naming stale and missing files; it never writes.
#[test]
fn check_reports_differences() {
    let (dir, out, reference) = built_example();
    let run = build(&example(), &out, &["--check"]).ok();
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(run.stderr.contains("is up to date (37 files)"), "{}", run.stderr);

    edit(&out.join("prod-us/api.yaml"), "  replicas: 6\n", "  replicas: 7\n");
    write(&out.join("latest/old-service.yaml"), "# generated by sinfrac\n");
    fs::remove_file(out.join("staging/console.yaml")).unwrap();
    let edited = tree(&out);
    let run = build(&example(), &out, &["--check"]).code(1);
    let diff = "--- a/prod-us/api.yaml\n+++ b/prod-us/api.yaml\n@@ -";
    assert!(run.stdout.contains(diff), "no unified diff of the edited file:\n{}", run.stdout);
    assert!(run.stdout.contains("\n-  replicas: 7\n+  replicas: 6\n"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("hand-edited: prod-us/api.yaml (edited after sinfrac wrote it; the sources did not change)"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("stale: latest/old-service.yaml"), "{}", run.stdout);
    assert!(run.stdout.contains("missing: staging/console.yaml"), "{}", run.stdout);
    assert!(run.stderr.contains("is not what the sources produce"), "{}", run.stderr);
    assert!(tree(&out) == edited, "--check wrote something");

    // Only the selected stack is compared.
    build(&example(), &out, &["--check", "--stack", "latest"]).code(1);
    build(&example(), &out, &["--check", "--stack", "prod_eu"]).ok();

    // A rebuild makes it pass again.
    build(&example(), &out, &[]).ok();
    assert!(tree(&out) == reference);
    build(&example(), &out, &["--check"]).ok();

    // A directory that does not exist: everything is missing.
    let run = build(&example(), &dir.path().join("nothing"), &["--check"]).code(1);
    assert_eq!(run.stdout.matches("missing: ").count(), 37, "{}", run.stdout);
    assert!(!dir.path().join("nothing").exists());
}

/// A non-empty directory without the marker is never replaced; an empty one is used, and an
/// earlier output (with the marker) is replaced whole.
#[test]
fn refuses_foreign_directories() {
    let dir = tempdir();
    let out = dir.path().join("precious");
    write(&out.join("notes.txt"), "not generated");
    let run = build(&example(), &out, &[]).code(2);
    assert!(run.stderr.contains("refusing to replace"), "{}", run.stderr);
    assert!(run.stderr.contains(".sinfrac-output"), "{}", run.stderr);
    assert_eq!(tree(&out), BTreeMap::from([("notes.txt".to_string(), b"not generated".to_vec())]));
    assert_no_siblings(&out);

    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    build(&example(), &empty, &[]).ok();
    assert!(empty.join(MARKER).is_file());

    // Anything in an output directory is replaced, hand-added files included.
    write(&empty.join("latest/added-by-hand.yaml"), "x");
    build(&example(), &empty, &[]).ok();
    assert!(!empty.join("latest/added-by-hand.yaml").exists());
}

/// `--stack prod_us` rebuilds that stack's directory and Application and keeps every other
/// file byte-identical, even when the sources changed for other stacks too.
#[test]
fn stack_selection_keeps_other_stacks() {
    let dir = tempdir();
    let project = dir.path().join("acme");
    copy_example(&project);
    let out = dir.path().join("deploy");
    build(&project, &out, &[]).ok();
    let before = tree(&out);

    // Prod changes (both prod stacks), and a stale file in prod-us and in latest.
    edit(&project.join("services/api.sinfra"), "prod => 6", "prod => 8");
    write(&out.join("prod-us/removed.yaml"), "stale");
    write(&out.join("latest/removed.yaml"), "stale");
    for selector in ["prod_us", "prod-us"] {
        let run = build(&project, &out, &["--stack", selector]).ok();
        assert!(run.stderr.contains("for 1 stacks"), "{}", run.stderr);
        let after = tree(&out);
        for (path, bytes) in &before {
            let changed = after.get(path) != Some(bytes);
            assert_eq!(changed, path == "prod-us/api.yaml", "{selector}: {path} changed: {changed}");
        }
        assert!(String::from_utf8_lossy(&after["prod-us/api.yaml"]).contains("  replicas: 8\n"));
        assert!(!after.contains_key("prod-us/removed.yaml"), "{selector}: the selected stack's stale file stays");
        assert_eq!(after.get("latest/removed.yaml").map(Vec::as_slice), Some(&b"stale"[..]));
        assert_eq!(after.len(), before.len() + 1);
        assert_no_siblings(&out);
    }

    let run = build(&project, &out, &["--stack", "prod"]).code(2);
    assert!(run.stderr.contains("unknown stack `prod`"), "{}", run.stderr);
    assert!(run.stderr.contains("latest, staging, prod_us, prod_eu"), "{}", run.stderr);
}

/// BUG (reported): `--stack S` treats `<any stack>/S.yaml` as S's Argo CD Application file,
/// so when a stack is named like a service, a partial build of that stack deletes the
/// service's files from every other stack (and `--check --stack S` calls them stale).
#[test]
fn stack_selection_with_stack_named_like_a_service() {
    let dir = tempdir();
    let project = dir.path().join("acme");
    copy_example(&project);
    let platform = project.join("platform.sinfra");
    let extra = "\nstack api {\n  tier      = latest\n  region    = europe_west1\n  cluster   = \"https://k8s-api.acme.internal\"\n  namespace = \"acme\"\n}\n";
    write(&platform, &format!("{}{extra}", read(&platform)));
    let out = dir.path().join("deploy");
    build(&project, &out, &[]).ok();
    let before = tree(&out);
    assert!(before.contains_key("latest/api.yaml") && before.contains_key("argocd/api.yaml"));
    build(&project, &out, &["--check", "--stack", "api"]).ok();
    build(&project, &out, &["--stack", "api"]).ok();
    assert!(tree(&out) == before, "`--stack api` changed other stacks' files");
}

/// `build --stack S` checks and renders only what stack S needs: a mistake that
/// only another stack computes does not stop it (a CI job per stack does that
/// stack's work), while the full build and `check` still refuse.
#[test]
fn stack_build_judges_only_its_stack() {
    let dir = tempdir();
    let project = dir.path().join("acme");
    copy_example(&project);
    // Only `latest` computes the broken value.
    edit(
        &project.join("services/api.sinfra"),
        "  cpu      = match tier { prod => 1500m, _ => 250m }",
        "  cpu      = match tier { latest => 8 / 0, _ => 250m }",
    );
    let out = dir.path().join("deploy");
    let run = build(&project, &out, &["--stack", "prod_us"]).ok();
    assert!(run.stderr.contains("for 1 stacks"), "{}", run.stderr);
    assert!(tree(&out).keys().any(|p| p.starts_with("prod-us/")), "prod_us was written");
    let full = build(&project, &out, &[]).code(1);
    assert!(full.stderr.contains("division by zero"), "{}", full.stderr);
    assert!(full.stderr.contains("in stack `latest`"), "{}", full.stderr);
}

/// `build --check` tells a stale file (the sources changed) from a hand-edited one:
/// the header records the hash of the documents sinfrac wrote.
#[test]
fn check_tells_stale_from_hand_edited() {
    let dir = tempdir();
    let project = dir.path().join("acme");
    copy_example(&project);
    let out = dir.path().join("deploy");
    build(&project, &out, &[]).ok();
    let header = read(&out.join("latest/api.yaml"));
    assert!(header.lines().nth(2).is_some_and(|l| l.starts_with("# content-sha256: ")), "{header}");
    edit(&project.join("services/api.sinfra"), "SDK_CONFIG_TTL = \"30s\"", "SDK_CONFIG_TTL = \"45s\"");
    let run = build(&project, &out, &["--check"]).code(1);
    assert!(run.stdout.contains("stale: latest/api.yaml (the sources changed since it was built)"), "{}", run.stdout);
    assert!(!run.stdout.contains("hand-edited"), "{}", run.stdout);
    edit(&out.join("latest/api.yaml"), "  replicas: 1\n", "  replicas: 3\n");
    let run = build(&project, &out, &["--check"]).code(1);
    assert!(
        run.stdout.contains("hand-edited: latest/api.yaml (edited after sinfrac wrote it, and the sources changed)"),
        "{}",
        run.stdout
    );
}
