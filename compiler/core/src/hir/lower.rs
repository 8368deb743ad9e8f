//! Syntax → HIR: one pass over an item's tree that allocates every
//! expression, binds local names to their definitions, and records where
//! each part is written (relative to the item's start) in the source map.
//!
//! Chains (`a + b + …`, `a.b.c`, `else if`, `let … in let …`, `!!x`) are
//! lowered in loops; what remains recursive is bounded by the parser's
//! nesting limit, and `stacker` guards the rest.

use std::sync::Arc;

use sinfra_syntax::Span;
use sinfra_syntax::ast;

use super::{
    Binding, BindingId, BindingKind, Body, Comprehension, Expr, ExprId, ItemHir, ItemKind, ItemSourceMap, Lowered,
    MatchArm, Member, MemberId, MemberSpans, Name, Param, Pat, Path, RecordEntry, Refinement, StrPart, TypeRef,
    TypeRefId,
};

/// Lowers one item; `base` is the item's start in its file (doc comment included).
pub(super) fn lower_item(item: &ast::Item, base: u32) -> Lowered {
    let mut l = Lowerer { base, body: Body::default(), map: ItemSourceMap::default(), scopes: Vec::new() };
    l.map.item = l.rel(item.span);
    l.map.doc = item.doc.as_deref().map(Into::into);
    l.map.name = l.rel(item.name().map_or(Span::new(item.span.start, item.span.start), |n| n.span));
    let kind = l.item_kind(&item.kind);
    Lowered { hir: Arc::new(ItemHir { kind, body: l.body }), map: Arc::new(l.map) }
}

struct Lowerer {
    base: u32,
    body: Body,
    map: ItemSourceMap,
    /// Locals in scope, innermost last.
    scopes: Vec<(Name, BindingId)>,
}

fn path(p: &ast::Path) -> Path {
    p.segments.iter().map(|s| Name::new(&s.name)).collect()
}

impl Lowerer {
    fn rel(&self, span: Span) -> Span {
        span.relative_to(self.base)
    }

    fn item_kind(&mut self, kind: &ast::ItemKind) -> ItemKind {
        match kind {
            ast::ItemKind::Import(i) => ItemKind::Import { path: i.path.iter().map(|s| Name::new(&s.name)).collect() },
            ast::ItemKind::Platform(body) => ItemKind::Platform { members: self.members(body) },
            ast::ItemKind::Tier(t) => ItemKind::Tier { protected: t.protected },
            ast::ItemKind::Region(r) => ItemKind::Region { value: self.expr(&r.value) },
            ast::ItemKind::Stack(s) => ItemKind::Stack { members: self.members(&s.body) },
            ast::ItemKind::Let(d) => {
                let ty = d.ty.as_ref().map(|t| self.ty(t));
                ItemKind::Let { ty, value: self.expr(&d.value) }
            }
            ast::ItemKind::Fn(f) => {
                let params: Box<[Param]> = f
                    .params
                    .iter()
                    .map(|p| {
                        let ty = self.ty(&p.ty);
                        Param { binding: self.bind(&p.name, BindingKind::Param), ty }
                    })
                    .collect();
                let ret = self.ty(&f.ret);
                let body = self.expr(&f.body);
                self.scopes.clear();
                ItemKind::Fn { params, ret, body }
            }
            ast::ItemKind::Schema(s) => {
                let extends = s.extends.as_ref().map(|p| {
                    self.map.path = Some(self.rel(p.span));
                    path(p)
                });
                ItemKind::Schema { extends, members: self.members(&s.body) }
            }
            ast::ItemKind::TypeAlias(a) => {
                let ty = self.ty(&a.ty);
                let refinement = a.refinement.as_ref().map(|r| {
                    let this =
                        self.body.bindings.alloc(Binding { name: Name::new("self"), kind: BindingKind::RefinedSelf });
                    self.map.bindings.insert(this, self.rel(r.cond.span));
                    self.scopes.push((Name::new("self"), this));
                    let cond = self.expr(&r.cond);
                    let message = r.message.as_ref().map(|m| self.expr(m));
                    self.scopes.pop();
                    Refinement { this, cond, message }
                });
                ItemKind::TypeAlias { ty, refinement }
            }
            ast::ItemKind::Resource(d) | ast::ItemKind::Service(d) => {
                self.map.path = Some(self.rel(d.schema.span));
                let selector = self.selector(d.selector.as_ref());
                ItemKind::Instance {
                    schema: path(&d.schema),
                    selector,
                    shared: d.shared,
                    protected: d.protected,
                    members: self.members(&d.body),
                }
            }
            ast::ItemKind::Policy(p) => {
                let schema = p.schema.as_ref().map(|s| {
                    self.map.path = Some(self.rel(s.span));
                    path(s)
                });
                let selector = self.selector(p.selector.as_ref());
                ItemKind::Policy { schema, selector, members: self.members(&p.body) }
            }
            ast::ItemKind::Error => ItemKind::Error,
        }
    }

