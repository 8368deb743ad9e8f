//! `check_item`: every static problem of one item, located.

use std::sync::Arc;

use super::anchor::to_locs;
use super::infer::infer_item;
use crate::db::{Db, Project};
use crate::hir::{ItemKind, item_hir, item_source_map};
use crate::items::ItemId;
use crate::loc::Diag;
use crate::platform::placement;
use crate::signatures::{alias_def, fn_sig, schema_def};

/// Every static problem of one item: [`infer_item`]'s, located through the
/// item's source map, and its declaration's (signature, placement), which are
/// located already. Depends only on this item's code and on signatures, so
/// editing another item's body never re-runs it.
#[salsa::tracked(returns(ref))]
pub fn check_item(db: &dyn Db, project: Project, item: ItemId) -> Arc<Vec<Diag>> {
    let hir = item_hir(db, item);
    let mut out: Vec<Diag> = match &hir.kind {
        ItemKind::Fn { .. } => fn_sig(db, project, item).diags.clone(),
        ItemKind::TypeAlias { .. } => alias_def(db, project, item).diags.clone(),
        ItemKind::Schema { .. } => schema_def(db, project, item).diags.clone(),
        ItemKind::Instance { .. } | ItemKind::Policy { .. } => placement(db, project, item).diags.clone(),
        _ => Vec::new(),
    };
    let map = item_source_map(db, item);
    out.extend(to_locs(item, hir, map, &infer_item(db, project, item).diags));
    Arc::new(out)
}
