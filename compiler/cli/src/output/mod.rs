//! The previous output, read back: its objects, and the deletions a new
//! output would make among them.

pub mod diff;
pub mod git;
pub mod objects;
pub mod protect;

use std::collections::{BTreeMap, HashSet};

use miette::{Result, miette};
use sinfra_compiler::db::{Database, Project};
use sinfra_compiler::emit::OutputFile;
use sinfra_compiler::items::ItemId;
use sinfra_compiler::platform::PlatformInfo;

use crate::commands::build::in_selection;
use objects::{Object, ObjectKey, parse_file, parse_identities};
use protect::{Allow, Removal};

/// The previous output and a new one, compared object by object.
pub struct Judged {
    /// The previous output's objects (of the selected stacks), in the files that differ.
    pub old: BTreeMap<ObjectKey, Object>,
    /// The new output's objects, in the files that differ.
    pub new: BTreeMap<ObjectKey, Object>,
    /// Every allowed deletion: the command line's, then the platform block's.
    pub allows: Vec<Allow>,
    /// The objects the new output removes, each judged.
    pub removals: Vec<Removal>,
}

/// Which stacks a build or plan covers.
#[derive(Clone, Copy, Default)]
pub struct Scope<'a> {
    /// The selected stacks (all when empty).
    pub stacks: &'a [ItemId],
    /// The paths they own (`None`: every path), see `build::selection_prefixes`.
    pub prefixes: Option<&'a [String]>,
    /// Whether the new objects are wanted for themselves (`plan` lists what is
    /// added); `build` needs them only to tell a removal from a move.
    pub added: bool,
}

/// Reads both outputs' objects (the previous one limited to the `scope`) and
/// judges what the new one removes.
pub fn judge(
    db: &Database,
    project: Project,
    info: &PlatformInfo,
    (previous, files): (&BTreeMap<String, Vec<u8>>, &[OutputFile]),
    scope: Scope<'_>,
    cli_allows: Vec<Allow>,
) -> Result<Judged> {
    let selection = scope.prefixes;
    // A file identical on both sides holds the same objects before and after: only
    // the files that differ can add, change, remove or move one.
    let new_text: BTreeMap<&str, &str> = files.iter().map(|f| (f.path.as_str(), &*f.content)).collect();
    let mut gathered = Gathered::new(true);
    for (path, bytes) in previous {
        if in_selection(path, selection) && new_text.get(path.as_str()).map(|t| t.as_bytes()) != Some(bytes) {
            gathered.file(path, Some(bytes), None)?;
        }
    }
    // Without old objects nothing is removed or moved: a first build parses nothing back.
    if !gathered.old.is_empty() || scope.added {
        for (path, text) in new_text {
            if previous.get(path).map(Vec::as_slice) != Some(text.as_bytes()) {
                gathered.file(path, None, Some(text))?;
            }
        }
    }
    Ok(gathered.judge(db, project, info, scope.stacks, cli_allows))
}

/// The objects of the files that differ between the previous output and a new
/// one, gathered file by file (a file identical on both sides holds the same
/// objects before and after, so only these can add, change, remove or move one).
pub struct Gathered {
    /// The previous output's objects.
    pub old: BTreeMap<ObjectKey, Object>,
    /// The new output's objects.
    pub new: BTreeMap<ObjectKey, Object>,
    /// Without documents: the objects a file holds on both sides, dropped from
    /// `old` and `new` at once (they are neither removed nor added), so that a
    /// rewrite of every file keeps next to nothing; remembered by identity.
    kept: HashSet<Box<str>>,
    /// Whether the documents are kept (`plan` diffs them; a build only needs identities).
    keep_docs: bool,
}

impl Gathered {
    /// Nothing gathered yet.
    pub fn new(keep_docs: bool) -> Gathered {
        Gathered { old: BTreeMap::new(), new: BTreeMap::new(), kept: HashSet::new(), keep_docs }
    }

    /// The objects of one file that differs: as the previous output has it
    /// (`None`: it had no such file) and as the new one does (`None`: it has none,
    /// or its objects are not wanted).
    pub fn file(&mut self, path: &str, old: Option<&[u8]>, new: Option<&str>) -> Result<()> {
        let mut old_objects = match old {
            Some(bytes) => {
                let text = std::str::from_utf8(bytes).map_err(|e| {
                    miette!(
                        help = "restore the file from version control or delete it",
                        "the previous output's `{path}` is not UTF-8 (at byte {}): its objects cannot be judged",
                        e.valid_up_to()
                    )
                })?;
                objects_of([(path, text)], true, self.keep_docs)?
            }
            None => BTreeMap::new(),
        };
        let mut new_objects = match new {
            Some(text) => objects_of([(path, text)], false, self.keep_docs)?,
            None => BTreeMap::new(),
        };
        if !self.keep_docs {
            let kept = &mut self.kept;
            old_objects.retain(|key, _| {
                let both = new_objects.remove(key).is_some();
                if both {
                    kept.insert(identity(key));
                }
                !both
            });
        }
        for (key, object) in old_objects {
            insert_in_path_order(&mut self.old, key, object);
        }
        for (key, object) in new_objects {
            insert_in_path_order(&mut self.new, key, object);
        }
        Ok(())
    }

    /// Adds what another gatherer found (another stack's files).
    pub fn merge(&mut self, other: Gathered) {
        self.kept.extend(other.kept);
        for (key, object) in other.old {
            insert_in_path_order(&mut self.old, key, object);
        }
        for (key, object) in other.new {
            insert_in_path_order(&mut self.new, key, object);
        }
    }

