//! The types an item writes, lowered once to [`Ty`]: annotations of `let`s,
//! parameters, results, fields. Position-free. The lowering is the checker's
//! (`check::paths::lower_type`), which also reports the problems of types as
//! written (an unknown name, a map key not `String`) where the item is checked.

use std::sync::Arc;

use la_arena::ArenaMap;

use super::{ItemHir, TypeRefId, item_hir};
use crate::db::{Db, Project};
use crate::index::project_index;
use crate::items::ItemId;
use crate::resolve::FileScope;
use crate::ty::Ty;

/// Every type of one item, lowered.
#[derive(Debug, PartialEq, Default)]
pub struct ItemTypes {
    types: ArenaMap<TypeRefId, Ty>,
}

impl ItemTypes {
    /// The lowered type ([`Ty::Error`] for an id of another item).
    pub fn get(&self, id: TypeRefId) -> &Ty {
        static ERROR: Ty = Ty::Error;
        self.types.get(id).unwrap_or(&ERROR)
    }
}

/// The types written in `item`, lowered.
#[salsa::tracked(returns(ref))]
pub fn item_types(db: &dyn Db, project: Project, item: ItemId) -> Arc<ItemTypes> {
    let hir: &ItemHir = item_hir(db, item);
    let index = project_index(db, project);
    let scope = FileScope::new(db, index, item.file(db));
    // The checker's lowering; its problems are reported where the item is checked, not here.
    let mut ignored = Vec::new();
    let types = hir
        .body
        .types
        .iter()
        .map(|(id, _)| (id, crate::check::paths::lower_type(db, &scope, &hir.body, id, &mut ignored)))
        .collect();
    Arc::new(ItemTypes { types })
}
