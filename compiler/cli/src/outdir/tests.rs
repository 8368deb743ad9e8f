//! The protocol's steps, each interrupted or disturbed by hand.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::time::Duration;

use super::journal::{self, Journal};
use super::*;

/// Every file below `dir` (`/`-separated relative path → text), sinfrac's own files included.
fn tree(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            if fs::symlink_metadata(&p).unwrap().is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(rel, fs::read_to_string(&p).unwrap_or_else(|_| "<not a file>".into()));
            }
        }
    }
    let mut out = BTreeMap::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out
}

/// An error's messages, causes and help on one line.
fn text(e: &miette::Report) -> String {
    let mut parts: Vec<String> = e.chain().map(|c| c.to_string()).collect();
    parts.extend(e.help().map(|h| format!("help: {h}")));
    parts.join(": ")
}

fn files(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = pairs.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect();
    out.insert(MARKER.to_string(), String::from_utf8(MARKER_TEXT.to_vec()).unwrap());
    out
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// An output directory holding `pairs` (and the marker).
fn output(pairs: &[(&str, &str)]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("out");
    let out = OutDir::open(&root, Access::Write { list: true }).unwrap();
    let txn = out.transaction();
    for (p, t) in pairs {
        txn.stage(p, t.as_bytes()).unwrap();
    }
    txn.commit().unwrap();
    drop(out);
    assert_eq!(tree(&root), files(pairs));
    (dir, root)
}

const OLD: &[(&str, &str)] = &[("a/keep.yaml", "keep"), ("a/change.yaml", "v1"), ("b/gone.yaml", "gone")];
const NEW: &[(&str, &str)] = &[("a/keep.yaml", "keep"), ("a/change.yaml", "v2"), ("c/new.yaml", "new")];

/// Stages `NEW` over `OLD` as a build does: the changed and new files, the vanished deleted.
fn stage_new(txn: &Transaction<'_>) {
    txn.stage("a/change.yaml", b"v2").unwrap();
    txn.stage("c/new.yaml", b"new").unwrap();
    txn.delete("b/gone.yaml");
}

#[test]
fn a_commit_writes_what_changed_and_leaves_nothing_of_its_own() {
    let (_dir, root) = output(OLD);
    let out = OutDir::open(&root, Access::Write { list: true }).unwrap();
    assert_eq!(out.files().collect::<Vec<_>>(), ["a/change.yaml", "a/keep.yaml", "b/gone.yaml"]);
    assert_eq!(out.compare("a/keep.yaml", b"keep").unwrap(), Compared::Same);
    assert_eq!(out.compare("a/change.yaml", b"v2").unwrap(), Compared::Differs(Some(b"v1".to_vec())));
    assert_eq!(out.compare("c/new.yaml", b"new").unwrap(), Compared::Differs(None));
    let inode = |p: &str| fs::metadata(root.join(p)).unwrap().modified().unwrap();
    let kept = inode("a/keep.yaml");
    std::thread::sleep(Duration::from_millis(20));
    let txn = out.transaction();
    stage_new(&txn);
    assert_eq!(txn.commit().unwrap(), Summary { written: 2, removed: 1 });
    assert_eq!(tree(&root), files(NEW), "the emptied directory `b` is gone too");
    assert!(!root.join("b").exists());
    assert_eq!(inode("a/keep.yaml"), kept, "an unchanged file is not rewritten");
}

#[test]
fn a_transaction_dropped_before_its_commit_changes_nothing() {
    let (_dir, root) = output(OLD);
    let before = tree(&root);
    let out = OutDir::open(&root, Access::Write { list: true }).unwrap();
    let txn = out.transaction();
    stage_new(&txn);
    assert!(root.join("a/.change.yaml.sinfrac-tmp").is_file(), "staged beside its target");
    drop(txn);
    assert_eq!(tree(&root), before);
    assert!(!root.join("c").exists(), "the directory made for a staged file is removed");
}

#[test]
fn temporary_files_without_a_journal_are_rolled_back() {
    let (_dir, root) = output(OLD);
    let before = tree(&root);
    // A build killed while staging.
    write(&root, "a/.change.yaml.sinfrac-tmp", "v2");
    write(&root, "c/.new.yaml.sinfrac-tmp", "new");
    write(&root, ".sinfrac-journal.sinfrac-tmp", "{\"vers");
    let reader = OutDir::open(&root, Access::Read).unwrap();
    assert_eq!(reader.files().collect::<Vec<_>>(), ["a/change.yaml", "a/keep.yaml", "b/gone.yaml"]);
    drop(reader);
    OutDir::open(&root, Access::Write { list: true }).unwrap();
    assert_eq!(tree(&root), before);
}

/// Commits `NEW`'s journal over `OLD` by hand and applies its first `steps`
/// renames and deletions: a build killed after its commit point.
fn interrupted_after_commit(root: &Path, renames_done: usize) {
    let mut j = Journal::new();
    for (rel, text) in [("a/change.yaml", "v2"), ("c/new.yaml", "new")] {
        let (dir, name) = rel.split_once('/').unwrap();
        let temp = format!("{dir}/.{name}{TEMP_SUFFIX}");
        write(root, &temp, text);
        j.renames.push((temp, rel.to_string()));
    }
    j.deletes.push("b/gone.yaml".into());
    let prepared = journal::prepare(root, &j).unwrap();
    journal::commit(root, prepared).unwrap();
    for (temp, target) in j.renames.iter().take(renames_done) {
        fs::rename(root.join(temp), root.join(target)).unwrap();
    }
}

#[test]
fn a_journal_is_rolled_forward_by_readers_and_writers() {
    for done in 0..=2 {
        for access in [Access::Read, Access::Write { list: true }] {
            let (_dir, root) = output(OLD);
            interrupted_after_commit(&root, done);
            let out = OutDir::open(&root, access).unwrap();
            assert_eq!(out.files().collect::<Vec<_>>(), ["a/change.yaml", "a/keep.yaml", "c/new.yaml"]);
            assert_eq!(tree(&root), files(NEW), "{done} renames done, {access:?}");
        }
    }
}

#[test]
fn a_file_where_a_directory_goes_and_the_reverse_are_replaced() {
    let (_dir, root) = output(&[("a", "a file"), ("b/c.yaml/x.yaml", "a directory")]);
    let out = OutDir::open(&root, Access::Write { list: true }).unwrap();
    let txn = out.transaction();
    txn.stage("a/b.yaml", b"in a").unwrap();
    txn.stage("b/c.yaml", b"c").unwrap();
    assert_eq!(tree(&root).get("a").map(String::as_str), Some("a file"), "nothing visible before the commit");
    for gone in out.files().filter(|p| !["a/b.yaml", "b/c.yaml"].contains(p)) {
        txn.delete(gone);
    }
    txn.commit().unwrap();
    assert_eq!(tree(&root), files(&[("a/b.yaml", "in a"), ("b/c.yaml", "c")]));
}

#[test]
fn an_error_while_staging_keeps_the_previous_tree() {
    let (_dir, root) = output(OLD);
    let before = tree(&root);
    let out = OutDir::open(&root, Access::Write { list: true }).unwrap();
    let txn = out.transaction();
    txn.stage("c/new.yaml", b"new").unwrap();
    // Something unwritable where the temporary file goes.
    fs::create_dir_all(root.join("a/.change.yaml.sinfrac-tmp/x")).unwrap();
    let err = txn.stage("a/change.yaml", b"v2").unwrap_err();
    assert!(text(&err).contains(".change.yaml.sinfrac-tmp"), "the error names the path: {err}");
    drop(txn);
    fs::remove_dir_all(root.join("a/.change.yaml.sinfrac-tmp")).unwrap();
    assert_eq!(tree(&root), before);
    assert!(!root.join(JOURNAL).exists());
}

#[test]
fn an_error_writing_the_journal_keeps_the_previous_tree() {
    let (_dir, root) = output(OLD);
    let before = tree(&root);
    fs::create_dir_all(root.join(".sinfrac-journal.sinfrac-tmp/x")).unwrap();
    let out = OutDir::open(&root, Access::Write { list: true }).unwrap();
    let txn = out.transaction();
    stage_new(&txn);
    let err = txn.commit().unwrap_err();
    assert!(text(&err).contains(".sinfrac-journal.sinfrac-tmp"), "{err:?}");
    fs::remove_dir_all(root.join(".sinfrac-journal.sinfrac-tmp")).unwrap();
    assert_eq!(tree(&root), before, "the staged files are removed");
}

#[test]
fn an_error_after_the_commit_keeps_the_journal_for_the_next_run() {
    let (_dir, root) = output(OLD);
    let out = OutDir::open(&root, Access::Write { list: true }).unwrap();
    let txn = out.transaction();
    stage_new(&txn);
    // A directory appears where a staged file goes, after it was staged.
    write(&root, "c/new.yaml/blocker", "x");
    let err = txn.commit().unwrap_err();
    assert!(text(&err).contains("journal is kept"), "{err:?}");
    assert!(root.join(JOURNAL).is_file());
    drop(out);
    let again = OutDir::open(&root, Access::Read).err().expect("the cause is still there");
    assert!(text(&again).contains("new.yaml"), "{again:?}");
    fs::remove_dir_all(root.join("c/new.yaml")).unwrap();
    OutDir::open(&root, Access::Read).unwrap();
    assert_eq!(tree(&root), files(NEW));
}

#[test]
fn a_damaged_journal_is_an_error_with_a_fix() {
    let (_dir, root) = output(OLD);
    write(
        &root,
        JOURNAL,
        "{\"version\": 1, \"clear_dirs\": [], \"clear_files\": [], \"renames\": [], \"deletes\": [\"../../x\"]}",
    );
    let err = OutDir::open(&root, Access::Write { list: true }).err().expect("refused");
    let text = text(&err);
    assert!(text.contains("is damaged") && text.contains("../../x") && text.contains("delete it"), "{text}");
}

#[test]
fn foreign_directories_and_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "mine/notes.txt", "x");
    let err = OutDir::open(&dir.path().join("mine"), Access::Write { list: true }).err().expect("refused");
    assert!(text(&err).contains("not written by sinfrac"), "{err:?}");
    write(dir.path(), "file", "x");
    let err = OutDir::open(&dir.path().join("file"), Access::Write { list: true }).err().expect("refused");
    assert!(text(&err).contains("is not a directory"), "{err:?}");
    // Reading a directory that does not exist: an empty output.
    let out = OutDir::open(&dir.path().join("nothing"), Access::Read).unwrap();
    assert!(out.is_empty());
    assert!(!dir.path().join("nothing").exists());
}

