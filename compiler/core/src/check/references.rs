//! The items an item refers to, for the evaluation order and the cycle
//! guard: [`item_references`] from the HIR and its resolutions, and
//! [`referenced_names`], the syntax-level over-approximation the evaluator
//! still reads (`eval/instance.rs`) until it runs on the HIR.

use std::sync::Arc;

use sinfra_syntax::ast::{Body, Expr, ExprKind, Member, StrPart};

use super::paths::path_item;
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
            Res::Dynamic(n) => out.extend(path_item(&scope, std::slice::from_ref(n)).ok()),
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
            out.extend(path_item(&scope, p).ok());
        }
    }
    match &hir.kind {
        ItemKind::Instance { schema, .. } | ItemKind::Policy { schema: Some(schema), .. } => {
            out.extend(path_item(&scope, schema).ok())
        }
        ItemKind::Schema { extends: Some(base), .. } => out.extend(path_item(&scope, base).ok()),
        ItemKind::Platform { .. } => out.extend(index.global("Platform")),
        _ => {}
    }
    out.sort_by_key(salsa::plumbing::AsId::as_id);
    out.dedup();
    out.into()
}

/// The names a type mentions (`k8s.Probe` gives `k8s` and `Probe`).
fn type_names(t: &sinfra_syntax::ast::TypeExpr, out: &mut Vec<String>) {
    use sinfra_syntax::ast::TypeExprKind as T;
    let mut stack = vec![t];
    while let Some(t) = stack.pop() {
        match &t.kind {
            T::Path(p) => {
                out.extend(p.segments.first().map(|s| s.name.clone()));
                out.extend(p.segments.last().map(|s| s.name.clone()));
            }
            T::List(x) | T::Optional(x) => stack.push(x),
            T::Map(k, v) => stack.extend([&**k, &**v]),
            T::Union(xs) => stack.extend(xs.iter()),
            T::StrLit(_) | T::Error => {}
        }
    }
}

/// Every plain name an item's syntax mentions (over-approximates its references:
/// locals included, and every type it names, since checking a value against a
/// refined type evaluates the refinement).
pub fn referenced_names(item: &sinfra_syntax::ast::Item, out: &mut Vec<String>) {
    use sinfra_syntax::ast::ItemKind as K;
    let mut exprs: Vec<&Expr> = Vec::new();
    fn body<'e>(b: &'e Body, exprs: &mut Vec<&'e Expr>, out: &mut Vec<String>) {
        for m in &b.members {
            match m {
                Member::FieldDecl(f) => {
                    type_names(&f.ty, out);
                    exprs.extend(f.default.as_ref())
                }
                Member::Assign(a) => exprs.push(&a.value),
                Member::Let(l, _) => {
                    l.ty.iter().for_each(|t| type_names(t, out));
                    exprs.push(&l.value)
                }
                Member::Check(c) => {
                    exprs.push(&c.cond);
                    exprs.extend(c.message.as_ref());
                }
                Member::Error(_) => {}
            }
        }
    }
    match &item.kind {
        K::Let(l) => {
            l.ty.iter().for_each(|t| type_names(t, out));
            exprs.push(&l.value)
        }
        K::Fn(f) => {
            f.params.iter().for_each(|p| type_names(&p.ty, out));
            type_names(&f.ret, out);
            exprs.push(&f.body)
        }
        K::Schema(s) => {
            body(&s.body, &mut exprs, out);
            if let Some(p) = &s.extends {
                out.extend(p.segments.first().map(|s| s.name.clone()));
                out.extend(p.segments.last().map(|s| s.name.clone()));
            }
        }
        K::Resource(d) | K::Service(d) => {
            body(&d.body, &mut exprs, out);
            out.extend(d.schema.segments.last().map(|s| s.name.clone()));
            out.extend(d.schema.segments.first().map(|s| s.name.clone()));
        }
        K::Policy(p) => {
            body(&p.body, &mut exprs, out);
            if let Some(path) = &p.schema {
                out.extend(path.segments.first().map(|s| s.name.clone()));
                out.extend(path.segments.last().map(|s| s.name.clone()));
            }
        }
        K::Platform(b) => {
            body(b, &mut exprs, out);
            out.push("Platform".to_string());
        }
        K::TypeAlias(t) => {
            type_names(&t.ty, out);
            if let Some(r) = &t.refinement {
                exprs.push(&r.cond);
                exprs.extend(r.message.as_ref());
            }
        }
        _ => {}
    }
    while let Some(e) = exprs.pop() {
        match &e.kind {
            ExprKind::Name(n) => out.push(n.name.clone()),
            ExprKind::SelfRef => out.push("self".to_string()),
            ExprKind::Str(parts) => {
                exprs.extend(parts.iter().filter_map(|p| if let StrPart::Interp(x) = p { Some(x) } else { None }))
            }
            ExprKind::Field(b, f) => {
                // `module.item`: the member name too.
                out.push(f.name.clone());
                exprs.push(b)
            }
            ExprKind::At(b, _) | ExprKind::Unary(_, b) => exprs.push(b),
            ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => exprs.extend([&**a, &**b]),
            ExprKind::Call(f, args) => {
                exprs.push(f);
                exprs.extend(args.iter());
            }
            ExprKind::List(items) => exprs.extend(items.iter()),
            ExprKind::Record(entries) => exprs.extend(entries.iter().map(|en| &en.value)),
            ExprKind::ListComp(c) => exprs.extend([&c.element, &c.iter].into_iter().chain(c.cond.as_ref())),
            ExprKind::MapComp(k, c) => exprs.extend([&**k, &c.element, &c.iter].into_iter().chain(c.cond.as_ref())),
            ExprKind::If(a, b, c) => exprs.extend([&**a, &**b, &**c]),
            ExprKind::Match(s, arms) => {
                exprs.push(s);
                exprs.extend(arms.iter().map(|a| &a.body));
            }
            ExprKind::Let(d, b) => {
                d.ty.iter().for_each(|t| type_names(t, out));
                exprs.extend([&d.value, &**b])
            }
            _ => {}
        }
    }
}
