//! A build killed at any moment leaves a complete output: the previous one, or
//! a journal that the next sinfrac command (a build, `build --check`, `plan`)
//! rolls forward to the new one — never a mix that looks finished. The next
//! build finishes the job, and `build --check` reports no drift after it.
//!
//! The rebuild under test is incremental: files change, appear and vanish.
//! It is interrupted by `kill -9` at many moments, and by an injected crash
//! (`SINFRAC_TEST_CRASH_AFTER=N`) at every step that changes the directory.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Instant;

use sinfra_tests::{repo_root, sinfrac_bin};

/// The exit code of a crash injected by `SINFRAC_TEST_CRASH_AFTER`.
const CRASHED: i32 = 86;
const JOURNAL: &str = ".sinfrac-journal";
const MARKER: &str = ".sinfrac-output";

type Tree = BTreeMap<String, Vec<u8>>;

fn copy_dir(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).unwrap();
    for e in fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            if e.file_name() != "deploy" {
                copy_dir(&e.path(), &dst.join(e.file_name()));
            }
        } else {
            fs::copy(e.path(), dst.join(e.file_name())).unwrap();
        }
    }
}

/// Every file below `dir`, sinfrac's own included.
fn tree(dir: &Path) -> Tree {
    fn walk(root: &Path, dir: &Path, out: &mut Tree) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out
}

/// The output as its consumers see it: without sinfrac's journal and temporary files.
fn visible(tree: &Tree) -> Tree {
    let own = |p: &str| {
        let name = p.rsplit('/').next().unwrap_or(p);
        p == JOURNAL || (name.starts_with('.') && name.ends_with(".sinfrac-tmp"))
    };
    tree.iter().filter(|(p, _)| !own(p)).map(|(p, b)| (p.clone(), b.clone())).collect()
}

/// Replaces `dir` with exactly `files`.
fn restore(dir: &Path, files: &Tree) {
    if dir.exists() {
        fs::remove_dir_all(dir).unwrap();
    }
    for (rel, bytes) in files {
        let p = dir.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes).unwrap();
    }
}

fn sinfrac(project: &Path, args: &[&str], crash_after: Option<usize>) -> Output {
    let mut cmd = Command::new(sinfrac_bin());
    cmd.args(args).current_dir(project).env("NO_COLOR", "1");
    if let Some(n) = crash_after {
        cmd.env("SINFRAC_TEST_CRASH_AFTER", n.to_string());
    }
    cmd.output().unwrap()
}

#[track_caller]
fn build(project: &Path, out: &Path) {
    let run = sinfrac(project, &["build", "--out", out.to_str().unwrap()], None);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
}

/// The example, plus a copy of `scheduler` for each of `copies`, placed in the
/// unprotected stacks only (removing one is no protected deletion); `batch` is
/// api's `MAX_BATCH_SIZE`, and copy 1 gets one more argument when `verbose`.
fn write_sources(dir: &Path, copies: std::ops::Range<usize>, batch: &str, verbose: bool) {
    if dir.exists() {
        fs::remove_dir_all(dir).unwrap();
    }
    copy_dir(&repo_root().join("examples/acme"), dir);
    let scheduler = fs::read_to_string(dir.join("services/scheduler.sinfra")).unwrap();
    for i in copies {
        let mut copy = scheduler
            .replace(
                "service scheduler: k8s.Worker {",
                &format!("service scheduler{i}: k8s.Worker @[latest, staging] {{"),
            )
            .replace("image(\"scheduler\")", &format!("image(\"scheduler{i}\")"));
        if i == 1 && verbose {
            copy = copy.replace("[\"--leader-elect\"]", "[\"--leader-elect\", \"--verbose\"]");
        }
        fs::write(dir.join(format!("services/scheduler{i}.sinfra")), copy).unwrap();
    }
    let versions = fs::read_to_string(dir.join("versions.toml")).unwrap();
    let (top, rest) = versions.split_once("\n[").unwrap();
    let extra: String = (0..64).map(|i| format!("scheduler{i} = \"ghcr.io/acme/scheduler:1.0.{i}\"\n")).collect();
    fs::write(dir.join("versions.toml"), format!("{top}\n{extra}\n[{rest}")).unwrap();
    let api = dir.join("services/api.sinfra");
    let text = fs::read_to_string(&api).unwrap();
    assert!(text.contains("MAX_BATCH_SIZE = \"500\""));
    fs::write(&api, text.replace("MAX_BATCH_SIZE = \"500\"", &format!("MAX_BATCH_SIZE = \"{batch}\""))).unwrap();
}