    fn selector(&mut self, sel: Option<&ast::Selector>) -> Option<Box<[Name]>> {
        let sel = sel?;
        self.map.selector = sel.names.iter().map(|n| self.rel(n.span)).collect();
        self.map.selector_span = Some(self.rel(sel.span));
        Some(sel.names.iter().map(|n| Name::new(&n.name)).collect())
    }

    fn members(&mut self, body: &ast::Body) -> Box<[MemberId]> {
        body.members.iter().map(|m| self.member(m)).collect()
    }

    fn member(&mut self, m: &ast::Member) -> MemberId {
        let (member, name_span, doc) = match m {
            ast::Member::FieldDecl(f) => {
                let ty = self.ty(&f.ty);
                let default = f.default.as_ref().map(|d| self.expr(d));
                let attrs = f.attrs.iter().map(|a| Name::new(&a.name)).collect();
                (Member::Field { attrs, name: Name::new(f.name.text()), ty, default }, f.name.span(), f.doc.as_deref())
            }
            ast::Member::Assign(a) => {
                let value = self.expr(&a.value);
                (Member::Assign { name: Name::new(&a.name.name), value }, a.name.span, a.doc.as_deref())
            }
            ast::Member::Let(d, _) => {
                let ty = d.ty.as_ref().map(|t| self.ty(t));
                let value = self.expr(&d.value);
                (Member::Let { name: Name::new(&d.name.name), ty, value }, d.name.span, None)
            }
            ast::Member::Check(c) => {
                let cond = self.expr(&c.cond);
                let message = c.message.as_ref().map(|e| self.expr(e));
                (Member::Check { cond, message }, Span::new(c.span.start, c.span.start + 5), None)
            }
            ast::Member::Error(s) => (Member::Error, *s, None),
        };
        let id = self.body.members.alloc(member);
        let spans = MemberSpans { whole: self.rel(m.span()), name: self.rel(name_span), doc: doc.map(Into::into) };
        self.map.members.insert(id, spans);
        id
    }

    fn ty(&mut self, t: &ast::TypeExpr) -> TypeRefId {
        let lowered = match &t.kind {
            ast::TypeExprKind::Path(p) => TypeRef::Path(path(p)),
            ast::TypeExprKind::List(e) => TypeRef::List(self.ty(e)),
            ast::TypeExprKind::Map(k, v) => {
                let k = self.ty(k);
                TypeRef::Map(k, self.ty(v))
            }
            ast::TypeExprKind::Optional(e) => TypeRef::Optional(self.ty(e)),
            ast::TypeExprKind::Union(ts) => TypeRef::Union(ts.iter().map(|t| self.ty(t)).collect()),
            ast::TypeExprKind::StrLit(s) => TypeRef::StrLit(s.as_str().into()),
            ast::TypeExprKind::Error => TypeRef::Error,
        };
        let id = self.body.types.alloc(lowered);
        self.map.types.insert(id, self.rel(t.span));
        id
    }

    fn bind(&mut self, ident: &ast::Ident, kind: BindingKind) -> BindingId {
        let name = Name::new(&ident.name);
        let id = self.body.bindings.alloc(Binding { name, kind });
        self.map.bindings.insert(id, self.rel(ident.span));
        self.scopes.push((name, id));
        id
    }

    fn alloc(&mut self, expr: Expr, span: Span) -> ExprId {
        let id = self.body.exprs.alloc(expr);
        self.map.exprs.insert(id, self.rel(span));
        id
    }

    fn local(&self, name: Name) -> Option<BindingId> {
        self.scopes.iter().rev().find(|(n, _)| *n == name).map(|(_, b)| *b)
    }

