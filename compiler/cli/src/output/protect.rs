//! Deletion protection: an object of the previous output that the new one no
//! longer has is refused when its stack's tier or its item is protected,
//! unless `--allow-delete` or the platform's `allow_delete` names it.

use std::collections::{BTreeMap, BTreeSet};

use miette::{Result, miette};
use sinfra_compiler::db::{Database, Project};
use sinfra_compiler::eval::platform_value;
use sinfra_compiler::eval::value::V;
use sinfra_compiler::index::project_index;
use sinfra_compiler::items::ItemTag;
use sinfra_compiler::platform::{PlatformInfo, declared_protected};

use super::objects::{Object, ObjectKey};

/// Exit code of a build or plan that would delete a protected object.
pub const REFUSED: u8 = 4;

/// A deletion allowed explicitly.
#[derive(Clone, Debug)]
pub struct Allow {
    /// `STACK/KIND/NAME`.
    pub object: String,
    /// Where it was given: `--allow-delete` or `allow_delete in the platform block`.
    pub from: &'static str,
}

/// A removed object and, when protected, why.
#[derive(Clone, Debug)]
pub struct Removal {
    /// The object as the previous output has it.
    pub object: Object,
    /// Why it is protected (`None`: it is not).
    pub protected_by: Option<String>,
    /// The allow that permits its deletion, if any.
    pub allowed_by: Option<&'static str>,
    /// The object it was renamed to (`STACK/KIND/NAME`), when the platform
    /// block's `renames` records it and the new output has that object.
    pub renamed_to: Option<String>,
}

impl Removal {
    /// A protected deletion nobody allowed (a recorded rename is no deletion).
    pub fn refused(&self) -> bool {
        self.protected_by.is_some() && self.allowed_by.is_none() && self.renamed_to.is_none()
    }
}

/// A rename recorded in the platform block's `renames`.
#[derive(Clone, Debug)]
pub struct Rename {
    /// `STACK/KIND/NAME` before.
    pub from: String,
    /// `STACK/KIND/NAME` after.
    pub to: String,
}

/// The `renames` entries of the platform block (the union over `stacks`).
pub fn source_renames(db: &Database, project: Project, stacks: &[sinfra_compiler::items::ItemId]) -> Vec<Rename> {
    let mut seen = BTreeSet::new();
    for &stack in stacks {
        let value = &platform_value(db, project, Some(stack)).value;
        let V::Record(r) = &value.v else { continue };
        let Some(V::List(entries)) = r.fields.get("renames").map(|v| &v.v) else { continue };
        for entry in entries.iter() {
            if let V::Record(e) = &entry.v
                && let (Some(V::Str(from)), Some(V::Str(to))) =
                    (e.fields.get("from").map(|v| &v.v), e.fields.get("to").map(|v| &v.v))
            {
                seen.insert((from.to_string(), to.to_string()));
            }
        }
    }
    seen.into_iter().map(|(from, to)| Rename { from, to }).collect()
}

/// Parses a `--allow-delete` argument.
pub fn cli_allow(arg: &str) -> Result<Allow> {
    if well_formed(arg) {
        Ok(Allow { object: arg.to_string(), from: "--allow-delete" })
    } else {
        Err(miette!(
            help =
                "name the object as the refusal does: `STACK/KIND/NAME`, e.g. `--allow-delete prod_us/Deployment/api`",
            "`--allow-delete {arg}` is not `STACK/KIND/NAME`"
        ))
    }
}

fn well_formed(id: &str) -> bool {
    let parts: Vec<&str> = id.split('/').collect();
    parts.len() == 3 && parts.iter().all(|p| !p.is_empty())
}

/// The `allow_delete` entries of the platform block (the union over `stacks`).
pub fn source_allows(db: &Database, project: Project, stacks: &[sinfra_compiler::items::ItemId]) -> Vec<Allow> {
    let mut seen = BTreeSet::new();
    for &stack in stacks {
        let value = &platform_value(db, project, Some(stack)).value;
        let V::Record(r) = &value.v else { continue };
        let Some(V::List(entries)) = r.fields.get("allow_delete").map(|v| &v.v) else { continue };
        for entry in entries.iter() {
            if let V::Record(e) = &entry.v
                && let Some(V::Str(object)) = e.fields.get("object").map(|v| &v.v)
            {
                seen.insert(object.to_string());
            }
        }
    }
    seen.into_iter().map(|object| Allow { object, from: "allow_delete in the platform block" }).collect()
}