/// An incremental rebuild: the old output in `out`, the new one's sources in
/// `project`, and both trees. Copy 0 vanishes, copy `n` appears, api's files
/// (4 stacks) and copy 1's (2 stacks) change.
struct Rebuild {
    dir: tempfile::TempDir,
    old: Tree,
    new: Tree,
}

impl Rebuild {
    fn new(copies: usize) -> Rebuild {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("acme");
        write_sources(&project, 0..copies, "500", false);
        build(&project, &dir.path().join("reference-old"));
        write_sources(&project, 1..copies + 1, "900", true);
        build(&project, &dir.path().join("reference-new"));
        let old = tree(&dir.path().join("reference-old"));
        let new = tree(&dir.path().join("reference-new"));
        let changed = new.iter().filter(|(p, b)| old.get(*p).is_some_and(|o| o != *b)).count();
        let added = new.keys().filter(|p| !old.contains_key(*p)).count();
        let removed = old.keys().filter(|p| !new.contains_key(*p)).count();
        assert_eq!((changed, added, removed), (6, 2, 2), "4 api files and 2 of copy 1; a copy × 2 stacks each way");
        Rebuild { dir, old, new }
    }

    fn project(&self) -> std::path::PathBuf {
        self.dir.path().join("acme")
    }

    fn out(&self) -> std::path::PathBuf {
        self.dir.path().join("deploy")
    }

    fn out_arg(&self) -> String {
        self.out().to_str().unwrap().to_string()
    }

    /// What `build --check` must say about the old tree: every path that differs, and how.
    fn drift_of_old(&self) -> BTreeSet<String> {
        let mut want = BTreeSet::new();
        for (p, b) in self.new.iter().filter(|(p, _)| *p != MARKER) {
            match self.old.get(p) {
                Some(o) if o != b => want.insert(format!("stale: {p} (the sources changed since it was built)")),
                Some(_) => false,
                None => want.insert(format!("missing: {p} (not built yet)")),
            };
        }
        for p in self.old.keys().filter(|p| *p != MARKER && !self.new.contains_key(*p)) {
            want.insert(format!("stale: {p} (no source produces it any more)"));
        }
        want
    }