    fn expr(&mut self, e: &ast::Expr) -> ExprId {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.expr_inner(e))
    }

    fn expr_inner(&mut self, e: &ast::Expr) -> ExprId {
        use ast::ExprKind as K;
        let lowered = match &e.kind {
            K::Int(i) => Expr::Int(*i),
            K::Float(f) => Expr::Float(*f),
            K::Unit { number, unit } => Expr::Unit { number: number.as_str().into(), unit: unit.as_str().into() },
            K::Str(parts) => Expr::Str(
                parts
                    .iter()
                    .map(|p| match p {
                        ast::StrPart::Text(t) => StrPart::Text(t.as_str().into()),
                        ast::StrPart::Interp(e) => StrPart::Interp(self.expr(e)),
                    })
                    .collect(),
            ),
            K::Bool(b) => Expr::Bool(*b),
            K::None => Expr::None,
            K::SelfRef => match self.local(Name::new("self")) {
                Some(b) => Expr::Local(b),
                None => Expr::SelfRef,
            },
            K::Super(f) => {
                let id = self.alloc(Expr::Super(Name::new(&f.name)), e.span);
                self.map.names.insert(id, self.rel(f.span));
                return id;
            }
            K::Name(n) => {
                let name = Name::new(&n.name);
                match self.local(name) {
                    Some(b) => Expr::Local(b),
                    None => Expr::Name(name),
                }
            }
            K::Field(..) | K::At(..) | K::Index(..) | K::Call(..) => return self.postfix_chain(e),
            K::List(items) => Expr::List(items.iter().map(|i| self.expr(i)).collect()),
            K::Record(entries) => {
                let entries: Box<[RecordEntry]> = entries
                    .iter()
                    .map(|en| {
                        let value = self.expr(&en.value);
                        self.map.keys.insert(value, self.rel(en.key.span()));
                        RecordEntry { key: Name::new(en.key.text()), value }
                    })
                    .collect();
                Expr::Record(entries)
            }
            K::ListComp(c) => Expr::ListComp(self.comprehension(c, None).1),
            K::MapComp(key, c) => {
                let (key, c) = self.comprehension(c, Some(key));
                Expr::MapComp(key.unwrap_or_else(|| self.alloc(Expr::Missing, e.span)), c)
            }
            K::Unary(..) => return self.unary_chain(e),
            K::Binary(..) => return self.binary_chain(e),
            K::If(..) => return self.if_chain(e),
            K::Match(scrutinee, arms) => {
                let scrutinee = self.expr(scrutinee);
                let arms = arms
                    .iter()
                    .map(|arm| {
                        let pats = arm.patterns.iter().map(|p| self.pat(p)).collect();
                        let body = self.expr(&arm.body);
                        self.map.arms.insert(body, self.rel(arm.span));
                        MatchArm { pats, body }
                    })
                    .collect();
                Expr::Match(scrutinee, arms)
            }
            K::Let(..) => return self.let_chain(e),
            K::Error => Expr::Missing,
        };
        self.alloc(lowered, e.span)
    }

    fn pat(&mut self, p: &ast::Pattern) -> super::PatId {
        let lowered = match p {
            ast::Pattern::Wildcard(_) => Pat::Wildcard,
            ast::Pattern::Name(n) => Pat::Name(Name::new(&n.name)),
            ast::Pattern::Str(s, _) => Pat::Str(s.as_str().into()),
            ast::Pattern::Int(i, _) => Pat::Int(*i),
            ast::Pattern::Bool(b, _) => Pat::Bool(*b),
        };
        let id = self.body.pats.alloc(lowered);
        self.map.pats.insert(id, self.rel(p.span()));
        id
    }

    /// The iterated collection is outside the variables' scope; the filter,
    /// the key and the element are inside it.
    fn comprehension(&mut self, c: &ast::Comprehension, key: Option<&ast::Expr>) -> (Option<ExprId>, Comprehension) {
        let iter = self.expr(&c.iter);
        let depth = self.scopes.len();
        let vars = c.vars.iter().map(|v| self.bind(v, BindingKind::ForVar)).collect();
        let cond = c.cond.as_ref().map(|e| self.expr(e));
        let key = key.map(|k| self.expr(k));
        let element = self.expr(&c.element);
        self.scopes.truncate(depth);
        (key, Comprehension { element, vars, iter, cond })
    }

    fn unary_chain(&mut self, e: &ast::Expr) -> ExprId {
        let mut ops = Vec::new();
        let mut cur = e;
        while let ast::ExprKind::Unary(op, inner) = &cur.kind {
            ops.push((*op, cur.span));
            cur = inner;
        }
        let mut id = self.expr(cur);
        for (op, span) in ops.into_iter().rev() {
            id = self.alloc(Expr::Unary(op, id), span);
        }
        id
    }

    fn binary_chain(&mut self, e: &ast::Expr) -> ExprId {
        let mut ops = Vec::new();
        let mut cur = e;
        while let ast::ExprKind::Binary(op, l, r) = &cur.kind {
            ops.push((*op, &**r, cur.span));
            cur = l;
        }
        let mut id = self.expr(cur);
        for (op, r, span) in ops.into_iter().rev() {
            let r = self.expr(r);
            id = self.alloc(Expr::Binary(op, id, r), span);
        }
        id
    }

    fn postfix_chain(&mut self, e: &ast::Expr) -> ExprId {
        let mut ops = Vec::new();
        let mut cur = e;
        while let ast::ExprKind::Field(base, _)
        | ast::ExprKind::At(base, _)
        | ast::ExprKind::Index(base, _)
        | ast::ExprKind::Call(base, _) = &cur.kind
        {
            ops.push(cur);
            cur = base;
        }
        let mut id = self.expr(cur);
        for op in ops.into_iter().rev() {
            let (lowered, extra) = match &op.kind {
                ast::ExprKind::Field(_, f) => (Expr::Field(id, Name::new(&f.name)), Some(f.span)),
                ast::ExprKind::At(_, s) => (Expr::At(id, Name::new(&s.name)), Some(s.span)),
                ast::ExprKind::Index(_, i) => (Expr::Index(id, self.expr(i)), None),
                ast::ExprKind::Call(_, args) => (Expr::Call(id, args.iter().map(|a| self.expr(a)).collect()), None),
                _ => unreachable!("only postfix operations are collected"),
            };
            id = self.alloc(lowered, op.span);
            if let Some(s) = extra {
                self.map.names.insert(id, self.rel(s));
            }
        }
        id
    }

    fn if_chain(&mut self, e: &ast::Expr) -> ExprId {
        let mut links = Vec::new();
        let mut cur = e;
        while let ast::ExprKind::If(c, a, b) = &cur.kind {
            let c = self.expr(c);
            let a = self.expr(a);
            links.push((c, a, cur.span));
            cur = b;
        }
        let mut id = self.expr(cur);
        for (c, a, span) in links.into_iter().rev() {
            id = self.alloc(Expr::If(c, a, id), span);
        }
        id
    }

    fn let_chain(&mut self, e: &ast::Expr) -> ExprId {
        let depth = self.scopes.len();
        let mut links = Vec::new();
        let mut cur = e;
        while let ast::ExprKind::Let(decl, body) = &cur.kind {
            let ty = decl.ty.as_ref().map(|t| self.ty(t));
            let value = self.expr(&decl.value);
            let binding = self.bind(&decl.name, BindingKind::Let);
            links.push((binding, ty, value, cur.span));
            cur = body;
        }
        let mut id = self.expr(cur);
        for (binding, ty, value, span) in links.into_iter().rev() {
            id = self.alloc(Expr::Let { binding, ty, value, body: id }, span);
        }
        self.scopes.truncate(depth);
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lower(src: &str) -> Lowered {
        let parse = sinfra_syntax::parse(src);
        let item = &parse.file.items[0];
        lower_item(item, parse.item_start_with_doc(0).unwrap_or(0))
    }

    #[test]
    fn locals_are_bound_and_globals_named() {
        let l = lower("fn f(x: Int) -> Int = let y = x + 1 in y * z");
        let names: Vec<&Expr> =
            l.hir.body.exprs.values().filter(|e| matches!(e, Expr::Local(_) | Expr::Name(_))).collect();
        assert!(matches!(names.as_slice(), [Expr::Local(_), Expr::Local(_), Expr::Name(n)] if n.as_str() == "z"));
    }

    #[test]
    fn comprehension_variables_do_not_leak() {
        let l = lower("let xs = [x for x in x]");
        let kinds: Vec<&Expr> =
            l.hir.body.exprs.values().filter(|e| matches!(e, Expr::Local(_) | Expr::Name(_))).collect();
        // The iterated `x` is outside the comprehension's scope: a global.
        assert!(matches!(kinds.as_slice(), [Expr::Name(_), Expr::Local(_)]));
    }

    #[test]
    fn hir_is_equal_when_text_moves_and_spans_follow() {
        let a = lower("service api: S {\n  replicas = 2\n}");
        let b = lower("\n\n// moved\nservice api: S {\n\n  replicas   =  2\n}");
        assert_eq!(a.hir, b.hir);
        assert_ne!(a.map, b.map);
        let member = b.hir.kind.members()[0];
        let src = "service api: S {\n\n  replicas   =  2\n}";
        let start = src.find("replicas").unwrap_or_default() as u32;
        assert_eq!(b.map.member(member).name, Span::new(start, start + 8));
    }

    #[test]
    fn long_chains_lower_without_recursion() {
        let src = format!("let x = {}1", "1 + ".repeat(200_000));
        let l = lower(&src);
        assert_eq!(l.hir.body.exprs.len(), 400_001);
    }
}
