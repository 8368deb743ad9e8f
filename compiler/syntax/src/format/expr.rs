//! Expressions, types and patterns as documents.

use pretty::{Arena, DocAllocator};

use super::layout::{Doc, Elem, ElemKind, Shape, assign, flat_width, sequence};
use super::source::Source;
use crate::ast::{BinaryOp, Comprehension, Expr, ExprKind, MatchArm, Pattern, RecordEntry, TypeExpr, TypeExprKind};
use crate::ast::{LetDecl, RecordKey, UnaryOp};
use crate::lexer::Token;
use crate::span::Span;

/// Builds documents from the tree and the source it was parsed from.
pub(super) struct Printer<'a> {
    /// The arena every document lives in.
    pub a: &'a Arena<'a>,
    /// The source.
    pub src: &'a Source<'a>,
}

fn level(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Coalesce => 1,
        BinaryOp::Or => 2,
        BinaryOp::And => 3,
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => 4,
        BinaryOp::Add | BinaryOp::Sub => 5,
        BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => 6,
    }
}

impl<'a> Printer<'a> {
    fn text(&self, s: impl Into<String>) -> Doc<'a> {
        self.a.text(s.into())
    }

    /// An expression, its parentheses kept (one pair however many were written).
    pub fn expr(&self, e: &Expr, indent: usize) -> Doc<'a> {
        let (inner, wrapped) = self.src.unwrap(e.span);
        let doc = self.kind(e, inner, indent);
        if wrapped { self.text("(").append(doc).append(self.text(")")) } else { doc }
    }

    /// Whether an expression is a bracketed construct that breaks inside
    /// rather than after the `=` in front of it.
    pub fn hugs(&self, e: &Expr) -> bool {
        if self.src.is_wrapped(e.span) {
            return false;
        }
        matches!(
            e.kind,
            ExprKind::List(_)
                | ExprKind::Record(_)
                | ExprKind::ListComp(_)
                | ExprKind::MapComp(..)
                | ExprKind::Match(..)
                | ExprKind::Call(..)
        )
    }

    fn kind(&self, e: &Expr, inner: Span, indent: usize) -> Doc<'a> {
        match &e.kind {
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Unit { .. }
            | ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::None
            | ExprKind::SelfRef
            | ExprKind::Error => self.text(self.src.slice(inner)),
            ExprKind::Name(i) => self.text(i.name.clone()),
            ExprKind::Super(i) => self.text(format!("super.{}", i.name)),
            ExprKind::Field(..) | ExprKind::At(..) | ExprKind::Index(..) | ExprKind::Call(..) => {
                self.postfix(e, indent)
            }
            ExprKind::List(items) => self.list(items, inner, indent),
            ExprKind::Record(entries) => self.record(entries, inner, indent),
            ExprKind::ListComp(c) => {
                let head = self.expr(&c.element, indent + 2);
                self.comprehension("[", head, c, "]", false, indent)
            }
            ExprKind::MapComp(key, c) => {
                let head = self
                    .text("[")
                    .append(self.expr(key, indent + 2))
                    .append(self.text("] = "))
                    .append(self.expr(&c.element, indent + 2));
                self.comprehension("{", head, c, "}", true, indent)
            }
            ExprKind::Unary(op, x) => {
                let sym = match op {
                    UnaryOp::Neg => "-",
                    UnaryOp::Not => "!",
                };
                self.text(sym).append(self.expr(x, indent))
            }
            ExprKind::Binary(..) => self.binary(e, indent),
            ExprKind::If(..) => self.if_chain(e, indent),
            ExprKind::Match(scrutinee, arms) => self.match_expr(scrutinee, arms, inner, indent),
            ExprKind::Let(..) => self.let_chain(e, indent),
        }
    }

    /// `base.f@t[i](args)…`, walked in a loop.
    fn postfix(&self, e: &Expr, indent: usize) -> Doc<'a> {
        let mut ops: Vec<&Expr> = Vec::new();
        let mut cur = e;
        let base = loop {
            let next = match &cur.kind {
                ExprKind::Field(b, _) | ExprKind::At(b, _) | ExprKind::Index(b, _) | ExprKind::Call(b, _) => b,
                _ => break cur,
            };
            ops.push(cur);
            if self.src.is_wrapped(next.span) {
                break &**next;
            }
            cur = next;
        };
        let mut doc = self.expr(base, indent);
        for op in ops.into_iter().rev() {
            doc = match &op.kind {
                ExprKind::Field(_, f) => doc.append(self.text(format!(".{}", f.name))),
                ExprKind::At(_, t) => doc.append(self.text(format!("@{}", t.name))),
                ExprKind::Index(_, i) => doc.append(self.text("[")).append(self.expr(i, indent)).append(self.text("]")),
                ExprKind::Call(callee, args) => doc.append(self.args(callee.span.end, op.span.end, args, indent)),
                _ => doc,
            };
        }
        doc
    }

    /// `(a, b)`: the last argument hugged when it is a record or list the
    /// author broke and the others are short.
    fn args(&self, lo: u32, hi: u32, args: &[Expr], indent: usize) -> Doc<'a> {
        if let Some((last, rest)) = args.split_last()
            && self.src.comments_in(lo, hi).is_empty()
            && matches!(last.kind, ExprKind::Record(_) | ExprKind::List(_))
            && !self.src.is_wrapped(last.span)
        {
            let last_doc = self.expr(last, indent);
            let rest_docs: Vec<Doc<'a>> = rest.iter().map(|x| self.expr(x, indent)).collect();
            let rest_flat: Option<usize> =
                rest_docs.iter().map(flat_width).try_fold(0, |acc, w| w.map(|w| acc + w + 2));
            if flat_width(&last_doc).is_none() && rest_flat.is_some_and(|w| w <= 40) {
                let mut doc = self.text("(");
                for d in rest_docs {
                    doc = doc.append(d).append(self.text(", "));
                }
                return doc.append(last_doc).append(self.text(")"));
            }
        }
        let elems = args
            .iter()
            .map(|x| {
                let d = self.expr(x, indent + 2);
                Elem { span: x.span, kind: ElemKind::Plain(d.clone(), d) }
            })
            .collect();
        let shape = Shape { open: "(", close: ")", spaced: false, commas_when_broken: true, forced: false };
        sequence(self.a, self.src, elems, lo, hi, &shape, indent)
    }

    fn list(&self, items: &[Expr], inner: Span, indent: usize) -> Doc<'a> {
        // `[{ … }]`: one record (or hugging call) the author broke stays hugged.
        if let [only] = items
            && self.src.comments_in(inner.start, inner.end).is_empty()
            && !self.src.is_wrapped(only.span)
            && matches!(only.kind, ExprKind::Record(_) | ExprKind::Call(..))
        {
            let d = self.expr(only, indent);
            if flat_width(&d).is_none() {
                return self.text("[").append(d).append(self.text("]"));
            }
        }
        let elems = items
            .iter()
            .map(|x| {
                let d = self.expr(x, indent + 2);
                Elem { span: x.span, kind: ElemKind::Plain(d.clone(), d) }
            })
            .collect();
        let shape = Shape { open: "[", close: "]", spaced: false, commas_when_broken: true, forced: false };
        sequence(self.a, self.src, elems, inner.start + 1, inner.end.saturating_sub(1), &shape, indent)
    }

    /// Whether the author put a line break right after the opening delimiter at `open`.
    fn broken_by_author(&self, open: u32, first: Option<u32>, close: u32) -> bool {
        self.src.has_newline(open, first.unwrap_or(close))
    }

    fn record(&self, entries: &[RecordEntry], inner: Span, indent: usize) -> Doc<'a> {
        let lo = inner.start + 1;
        let hi = inner.end.saturating_sub(1);
        let forced = !entries.is_empty() && self.broken_by_author(lo, entries.first().map(|e| e.span.start), hi);
        let elems = entries
            .iter()
            .map(|en| {
                let key = match &en.key {
                    RecordKey::Ident(i) => i.name.clone(),
                    RecordKey::Str(_, s) => self.src.slice(*s).to_string(),
                };
                Elem { span: en.span, kind: self.key_value(key, en.key.span().end, "=", &en.value, indent + 2) }
            })
            .collect();
        let shape = Shape { open: "{", close: "}", spaced: true, commas_when_broken: false, forced };
        sequence(self.a, self.src, elems, lo, hi, &shape, indent)
    }

    /// A `key = value` element; `key_end` is where the key ends in the source.
    pub fn key_value(&self, key: String, key_end: u32, op: &'static str, value: &Expr, indent: usize) -> ElemKind<'a> {
        let gap = self.src.slice(Span::new(key_end, value.span.start));
        let before_op = gap.split(op).next().unwrap_or("");
        let padded = before_op.len() > 1 && !before_op.contains('\n');
        ElemKind::KeyValue { key, op, value: self.expr(value, indent), hug: self.hugs(value), padded }
    }

    fn comprehension(
        &self,
        open: &'static str,
        head: Doc<'a>,
        c: &Comprehension,
        close: &'static str,
        spaced: bool,
        indent: usize,
    ) -> Doc<'a> {
        let vars: Vec<&str> = c.vars.iter().map(|v| v.name.as_str()).collect();
        let mut body = head
            .append(self.a.line())
            .append(self.text(format!("for {} in ", vars.join(", "))))
            .append(self.expr(&c.iter, indent + 2));
        if let Some(cond) = &c.cond {
            body = body.append(self.a.line()).append(self.text("if ")).append(self.expr(cond, indent + 2));
        }
        let edge = if spaced { self.a.line() } else { self.a.line_() };
        self.text(open).append(edge.clone().append(body).nest(2)).append(edge).append(self.text(close)).group()
    }

    /// A chain of operators of one precedence, broken before the operators.
    fn binary(&self, e: &Expr, indent: usize) -> Doc<'a> {
        let ExprKind::Binary(op, _, _) = &e.kind else { return self.text(self.src.slice(e.span)) };
        let lvl = level(*op);
        let mut rest: Vec<(BinaryOp, &Expr)> = Vec::new();
        let mut cur = e;
        let first = loop {
            match &cur.kind {
                ExprKind::Binary(op, l, r)
                    if level(*op) == lvl && (std::ptr::eq(cur, e) || !self.src.is_wrapped(cur.span)) =>
                {
                    rest.push((*op, r));
                    cur = l;
                }
                _ => break cur,
            }
        };
        rest.reverse();
        let first_doc = self.expr(first, indent);
        let docs: Vec<(BinaryOp, Doc<'a>)> = rest.iter().map(|(op, x)| (*op, self.expr(x, indent + 2))).collect();
        // `a + b + { … }`: a broken last operand hugs when the others fit on one line.
        let n = docs.len();
        let hug_last = flat_width(&first_doc).is_some()
            && docs.iter().take(n.saturating_sub(1)).all(|(_, d)| flat_width(d).is_some())
            && docs.last().is_some_and(|(_, d)| flat_width(d).is_none())
            && rest.last().is_some_and(|(_, x)| self.hugs(x));
        if hug_last {
            let mut doc = first_doc;
            for (op, d) in docs {
                doc = doc.append(self.text(format!(" {} ", op.symbol()))).append(d);
            }
            return doc;
        }
        let mut tail = self.a.nil();
        for (op, d) in docs {
            tail = tail.append(self.a.line()).append(self.text(format!("{} ", op.symbol()))).append(d);
        }
        first_doc.append(tail.nest(2)).group()
    }

    /// `if a then x else if b then y else z`, walked in a loop.
    fn if_chain(&self, e: &Expr, indent: usize) -> Doc<'a> {
        let mut doc = self.a.nil();
        let mut cur = e;
        let mut first = true;
        loop {
            match &cur.kind {
                ExprKind::If(c, t, f) if first || !self.src.is_wrapped(cur.span) => {
                    let then = self.a.line().append(self.text("then ")).append(self.expr(t, indent + 2));
                    doc = if first {
                        doc.append(self.text("if ")).append(self.expr(c, indent + 2)).append(then)
                    } else {
                        // `else if c then a` stays on one line when it fits.
                        let segment = self.text("else if ").append(self.expr(c, indent + 2)).append(then.nest(2));
                        doc.append(self.a.line()).append(segment.group())
                    };
                    first = false;
                    cur = f;
                }
                _ => break,
            }
        }
        let last = self.a.line().append(self.text("else ")).append(self.expr(cur, indent + 2));
        // The first `if` stays at the start; what follows is indented when broken.
        doc.append(last).nest(2).group()
    }

    /// `let x = 1 in let y = 2 in body`, walked in a loop.
    fn let_chain(&self, e: &Expr, indent: usize) -> Doc<'a> {
        let mut doc = self.a.nil();
        let mut cur = e;
        let mut first = true;
        loop {
            match &cur.kind {
                ExprKind::Let(decl, body) if first || !self.src.is_wrapped(cur.span) => {
                    doc = doc.append(self.let_head(decl, indent)).append(self.text(" in")).append(self.a.line());
                    first = false;
                    cur = body;
                }
                _ => break,
            }
        }
        doc.append(self.expr(cur, indent)).group()
    }

    /// `let x[: T] = value`.
    pub fn let_head(&self, d: &LetDecl, indent: usize) -> Doc<'a> {
        let mut head = format!("let {}", d.name.name);
        if let Some(t) = &d.ty {
            head.push_str(": ");
            head.push_str(&self.ty(t));
        }
        let len = head.chars().count();
        assign(self.a, self.text(head), len, "=", self.expr(&d.value, indent), self.hugs(&d.value), indent)
    }

    fn match_expr(&self, scrutinee: &Expr, arms: &[MatchArm], inner: Span, indent: usize) -> Doc<'a> {
        let head = self.text("match ").append(self.expr(scrutinee, indent)).append(self.text(" "));
        let open = self.src.token_from(scrutinee.span.end).filter(|(t, _)| *t == Token::LBrace).map(|(_, s)| s);
        let lo = open.map_or(scrutinee.span.end, |s| s.end);
        let hi = inner.end.saturating_sub(1);
        let forced = !arms.is_empty() && self.broken_by_author(lo, arms.first().map(|a| a.span.start), hi);
        let elems = arms
            .iter()
            .map(|arm| {
                let key = arm.patterns.iter().map(|p| self.pattern(p)).collect::<Vec<_>>().join(" | ");
                let key_end = arm.patterns.last().map_or(arm.span.start, |p| p.span().end);
                Elem { span: arm.span, kind: self.key_value(key, key_end, "=>", &arm.body, indent + 2) }
            })
            .collect();
        let shape = Shape { open: "{", close: "}", spaced: true, commas_when_broken: false, forced };
        head.append(sequence(self.a, self.src, elems, lo, hi, &shape, indent))
    }

    fn pattern(&self, p: &Pattern) -> String {
        match p {
            Pattern::Name(i) => i.name.clone(),
            _ => self.src.slice(p.span()).to_string(),
        }
    }

    /// A type, on one line.
    pub fn ty(&self, t: &TypeExpr) -> String {
        let (inner, wrapped) = self.src.unwrap(t.span);
        let text = match &t.kind {
            TypeExprKind::Path(p) => p.text(),
            TypeExprKind::List(x) => format!("[{}]", self.ty(x)),
            TypeExprKind::Map(k, v) => format!("{{{}: {}}}", self.ty(k), self.ty(v)),
            TypeExprKind::Optional(x) => format!("{}?", self.ty(x)),
            TypeExprKind::Union(xs) => xs.iter().map(|x| self.ty(x)).collect::<Vec<_>>().join(" | "),
            TypeExprKind::StrLit(_) | TypeExprKind::Error => self.src.slice(inner).to_string(),
        };
        if wrapped { format!("({text})") } else { text }
    }
}
