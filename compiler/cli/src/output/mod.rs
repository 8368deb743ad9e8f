//! The previous output, read back: its objects, and the deletions a new
//! output would make among them.

pub mod diff;
pub mod git;
pub mod objects;
pub mod protect;

use std::collections::BTreeMap;

use miette::{Result, miette};
use sinfra_compiler::db::{Database, Project};
use sinfra_compiler::emit::OutputFile;
use sinfra_compiler::items::ItemId;
use sinfra_compiler::platform::PlatformInfo;

use crate::commands::build::in_selection;
use objects::{Object, ObjectKey, parse_file};
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
            gathered.previous(path, bytes)?;
        }
    }
    // Without old objects nothing is removed or moved: a first build parses nothing back.
    if !gathered.old.is_empty() || scope.added {
        for (path, text) in new_text {
            if previous.get(path).map(Vec::as_slice) != Some(text.as_bytes()) {
                gathered.current(path, text)?;
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
    /// Whether the documents are kept (`plan` diffs them; a build only needs identities).
    keep_docs: bool,
}

impl Gathered {
    /// Nothing gathered yet.
    pub fn new(keep_docs: bool) -> Gathered {
        Gathered { old: BTreeMap::new(), new: BTreeMap::new(), keep_docs }
    }

    /// The objects of a previous file.
    pub fn previous(&mut self, path: &str, bytes: &[u8]) -> Result<()> {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            miette!(
                help = "restore the file from version control or delete it",
                "the previous output's `{path}` is not UTF-8 (at byte {}): its objects cannot be judged",
                e.valid_up_to()
            )
        })?;
        let objects = objects_of([(path, text)], true)?;
        for (key, object) in objects {
            let object = self.trimmed(object);
            insert_in_path_order(&mut self.old, key, object);
        }
        Ok(())
    }

    /// The objects of a new file.
    pub fn current(&mut self, path: &str, text: &str) -> Result<()> {
        let objects = objects_of([(path, text)], false)?;
        for (key, object) in objects {
            let object = self.trimmed(object);
            insert_in_path_order(&mut self.new, key, object);
        }
        Ok(())
    }

    fn trimmed(&self, mut object: Object) -> Object {
        if !self.keep_docs {
            object.doc = serde_json::Value::Null;
        }
        object
    }

    /// Adds what another gatherer found (another stack's files).
    pub fn merge(&mut self, other: Gathered) {
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
        self,
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
        let removals = protect::removals(db, project, info, &self.old, &self.new, &allows);
        Judged { old: self.old, new: self.new, allows, removals }
    }
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

/// The objects of `files` (relative path → text), keyed by identity.
/// `previous` names them in errors as the output on disk.
pub fn objects_of<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
    previous: bool,
) -> Result<BTreeMap<ObjectKey, Object>> {
    let mut out = BTreeMap::new();
    for (path, text) in files {
        if !path.ends_with(".yaml") {
            continue;
        }
        let objects = parse_file(path, text).map_err(|e| {
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
