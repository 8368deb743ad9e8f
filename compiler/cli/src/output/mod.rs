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
    let (selected, selection) = (scope.stacks, scope.prefixes);
    let judged_stacks: Vec<ItemId> =
        if selected.is_empty() { info.stacks.iter().map(|s| s.item).collect() } else { selected.to_vec() };
    let mut allows = cli_allows;
    allows.extend(protect::source_allows(db, project, &judged_stacks));
    // A file identical on both sides holds the same objects before and after: only
    // the files that differ can add, change, remove or move one.
    let new_text: BTreeMap<&str, &str> = files.iter().map(|f| (f.path.as_str(), &*f.content)).collect();
    let mut old_text = Vec::new();
    for (path, bytes) in previous {
        if in_selection(path, selection) && new_text.get(path.as_str()).map(|t| t.as_bytes()) != Some(bytes) {
            let text = std::str::from_utf8(bytes).map_err(|e| {
                miette!(
                    help = "restore the file from version control or delete it",
                    "the previous output's `{path}` is not UTF-8 (at byte {}): its objects cannot be judged",
                    e.valid_up_to()
                )
            })?;
            old_text.push((path.as_str(), text));
        }
    }
    let old = objects_of(old_text, true)?;
    // Without old objects nothing is removed or moved: a first build parses nothing back.
    let new = if old.is_empty() && !scope.added {
        BTreeMap::new()
    } else {
        objects_of(
            new_text.into_iter().filter(|(p, t)| previous.get(*p).map(Vec::as_slice) != Some(t.as_bytes())),
            false,
        )?
    };
    let renames = protect::source_renames(db, project, &judged_stacks);
    let removals = protect::removals(db, project, info, &old, &new, &allows, &renames);
    Ok(Judged { old, new, allows, removals })
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