#[test]
fn one_process_at_a_time() {
    let (_dir, root) = output(OLD);
    let first = OutDir::open(&root, Access::Write { list: false }).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let waiter = {
        let root = root.clone();
        std::thread::spawn(move || {
            let second = OutDir::open(&root, Access::Read).map(|_| ());
            tx.send(second.is_ok()).unwrap();
        })
    };
    assert!(rx.recv_timeout(Duration::from_millis(200)).is_err(), "the second opener waits");
    drop(first);
    assert_eq!(rx.recv_timeout(Duration::from_secs(10)), Ok(true));
    waiter.join().unwrap();
}

#[cfg(unix)]
#[test]
fn links_are_never_written_through() {
    use std::os::unix::fs::symlink;
    let (dir, root) = output(OLD);
    let outside = dir.path().join("outside.txt");
    fs::write(&outside, "precious").unwrap();
    // A link planted where a temporary file goes is replaced, not followed.
    symlink(&outside, root.join("a/.change.yaml.sinfrac-tmp")).unwrap();
    let out = OutDir::open(&root, Access::Write { list: false }).unwrap();
    let txn = out.transaction();
    stage_new(&txn);
    txn.commit().unwrap();
    drop(out);
    assert_eq!(fs::read_to_string(&outside).unwrap(), "precious");
    assert_eq!(tree(&root), files(NEW));
    // A marker that is a link is refused.
    fs::remove_file(root.join(MARKER)).unwrap();
    symlink(&outside, root.join(MARKER)).unwrap();
    let err = OutDir::open(&root, Access::Write { list: true }).err().expect("refused");
    assert!(text(&err).contains("not a plain file"), "{err:?}");
    assert_eq!(fs::read_to_string(&outside).unwrap(), "precious");
}