    /// After an interrupted build: the tree is the old one (no journal) or on its way to
    /// the new one (a journal); `build --check` finishes it and reports exactly the drift
    /// of the state it finds, no more; the next build completes it and `--check` passes.
    #[track_caller]
    fn assert_recovers(&self, when: &str, crash_in_recovery: bool) -> bool {
        let (project, out) = (self.project(), self.out());
        let journal = out.join(JOURNAL).exists();
        let now = visible(&tree(&out));
        if journal {
            for (p, b) in &now {
                assert!(
                    self.old.get(p) == Some(b) || self.new.get(p) == Some(b),
                    "{when}: `{p}` is neither its old nor its new version"
                );
            }
        } else {
            assert!(now == self.old || now == self.new, "{when}: no journal, yet the output is a mix");
        }
        if journal && crash_in_recovery {
            // Recovery is idempotent: a crash in the middle of it is finished by the next one.
            let run = sinfrac(&project, &["build", "--check", "--out", &self.out_arg()], Some(1));
            if run.status.code() == Some(CRASHED) {
                assert!(out.join(JOURNAL).exists(), "{when}: a crashed recovery dropped the journal");
            }
        }
        let check = sinfrac(&project, &["build", "--check", "--out", &self.out_arg()], None);
        let (stdout, stderr) = (String::from_utf8_lossy(&check.stdout), String::from_utf8_lossy(&check.stderr));
        assert!(!out.join(JOURNAL).exists(), "{when}: `build --check` finishes the interrupted build");
        let state = visible(&tree(&out));
        if state == self.new {
            assert_eq!(check.status.code(), Some(0), "{when}: spurious drift:\n{stdout}{stderr}");
            assert!(tree(&out) == self.new, "{when}: a finished build leaves nothing of its own");
            return journal;
        }
        assert!(state == self.old, "{when}: after recovery the output is a mix");
        assert!(!journal, "{when}: a journal was rolled forward, yet the output is the old one");
        assert_eq!(check.status.code(), Some(1), "{when}:\n{stdout}{stderr}");
        let said: BTreeSet<String> = stdout
            .lines()
            .filter(|l| ["stale: ", "missing: ", "hand-edited: "].iter().any(|s| l.starts_with(s)))
            .map(str::to_string)
            .collect();
        assert_eq!(said, self.drift_of_old(), "{when}: `build --check` of the old tree");
        let run = sinfrac(&project, &["build", "--out", &self.out_arg()], None);
        assert!(run.status.success(), "{when}: {}", String::from_utf8_lossy(&run.stderr));
        assert!(tree(&out) == self.new, "{when}: the next build does not leave exactly the new output");
        journal
    }

    /// The new output passes `build --check`.
    #[track_caller]
    fn assert_checks_clean(&self) {
        restore(&self.out(), &self.new);
        let check = sinfrac(&self.project(), &["build", "--check", "--out", &self.out_arg()], None);
        assert_eq!(check.status.code(), Some(0), "{}", String::from_utf8_lossy(&check.stdout));
    }
}

/// `kill -9` at many moments of a rebuild (the delays spread over its run time).
#[test]
fn a_killed_build_leaves_old_or_new_output() {
    let rebuild = Rebuild::new(20);
    let (project, out) = (rebuild.project(), rebuild.out());
    restore(&out, &rebuild.old);
    let started = Instant::now();
    build(&project, &out);
    let took = started.elapsed();
    let mut saw_old = false;
    for i in 0..12u32 {
        restore(&out, &rebuild.old);
        let delay = took * i / 10;
        let mut child = Command::new(sinfrac_bin())
            .args(["build", "--out", &rebuild.out_arg()])
            .current_dir(&project)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        saw_old |= visible(&tree(&out)) == rebuild.old;
        rebuild.assert_recovers(&format!("killed after {delay:?}"), false);
    }
    assert!(saw_old, "some kill landed before the commit (the builds were too fast to test anything)");
    rebuild.assert_checks_clean();
}

/// A crash injected at every step that changes the directory, in turn, until the
/// build gets through: before the commit the old tree stays, after it a journal
/// is rolled forward (even by `build --check`, even if that crashes too).
#[test]
fn a_build_crashed_at_any_step_is_finished_by_the_next_command() {
    let rebuild = Rebuild::new(4);
    let project = rebuild.project();
    let (mut before_commit, mut after_commit) = (0, 0);
    for n in 1.. {
        restore(&rebuild.out(), &rebuild.old);
        let run = sinfrac(&project, &["build", "--out", &rebuild.out_arg()], Some(n));
        if run.status.success() {
            assert!(tree(&rebuild.out()) == rebuild.new, "the build that was not crashed");
            break;
        }
        assert_eq!(run.status.code(), Some(CRASHED), "{}", String::from_utf8_lossy(&run.stderr));
        if rebuild.assert_recovers(&format!("crashed at step {n}"), true) {
            after_commit += 1;
        } else {
            before_commit += 1;
        }
        assert!(n < 500, "the build never gets through");
    }
    // 8 staged files; 8 renames and 2 deletions after the commit.
    assert!(before_commit >= 8, "{before_commit} crash points before the commit");
    assert!(after_commit >= 10, "{after_commit} crash points after the commit");
    rebuild.assert_checks_clean();
}
