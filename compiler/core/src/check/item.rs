//! `check_item`: every static problem of one item, located.

use std::sync::Arc;

use super::anchor::to_locs;
use super::infer::infer_item;
use super::signatures::signature_diagnostics;
use crate::db::{Db, Project};
use crate::hir::{ItemKind, item_hir, item_source_map};
use crate::items::ItemId;
use crate::loc::Diag;
use crate::platform::placement;

/// Every static problem of one item: [`infer_item`]'s, located through the
/// item's source map, its declaration's ([`signature_diagnostics`]) and its
/// placement's, which is located already. Depends only on this item's code and on signatures, so
/// editing another item's body never re-runs it.
#[salsa::tracked(returns(ref))]
pub fn check_item(db: &dyn Db, project: Project, item: ItemId) -> Arc<Vec<Diag>> {
    let hir = item_hir(db, item);
    let mut out: Vec<Diag> = match &hir.kind {
        ItemKind::Instance { .. } | ItemKind::Policy { .. } => placement(db, project, item).diags.clone(),
        _ => Vec::new(),
    };
    let map = item_source_map(db, item);
    out.extend(to_locs(db, item, hir, map, signature_diagnostics(db, project, item)));
    out.extend(to_locs(db, item, hir, map, &infer_item(db, project, item).diags));
    Arc::new(out)
}
