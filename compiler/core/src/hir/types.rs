//! The types an item writes, lowered once to [`Ty`]: annotations of `let`s,
//! parameters, results, fields. Position-free; the checker reports the
//! problems of types as written (an unknown name, a map key not `String`).

use std::sync::Arc;

use la_arena::ArenaMap;

use super::{Body, ItemHir, TypeRef, TypeRefId, item_hir};
use crate::db::{Db, Project};
use crate::index::project_index;
use crate::items::{ItemId, ItemTag};
use crate::resolve::{FileScope, Global};
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
    let types = hir.body.types.iter().map(|(id, _)| (id, lower_type_ref(db, &scope, &hir.body, id))).collect();
    Arc::new(ItemTypes { types })
}

/// Lowers one type as written; what does not name a type is [`Ty::Error`].
pub fn lower_type_ref(db: &dyn Db, scope: &FileScope<'_>, body: &Body, id: TypeRefId) -> Ty {
    match &body[id] {
        TypeRef::Path(path) => {
            if let [one] = &**path
                && let Some(p) = Ty::primitive(one.as_str())
            {
                return p;
            }
            let target = match &**path {
                [one] => match scope.global(one.as_str()) {
                    Some(Global::Item(i)) => Some(i),
                    _ => None,
                },
                [module, member] if scope.sees_module(module.as_str()) => {
                    scope.index.member(module.as_str(), member.as_str())
                }
                _ => None,
            };
            match target.map(|t| (t, t.tag(db))) {
                Some((t, ItemTag::Schema)) => Ty::Schema(t),
                Some((t, ItemTag::Type)) => Ty::Alias(t),
                _ => Ty::Error,
            }
        }
        TypeRef::List(inner) => Ty::List(Box::new(lower_type_ref(db, scope, body, *inner))),
        TypeRef::Map(_, v) => Ty::Map(Box::new(lower_type_ref(db, scope, body, *v))),
        TypeRef::Optional(inner) => Ty::Optional(Box::new(lower_type_ref(db, scope, body, *inner))),
        TypeRef::Union(ts) => Ty::Union(ts.iter().map(|t| lower_type_ref(db, scope, body, *t)).collect()),
        TypeRef::StrLit(s) => Ty::Lit(s.to_string()),
        TypeRef::Error => Ty::Error,
    }
}