    /// Judges the removals among the gathered objects: every allowed deletion
    /// (the command line's, then the platform block's for `stacks`, all when empty).
    pub fn judge(
        mut self,
        db: &Database,
        project: Project,
        info: &PlatformInfo,
        stacks: &[ItemId],
        cli_allows: Vec<Allow>,
    ) -> Judged {
        let judged_stacks: Vec<ItemId> =
            if stacks.is_empty() { info.stacks.iter().map(|s| s.item).collect() } else { stacks.to_vec() };
        let mut allows = cli_allows;
        allows.extend(protect::source_allows(db, project, &judged_stacks));
        if !self.kept.is_empty() {
            // Another file of the previous output held one of them too: still there.
            self.old.retain(|key, _| !self.kept.contains(&identity(key)));
        }
        let renames = protect::source_renames(db, project, &judged_stacks);
        let removals = protect::removals(db, project, info, &self.old, &self.new, &allows, &renames);
        Judged { old: self.old, new: self.new, allows, removals }
    }
}

/// An object's identity as one string (for [`Gathered`]'s kept objects).
fn identity(key: &ObjectKey) -> Box<str> {
    let ns = key.namespace.as_deref().unwrap_or("\u{1}");
    format!("{}\0{}\0{}\0{ns}", key.stack_dir, key.kind, key.name).into_boxed_str()
}

/// Inserts `object`, unless the map holds the same object from a file that sorts
/// after its own: whatever order files are gathered in, an object two files
/// hold is the later file's, as when they are read in path order.
fn insert_in_path_order(map: &mut BTreeMap<ObjectKey, Object>, key: ObjectKey, object: Object) {
    match map.get(&key) {
        Some(held) if held.file > object.file => {}
        _ => {
            map.insert(key, object);
        }
    }
}

/// The objects of `files` (relative path → text), keyed by identity, with their
/// documents when `docs`. `previous` names them in errors as the output on disk.
pub fn objects_of<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
    previous: bool,
    docs: bool,
) -> Result<BTreeMap<ObjectKey, Object>> {
    let mut out = BTreeMap::new();
    for (path, text) in files {
        if !path.ends_with(".yaml") {
            continue;
        }
        let parsed = if docs { parse_file(path, text) } else { parse_identities(path, text) };
        let objects = parsed.map_err(|e| {
            if previous {
                miette!(
                    help = format!(
                        "restore the file from version control (`git checkout -- <out>/{path}`) or delete it; \
                         its objects cannot be judged for deletion protection while it is not YAML"
                    ),
                    "the previous output's `{path}` is not valid YAML: {e}"
                )
            } else {
                miette!("internal error: generated `{path}` does not read back as YAML: {e}")
            }
        })?;
        out.extend(objects.into_iter().map(|o| (o.key.clone(), o)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROJECT: &str = "import std.k8s\n\nplatform { ops_repo = \"https://github.com/acme/ops.git\" }\ntier latest\nregion us = \"us-central1\"\nstack latest { tier = latest, region = us, cluster = \"https://k8s-latest\" }\n";

    fn file(objects: &[&str]) -> String {
        let mut s = String::from("# stack: latest (tier latest, region us), service: api\n");
        for name in objects {
            s.push_str(&format!("---\nkind: ConfigMap\nmetadata:\n  name: {name}\n"));
        }
        s
    }

    fn removed(gathered: Gathered) -> Vec<String> {
        let mut db = Database::default();
        let project =
            db.load_project(vec![("main.sinfra".into(), PROJECT.into())], "[project]\nname = \"t\"\n".into(), None);
        let info = sinfra_compiler::platform::platform_info(&db, project);
        let judged = gathered.judge(&db, project, info, &[], Vec::new());
        judged.removals.iter().map(|r| r.object.id()).collect()
    }

    #[test]
    fn a_rewritten_file_keeps_only_what_it_adds_or_removes() {
        let mut g = Gathered::new(false);
        g.file("latest/a.yaml", Some(file(&["a", "b"]).as_bytes()), Some(&file(&["b", "c"]))).unwrap();
        assert_eq!(g.old.keys().map(|k| k.name.as_str()).collect::<Vec<_>>(), ["a"]);
        assert_eq!(g.new.keys().map(|k| k.name.as_str()).collect::<Vec<_>>(), ["c"]);
        assert_eq!(removed(g), ["latest/ConfigMap/a"]);
    }

    #[test]
    fn an_object_still_in_another_file_is_not_removed() {
        // `b` was in two files; one of them goes, the other keeps it.
        let mut g = Gathered::new(false);
        g.file("latest/a.yaml", Some(file(&["b"]).as_bytes()), Some(&file(&["b", "x"]))).unwrap();
        let mut other = Gathered::new(false);
        other.file("latest/z.yaml", Some(file(&["b"]).as_bytes()), None).unwrap();
        g.merge(other);
        assert_eq!(removed(g), Vec::<String>::new());
        // A move between files is no removal either.
        let mut g = Gathered::new(false);
        g.file("latest/a.yaml", Some(file(&["m"]).as_bytes()), None).unwrap();
        g.file("latest/b.yaml", None, Some(&file(&["m"]))).unwrap();
        assert_eq!(removed(g), Vec::<String>::new());
    }

    #[test]
    fn with_documents_nothing_is_dropped() {
        let mut g = Gathered::new(true);
        g.file("latest/a.yaml", Some(file(&["a"]).as_bytes()), Some(&file(&["a"]))).unwrap();
        assert_eq!((g.old.len(), g.new.len()), (1, 1));
        assert!(g.old.values().all(|o| !o.doc.is_null()));
    }
}
