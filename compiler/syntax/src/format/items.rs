//! Items and the bodies of schemas, instances, stacks, policies and the platform.

use pretty::DocAllocator;

use super::expr::Printer;
use super::layout::{Doc, Elem, ElemKind, Shape, assign, sequence};
use crate::ast::{Body, Item, ItemKind, Member, Path, RecordKey, Selector};

impl<'a> Printer<'a> {
    /// One item, at the start of a line.
    pub fn item(&self, item: &Item) -> Doc<'a> {
        match &item.kind {
            ItemKind::Import(i) => {
                let path: Vec<&str> = i.path.iter().map(|s| s.name.as_str()).collect();
                self.a.text(format!("import {}", path.join(".")))
            }
            ItemKind::Platform(body) => self.a.text("platform ").append(self.body(body)),
            ItemKind::Tier(t) => {
                let p = if t.protected { "protected " } else { "" };
                self.a.text(format!("{p}tier {}", t.name.name))
            }
            ItemKind::Region(r) => {
                let head = format!("region {}", r.name.name);
                let len = head.len();
                assign(self.a, self.a.text(head), len, "=", self.expr(&r.value, 0), self.hugs(&r.value), 0)
            }
            ItemKind::Stack(s) => self.a.text(format!("stack {} ", s.name.name)).append(self.body(&s.body)),
            ItemKind::Let(d) => self.let_head(d, 0),
            ItemKind::Fn(f) => {
                let params: Vec<String> =
                    f.params.iter().map(|p| format!("{}: {}", p.name.name, self.ty(&p.ty))).collect();
                let head = format!("fn {}({}) -> {}", f.name.name, params.join(", "), self.ty(&f.ret));
                let len = head.chars().count();
                assign(self.a, self.a.text(head), len, "=", self.expr(&f.body, 0), self.hugs(&f.body), 0)
            }
            ItemKind::Schema(s) => {
                let ext = s.extends.as_ref().map(|p| format!(" extends {}", p.text())).unwrap_or_default();
                self.a.text(format!("schema {}{ext} ", s.name.name)).append(self.body(&s.body))
            }
            ItemKind::TypeAlias(t) => {
                let doc = self.a.text(format!("type {} = {}", t.name.name, self.ty(&t.ty)));
                match &t.refinement {
                    Some(r) => {
                        let cond = self.a.text(" where ").append(self.expr(&r.cond, 2));
                        match &r.message {
                            Some(m) => doc.append(cond.append(self.else_message(m, 0)).group()),
                            None => doc.append(cond),
                        }
                    }
                    None => doc,
                }
            }
            ItemKind::Resource(d) | ItemKind::Service(d) => {
                let mut head = String::new();
                if d.shared {
                    head.push_str("shared ");
                }
                if d.protected {
                    head.push_str("protected ");
                }
                let kw = if matches!(item.kind, ItemKind::Resource(_)) { "resource" } else { "service" };
                head.push_str(&format!("{kw} {}: {}{} ", d.name.name, d.schema.text(), selector(&d.selector)));
                self.a.text(head).append(self.body(&d.body))
            }
            ItemKind::Policy(p) => {
                let schema = p.schema.as_ref().map(|s: &Path| format!(": {}", s.text())).unwrap_or_default();
                let head = format!("policy {}{schema}{} ", p.name.name, selector(&p.selector));
                self.a.text(head).append(self.body(&p.body))
            }
            ItemKind::Error => self.a.text(self.src.slice(item.span).to_string()),
        }
    }

    /// ` else "message"`, on the next line when the enclosing group breaks.
    fn else_message(&self, m: &crate::ast::Expr, indent: usize) -> Doc<'a> {
        self.a.line().append(self.a.text("else ")).append(self.expr(m, indent + 2)).nest(2)
    }

    fn body(&self, body: &Body) -> Doc<'a> {
        let lo = body.span.start + 1;
        let hi = body.span.end.saturating_sub(1);
        let forced =
            !body.members.is_empty() && self.src.has_newline(lo, body.members.first().map_or(hi, |m| m.span().start));
        let elems = body.members.iter().map(|m| Elem { span: m.span(), kind: self.member(m) }).collect();
        let shape = Shape { open: "{", close: "}", spaced: true, commas_when_broken: false, forced };
        sequence(self.a, self.src, elems, lo, hi, &shape, 0)
    }

    fn member(&self, m: &Member) -> ElemKind<'a> {
        const IN: usize = 2;
        let plain = |d: Doc<'a>| ElemKind::Plain(d.clone(), d);
        match m {
            Member::Assign(a) => self.key_value(a.name.name.clone(), a.name.span.end, "=", &a.value, IN),
            Member::FieldDecl(f) => {
                let mut head = String::new();
                for attr in &f.attrs {
                    head.push_str(&format!("@{} ", attr.name));
                }
                let name = match &f.name {
                    RecordKey::Ident(i) => i.name.as_str(),
                    RecordKey::Str(_, span) => self.src.slice(*span),
                };
                head.push_str(&format!("{name}: {}", self.ty(&f.ty)));
                let len = head.chars().count();
                plain(match &f.default {
                    Some(d) => assign(self.a, self.a.text(head), len, "=", self.expr(d, IN), self.hugs(d), IN),
                    None => self.a.text(head),
                })
            }
            Member::Let(d, _) => plain(self.let_head(d, IN)),
            Member::Check(c) => {
                let doc = self.a.text("check ").append(self.expr(&c.cond, IN));
                plain(match &c.message {
                    Some(msg) => doc.append(self.else_message(msg, IN)).group(),
                    None => doc,
                })
            }
            Member::Error(s) => plain(self.a.text(self.src.slice(*s).to_string())),
        }
    }
}

fn selector(s: &Option<Selector>) -> String {
    match s {
        None => String::new(),
        Some(s) if s.names.len() == 1 => format!(" @{}", s.names[0].name),
        Some(s) => {
            let names: Vec<&str> = s.names.iter().map(|n| n.name.as_str()).collect();
            format!(" @[{}]", names.join(", "))
        }
    }
}
