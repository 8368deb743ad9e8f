//! The problems of what an item declares, as opposed to its code: a schema's
//! `extends`, field types, attributes, duplicate fields and overrides of
//! fields it does not have; a function's parameter and result types; a type
//! alias's base. Anchored by id, so typing whitespace in a declaration does
//! not re-run this, and the signatures themselves (`schema_def`, `fn_sig`,
//! `alias_def`) carry no problems and no positions at all.

use std::sync::Arc;

use super::anchor::{Anchor, AnchoredDiag, PathOf};
use super::paths::{lower_type, path_error, path_text};
use crate::db::{Db, Project};
use crate::diagnostics::Code;
use crate::hir::{ItemKind, Member, item_hir};
use crate::index::project_index;
use crate::items::{ItemId, ItemTag};
use crate::resolve::FileScope;
use crate::signatures::{schema_chain, schema_def, unknown_field};
use crate::ty::Ty;

/// The problems of `item`'s declaration.
#[salsa::tracked(returns(ref))]
pub fn signature_diagnostics(db: &dyn Db, project: Project, item: ItemId) -> Arc<Vec<AnchoredDiag>> {
    let hir = item_hir(db, item);
    let index = project_index(db, project);
    let scope = FileScope::new(db, index, item.file(db));
    let mut diags = Vec::new();
    match &hir.kind {
        ItemKind::Fn { params, ret, .. } => {
            for p in params.iter() {
                lower_type(db, &scope, &hir.body, p.ty, &mut diags);
            }
            lower_type(db, &scope, &hir.body, *ret, &mut diags);
        }
        ItemKind::TypeAlias { ty, .. } if lower_type(db, &scope, &hir.body, *ty, &mut diags) == Ty::Alias(item) => {
            diags.push(AnchoredDiag::new(Code::Cycle, "a type cannot be defined as itself", Anchor::Type(*ty), "here"));
        }
        ItemKind::Schema { extends, members } => {
            if let Some(base) = extends {
                extends_problems(db, project, item, &scope, base, &mut diags);
            }
            let def = schema_def(db, project, item);
            let mut declared: Vec<(crate::hir::Name, crate::hir::MemberId)> = Vec::new();
            for &m in members.iter() {
                match &hir.body[m] {
                    Member::Field { attrs, name, ty, .. } => {
                        lower_type(db, &scope, &hir.body, *ty, &mut diags);
                        for attr in attrs.iter().filter(|a| a.as_str() != "address") {
                            diags.push(AnchoredDiag::new(
                                Code::MisplacedItem,
                                format!("unknown attribute `@{attr}`"),
                                Anchor::Member(m),
                                "the only field attribute is `@address`",
                            ));
                        }
                        match declared.iter().find(|(n, _)| n == name) {
                            Some((_, first)) => diags.push(
                                AnchoredDiag::new(
                                    Code::DuplicateDefinition,
                                    format!("field `{name}` is declared twice"),
                                    Anchor::MemberName(m),
                                    "declared again here",
                                )
                                .with_label(Anchor::MemberName(*first), "first declared here"),
                            ),
                            None => declared.push((*name, m)),
                        }
                    }
                    Member::Assign { name, .. } if !def.fields.contains_key(name.as_str()) => {
                        let d = unknown_field(db, item, def, name.as_str(), Default::default());
                        diags.push(d.map_locations(|_| Anchor::MemberName(m)));
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
    Arc::new(diags)
}

/// `schema A extends B`: `B` resolves, is a schema, and does not lead back to `A`.
fn extends_problems(
    db: &dyn Db,
    project: Project,
    item: ItemId,
    scope: &FileScope<'_>,
    base: &[crate::hir::Name],
    diags: &mut Vec<AnchoredDiag>,
) {
    match scope.path(base) {
        Err(e) => diags.push(path_error(scope, base, PathOf::Item, e, "schema")),
        Ok(b) if b.tag(db) != ItemTag::Schema => diags.push(AnchoredDiag::new(
            Code::TypeMismatch,
            format!("`{}` is a {}, not a schema", path_text(base), b.tag(db).describe()),
            Anchor::ItemPath,
            "a schema can only extend a schema",
        )),
        Ok(b) => {
            // The chain from the base stops before it repeats: it closes a cycle
            // through this schema when it comes back to it.
            let from_base = schema_chain(db, project, b);
            if from_base.contains(&item) {
                let mut path: Vec<&str> = vec![item.name(db).as_str()];
                path.extend(from_base.iter().take_while(|&&i| i != item).map(|i| i.name(db).as_str()));
                diags.push(
                    AnchoredDiag::new(
                        Code::Cycle,
                        format!("schema `{}` extends itself", item.name(db)),
                        Anchor::ItemPath,
                        "this closes the cycle",
                    )
                    .with_note(format!("cycle: {} → {}", path.join(" → "), item.name(db))),
                );
            }
        }
    }
}
