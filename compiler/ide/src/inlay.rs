//! Inlay hints: parameter names at the arguments of calls with several, and
//! after a field computed by a `match` on the tier, region or stack, its
//! value in every stack.

use sinfra_compiler::db::SourceFile;
use sinfra_compiler::hir::resolve::{ContextName, Res, resolve_item};
use sinfra_compiler::hir::{Expr, ItemKind, Member, item_hir, item_source_map};
use sinfra_compiler::index::project_index;
use sinfra_compiler::items::{ItemTag, file_items, item_range};
use sinfra_compiler::signatures::fn_sig;

use crate::Analysis;
use crate::hover::per_stack;

/// What a hint shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HintKind {
    /// `name:` before an argument.
    Parameter,
    /// The values of a field in every stack.
    Value,
}

/// One hint, shown at `offset` (file coordinates).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlayHint {
    /// Where.
    pub offset: u32,
    /// The text.
    pub label: String,
    /// What it is.
    pub kind: HintKind,
}

/// The hints of `file`.
pub fn inlay_hints(a: &Analysis<'_>, file: SourceFile) -> Vec<InlayHint> {
    let db = a.db;
    let mut out = Vec::new();
    for &item in file_items(db, file) {
        let hir = item_hir(db, item);
        let map = item_source_map(db, item);
        let res = resolve_item(db, a.project, item);
        let base = item_range(db, item).start;
        for (_, e) in hir.body.exprs.iter() {
            let Expr::Call(callee, args) = e else { continue };
            if args.len() < 2 {
                continue;
            }
            let params: Vec<String> = match (hir.body.expr(*callee), res.get(*callee)) {
                (_, Res::Item(f)) if f.tag(db) == ItemTag::Fn => {
                    fn_sig(db, a.project, *f).params.iter().map(|(n, _)| n.clone()).collect()
                }
                (_, Res::Builtin(b)) => b.signature().params.iter().map(|p| p.name.to_string()).collect(),
                (Expr::Field(m, name), _) => match res.get(*m) {
                    Res::Module(module) => match project_index(db, a.project).member(module, name) {
                        Some(f) if f.tag(db) == ItemTag::Fn => {
                            fn_sig(db, a.project, f).params.iter().map(|(n, _)| n.clone()).collect()
                        }
                        _ => continue,
                    },
                    _ => continue,
                },
                _ => continue,
            };
            for (arg, param) in args.iter().zip(params) {
                let same = match hir.body.expr(*arg) {
                    Expr::Name(n) => n.as_str() == param,
                    Expr::Local(b) => hir.body.binding(*b).is_some_and(|b| b.name.as_str() == param),
                    _ => false,
                };
                if !same {
                    let offset = map.expr(*arg).start + base;
                    out.push(InlayHint { offset, label: format!("{param}:"), kind: HintKind::Parameter });
                }
            }
        }
        if !matches!(hir.kind, ItemKind::Instance { .. }) {
            continue;
        }
        for &m in hir.kind.members() {
            let Member::Assign { name, value } = &hir.body[m] else { continue };
            let Expr::Match(scrutinee, _) = hir.body.expr(*value) else { continue };
            let on_context = matches!(
                res.get(*scrutinee),
                Res::Context(ContextName::Tier | ContextName::Region | ContextName::Stack)
            );
            if !on_context {
                continue;
            }
            let groups = per_stack(a, item, Some(name.as_str()), false);
            let label = groups
                .iter()
                .map(|(v, stacks)| format!("{} {}", stacks.join(", "), v.trim_matches('`')))
                .collect::<Vec<_>>()
                .join(" · ");
            if !label.is_empty() {
                out.push(InlayHint { offset: map.member(m).whole.end + base, label, kind: HintKind::Value });
            }
        }
    }
    out.sort_by_key(|h| h.offset);
    out
}