/// Whether `allow` names `object` (the stack by identifier or directory, the kind in any case).
fn matches(allow: &str, object: &Object) -> bool {
    let mut parts = allow.splitn(3, '/');
    let (Some(stack), Some(kind), Some(name)) = (parts.next(), parts.next(), parts.next()) else { return false };
    (stack == object.stack || stack == object.key.stack_dir)
        && kind.eq_ignore_ascii_case(&object.key.kind)
        && name == object.key.name
}

/// The objects of `previous` missing from `current`, each judged.
pub fn removals(
    db: &Database,
    project: Project,
    info: &PlatformInfo,
    previous: &BTreeMap<ObjectKey, Object>,
    current: &BTreeMap<ObjectKey, Object>,
    allows: &[Allow],
    renames: &[Rename],
) -> Vec<Removal> {
    previous
        .iter()
        .filter(|(key, _)| !current.contains_key(*key))
        .map(|(_, object)| Removal {
            object: object.clone(),
            protected_by: protected_by(db, project, info, object),
            allowed_by: allows.iter().find(|a| matches(&a.object, object)).map(|a| a.from),
            renamed_to: renames
                .iter()
                .filter(|r| matches(&r.from, object))
                .find_map(|r| current.values().find(|o| matches(&r.to, o)).map(Object::id)),
        })
        .collect()
}

/// The allows that name no removed object (kept after the deletion was built, or a typo).
pub fn unused<'a>(allows: &'a [Allow], removals: &[Removal]) -> Vec<&'a Allow> {
    allows.iter().filter(|a| !removals.iter().any(|r| matches(&a.object, &r.object))).collect()
}

/// Why `object` is protected: its stack's tier or its item in the current
/// sources, or, when the stack or item is gone, the old file's header.
fn protected_by(db: &Database, project: Project, info: &PlatformInfo, object: &Object) -> Option<String> {
    let stack = info.stacks.iter().find(|s| s.dns == object.key.stack_dir);
    if let Some(s) = stack {
        let tier = &info.tiers[s.tier];
        if tier.protected {
            return Some(format!("stack `{}` is in the protected tier `{}`", s.name, tier.name));
        }
    }
    let item = object.header.item.as_ref().and_then(|(_, name)| {
        let id = project_index(db, project).globals.get(name).copied()?;
        matches!(id.tag(db), ItemTag::Service | ItemTag::Resource).then_some(id)
    });
    if let Some(id) = item
        && declared_protected(db, id)
    {
        return Some(format!("{} `{}` is declared `protected`", id.tag(db).describe(), id.name(db)));
    }
    if (stack.is_none() || item.is_none()) && object.header.protected {
        let gone = if stack.is_none() { "its stack no longer exists" } else { "its item no longer exists" };
        return Some(format!("the previous output marks it protected (header of `{}`) and {gone}", object.file));
    }
    None
}

/// The refusal of protected deletions: each object, why it is protected, and both
/// ways to allow it. `after` ends the first line (`; nothing was written`).
pub fn refusal(refused: &[&Removal], after: &str) -> String {
    let mut s = format!(
        "error: refusing to delete {} protected object{}{after}\n",
        refused.len(),
        if refused.len() == 1 { "" } else { "s" }
    );
    for r in refused {
        let o = &r.object;
        let ns = o.key.namespace.as_deref().map(|n| format!(", namespace {n}")).unwrap_or_default();
        s.push_str(&format!(
            "  - {} (stack {}{ns}, in `{}`): {}\n",
            o.id(),
            o.stack,
            o.file,
            r.protected_by.as_deref().unwrap_or_default()
        ));
    }
    let first = refused.first().map(|r| r.object.id()).unwrap_or_default();
    let each = if refused.len() == 1 { "" } else { ", one per object above" };
    s.push_str(&format!(
        "  = help: if the deletion is intended, allow it on the command line: `--allow-delete {first}`{each}\n  \
         = help: or in source, reviewed with the change, in the `platform` block{each}:\n          \
         allow_delete = [{{ object = \"{first}\", reason = \"why deleting it is safe\" }}]\n"
    ));
    s
}
