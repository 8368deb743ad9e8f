//! The items an item refers to, for the evaluation order and the cycle
//! guard: [`item_references`], from the HIR and its resolutions.

use std::sync::Arc;

use crate::db::{Db, Project};
use crate::hir::resolve::{ContextName, Res, resolve_item};
use crate::hir::{ItemKind, TypeRef, item_hir};
use crate::index::project_index;
use crate::items::ItemId;
use crate::resolve::FileScope;

/// The items `item` may refer to, sorted by id: every name resolved to an
/// item, the items of every path it writes (its schema, `extends`, types),
/// `Platform` for the platform block, the platform block for `platform`.
/// Position-free: reads the HIR and [`resolve_item`] only.
#[salsa::tracked(returns(ref))]
pub fn item_references(db: &dyn Db, project: Project, item: ItemId) -> Arc<[ItemId]> {
    let hir = item_hir(db, item);
    let index = project_index(db, project);
    let scope = FileScope::new(db, index, item.file(db));
    let mut out: Vec<ItemId> = Vec::new();
    let resolutions = resolve_item(db, project, item);
    for (_, res) in resolutions.iter() {
        match res {
            Res::Item(i) => out.push(*i),
            // A field of the service a policy checks, or a global of that name.
            Res::Dynamic(n) => out.extend(scope.path(std::slice::from_ref(n)).ok()),
            Res::Context(ContextName::Platform) => out.extend(index.platforms.first().copied()),
            _ => {}
        }
    }
    // `module.item`
    for expr in hir.body.exprs.values() {
        if let crate::hir::Expr::Field(base, member) = expr
            && let crate::hir::Expr::Name(_) = hir.body.expr(*base)
            && let Res::Module(m) = resolutions.get(*base)
        {
            out.extend(index.member(m.as_str(), member.as_str()));
        }
    }
    for t in hir.body.types.values() {
        if let TypeRef::Path(p) = t {
            out.extend(scope.path(p).ok());
        }
    }
    match &hir.kind {
        ItemKind::Instance { schema, .. } | ItemKind::Policy { schema: Some(schema), .. } => {
            out.extend(scope.path(schema).ok())
        }
        ItemKind::Schema { extends: Some(base), .. } => out.extend(scope.path(base).ok()),
        ItemKind::Platform { .. } => out.extend(index.global("Platform")),
        _ => {}
    }
    out.sort_by_key(salsa::plumbing::AsId::as_id);
    out.dedup();
    out.into()
}
