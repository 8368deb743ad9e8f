//! `sinfrac build --watch`: an edit rewrites only the files it changed, and an
//! error leaves the output untouched.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, SystemTime};

use sinfra_tests::{repo_root, sinfrac_bin};

struct Watcher {
    child: Child,
    lines: Receiver<String>,
}

impl Watcher {
    fn start(project: &Path) -> Watcher {
        let mut child = Command::new(sinfrac_bin())
            .args(["build", "--watch"])
            .current_dir(project)
            .env("NO_COLOR", "1")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("starts sinfrac --watch");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Watcher { child, lines }
    }

    /// Waits for a line containing `needle`; returns it.
    fn wait_for(&self, needle: &str) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        let mut seen = Vec::new();
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(line) => seen.push(line),
                Err(_) => break,
            }
        }
        panic!("no line containing `{needle}`; saw:\n{}", seen.join("\n"));
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn copy_dir(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).unwrap();
    for e in fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            if e.file_name() != "deploy" {
                copy_dir(&e.path(), &to);
            }
        } else {
            fs::copy(e.path(), to).unwrap();
        }
    }
}

fn mtimes(dir: &Path) -> Vec<(PathBuf, SystemTime)> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            out.extend(mtimes(&e.path()));
        } else {
            out.push((e.path(), e.metadata().unwrap().modified().unwrap()));
        }
    }
    out.sort();
    out
}

#[test]
fn an_edit_rewrites_only_what_it_touched() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("acme");
    copy_dir(&repo_root().join("examples/acme"), &project);
    let watcher = Watcher::start(&project);
    watcher.wait_for("watching");
    let out = project.join("deploy");
    let before = mtimes(&out);
    std::thread::sleep(Duration::from_millis(50));

    let api = project.join("services/api.sinfra");
    let text = fs::read_to_string(&api).unwrap();
    fs::write(&api, text.replace("SDK_CONFIG_TTL = \"30s\"", "SDK_CONFIG_TTL = \"45s\"")).unwrap();
    let line = watcher.wait_for("rebuilt in");
    assert!(line.contains("4 files written"), "one file per stack: {line}");
    let after = mtimes(&out);
    let changed: Vec<String> = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b != a)
        .map(|(b, _)| b.0.strip_prefix(&out).unwrap().to_string_lossy().replace('\\', "/"))
        .collect();
    assert_eq!(changed, ["latest/api.yaml", "prod-eu/api.yaml", "prod-us/api.yaml", "staging/api.yaml"]);
    assert!(fs::read_to_string(out.join("prod-us/api.yaml")).unwrap().contains("SDK_CONFIG_TTL: 45s"));

    // An error: reported, nothing written.
    let broken = fs::read_to_string(&api).unwrap().replace("image(\"api\")", "image(\"api\")\n  replica = 2");
    fs::write(&api, broken).unwrap();
    watcher.wait_for("error[E0104]");
    watcher.wait_for("not written");
    assert_eq!(mtimes(&out), after, "an error leaves the output untouched");

    // Removing a service of protected stacks is refused, as by `build`: its files stay.
    fs::remove_file(project.join("services/notifier.sinfra")).unwrap();
    fs::write(&api, &text).unwrap();
    watcher.wait_for("refusing to delete");
    assert!(out.join("prod-us/notifier.yaml").exists(), "a refused deletion deleted");

    // Allowed in source (only the prod objects are protected), it is built: its files disappear.
    let platform = project.join("platform.sinfra");
    let allows: Vec<String> = ["prod_us", "prod_eu"]
        .iter()
        .flat_map(|s| {
            [
                "ConfigMap/notifier-config",
                "Deployment/notifier",
                "PodDisruptionBudget/notifier",
                "ServiceAccount/notifier",
            ]
            .map(|k| format!("{{ object = \"{s}/{k}\", reason = \"retired\" }}"))
        })
        .collect();
    let platform_text = fs::read_to_string(&platform).unwrap().replace(
        "  argo_project    = \"acme\"\n",
        &format!("  argo_project    = \"acme\"\n  allow_delete = [{}]\n", allows.join(", ")),
    );
    fs::write(&platform, platform_text).unwrap();
    watcher.wait_for("rebuilt in");
    let gone = (0..200).any(|_| {
        std::thread::sleep(Duration::from_millis(50));
        !out.join("prod-us/notifier.yaml").exists()
    });
    assert!(gone, "the removed service's files disappear");
    assert!(out.join("prod-us/api.yaml").exists());
    let leftovers: Vec<_> = mtimes(&out)
        .into_iter()
        .map(|(p, _)| p.to_string_lossy().into_owned())
        .filter(|p| p.ends_with(".sinfrac-tmp") || p.ends_with(".sinfrac-journal"))
        .collect();
    assert!(leftovers.is_empty(), "the watcher leaves none of its own files: {leftovers:?}");
}
