//! The project's name index: which item a global name, a module member, a
//! tier, a region or a stack name refers to. Built from item names only, so
//! edits inside items never invalidate it.

use std::sync::Arc;

use crate::eval::value::FxIndexMap as IndexMap;

use crate::db::{Db, Origin, Project, SourceFile};
use crate::items::{ItemId, ItemTag, file_items};
use crate::stdlib;

/// Every name of the project.
#[derive(Debug, PartialEq, Eq, Default)]
pub struct Index {
    /// Items visible everywhere: the project's and the prelude's (the project's win).
    pub globals: IndexMap<String, ItemId>,
    /// Stdlib modules by name (prelude excluded), each with its items.
    pub modules: IndexMap<String, IndexMap<String, ItemId>>,
    /// Declared tiers, in declaration order (files sorted by path).
    pub tiers: IndexMap<String, ItemId>,
    /// Declared regions.
    pub regions: IndexMap<String, ItemId>,
    /// Declared stacks.
    pub stacks: IndexMap<String, ItemId>,
    /// The `platform` block(s); more than one is an error.
    pub platforms: Vec<ItemId>,
    /// Redefinitions: (the first definition, a later one).
    pub duplicates: Vec<(ItemId, ItemId)>,
}

impl Index {
    /// Looks up a global name.
    pub fn global(&self, name: &str) -> Option<ItemId> {
        self.globals.get(name).copied()
    }

    /// Looks up a module member.
    pub fn member(&self, module: &str, name: &str) -> Option<ItemId> {
        self.modules.get(module)?.get(name).copied()
    }
}

/// The files that make up the project: its own, the prelude, and every stdlib
/// module a loaded file imports (transitively), in path order. A stdlib module
/// nothing imports is never parsed, indexed or checked: the generated
/// Kubernetes modules cost a project only the API groups it uses.
#[salsa::tracked(returns(ref))]
pub fn loaded_files(db: &dyn Db, project: Project) -> Arc<Vec<SourceFile>> {
    let files = project.files(db);
    let module = |f: &SourceFile| stdlib::module_of_path(f.path(db)).filter(|_| f.origin(db) == Origin::Stdlib);
    let mut loaded = vec![false; files.len()];
    let mut work: Vec<usize> = (0..files.len())
        .filter(|&i| files[i].origin(db) == Origin::Project || module(&files[i]) == Some(stdlib::PRELUDE))
        .collect();
    while let Some(i) = work.pop() {
        if std::mem::replace(&mut loaded[i], true) {
            continue;
        }
        for name in file_imports(db, files[i]).iter() {
            work.extend((0..files.len()).filter(|&j| !loaded[j] && module(&files[j]) == Some(name.as_str())));
        }
    }
    Arc::new(files.iter().zip(loaded).filter(|(_, l)| *l).map(|(f, _)| *f).collect())
}

/// Builds the name index of the project.
#[salsa::tracked(returns(ref))]
pub fn project_index(db: &dyn Db, project: Project) -> Arc<Index> {
    let mut index = Index::default();
    let files = loaded_files(db, project);
    // Project files first so that their names win over the prelude's.
    let ordered = files
        .iter()
        .filter(|f| f.origin(db) == Origin::Project)
        .chain(files.iter().filter(|f| f.origin(db) == Origin::Stdlib));
    for &file in ordered {
        let module = stdlib::module_of_path(file.path(db)).filter(|_| file.origin(db) == Origin::Stdlib);
        for &item in file_items(db, file) {
            let name = item.name(db).clone();
            if name.is_empty() && item.tag(db) != ItemTag::Platform {
                continue;
            }
            let table = match item.tag(db) {
                ItemTag::Import | ItemTag::Error => continue,
                ItemTag::Platform => {
                    index.platforms.push(item);
                    continue;
                }
                ItemTag::Tier => &mut index.tiers,
                ItemTag::Region => &mut index.regions,
                ItemTag::Stack => &mut index.stacks,
                _ => match module {
                    Some(m) if m != stdlib::PRELUDE => index.modules.entry(m.to_string()).or_default(),
                    Some(_) => {
                        // Prelude names never clash with the project's: the project's shadow them.
                        index.globals.entry(name).or_insert(item);
                        continue;
                    }
                    None => &mut index.globals,
                },
            };
            match table.get(&name) {
                Some(&first) => index.duplicates.push((first, item)),
                None => {
                    table.insert(name, item);
                }
            }
        }
    }
    Arc::new(index)
}

/// The modules a file imports (`import std.k8s` → `k8s`), with the spans of the import items.
#[salsa::tracked(returns(ref))]
pub fn file_imports(db: &dyn Db, file: SourceFile) -> Arc<Vec<String>> {
    let items = file_items(db, file);
    Arc::new(
        items
            .iter()
            .filter(|i| i.tag(db) == ItemTag::Import)
            .filter_map(|i| i.name(db).strip_prefix("std.").map(str::to_string))
            .collect(),
    )
}
