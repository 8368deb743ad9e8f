//! A build killed at any moment leaves a complete output: the previous one or
//! the new one, never a mix; the next build finishes the job.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use sinfra_tests::{repo_root, sinfrac_bin};

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

fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(p.strip_prefix(root).unwrap().to_string_lossy().into_owned(), fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out
}

fn build(project: &Path, out: &Path) {
    let status = Command::new(sinfrac_bin()).args(["build", "--out"]).arg(out).current_dir(project).status().unwrap();
    assert!(status.success());
}

/// The example with 40 more copies of a service, so that a build takes a while.
fn big_project(dir: &Path) {
    copy_dir(&repo_root().join("examples/acme"), dir);
    let scheduler = fs::read_to_string(dir.join("services/scheduler.sinfra")).unwrap();
    let mut versions = fs::read_to_string(dir.join("versions.toml")).unwrap();
    let (top, rest) = versions
        .split_once("\n[")
        .map(|(a, b)| (a.to_string(), format!("\n[{b}")))
        .unwrap_or((versions.clone(), String::new()));
    let mut extra = String::new();
    for i in 0..40 {
        let copy = scheduler
            .replace("service scheduler", &format!("service scheduler{i}"))
            .replace("image(\"scheduler\")", &format!("image(\"scheduler{i}\")"));
        fs::write(dir.join(format!("services/scheduler{i}.sinfra")), copy).unwrap();
        extra.push_str(&format!("scheduler{i} = \"ghcr.io/acme/scheduler:1.0.{i}\"\n"));
    }
    versions = format!("{top}\n{extra}{rest}");
    fs::write(dir.join("versions.toml"), versions).unwrap();
}

#[test]
fn a_killed_build_leaves_old_or_new_output() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("acme");
    big_project(&project);
    let out = dir.path().join("deploy");
    build(&project, &out);
    let old = tree(&out);

    // The new output, built elsewhere.
    let api = project.join("services/api.sinfra");
    let text = fs::read_to_string(&api).unwrap();
    fs::write(&api, text.replace("MAX_BATCH_SIZE = \"500\"", "MAX_BATCH_SIZE = \"900\"")).unwrap();
    let reference = dir.path().join("reference");
    build(&project, &reference);
    let new = tree(&reference);
    assert_ne!(old, new);

    let mut saw_old = false;
    for delay_ms in [0, 2, 5, 10, 20, 40, 80, 160] {
        let mut child =
            Command::new(sinfrac_bin()).args(["build", "--out"]).arg(&out).current_dir(&project).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let now = tree(&out);
        assert!(now == old || now == new || now.is_empty(), "after a kill at {delay_ms} ms the output is a mix");
        if now.is_empty() {
            // Killed between the two renames: the previous tree waits beside it.
            let aside = tree(&out.with_file_name("deploy.sinfrac-old"));
            assert!(aside == old || aside == new, "the tree set aside is complete");
        }
        saw_old |= now == old;
        // The next build completes whatever was interrupted.
        build(&project, &out);
        assert_eq!(tree(&out), new);
        // Back to the old sources and output for the next round.
        fs::write(&api, &text).unwrap();
        build(&project, &out);
        assert_eq!(tree(&out), old);
        fs::write(&api, text.replace("MAX_BATCH_SIZE = \"500\"", "MAX_BATCH_SIZE = \"900\"")).unwrap();
    }
    assert!(saw_old, "some kill landed before the swap (the builds were too fast to test anything)");
}
