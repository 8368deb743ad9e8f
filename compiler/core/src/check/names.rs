//! The static check of one item: names resolve, instance bodies match their
//! schema, unit literals are valid, and `match tier`/`match region` cover
//! every declared tier or region.

use std::sync::Arc;

use sinfra_syntax::Span;
use sinfra_syntax::ast::{Body, Expr, ExprKind, ItemKind, Member, StrPart};

use crate::db::{Db, Project};
use crate::diagnostics::Code;
use crate::eval::builtins;
use crate::index::project_index;
use crate::items::{ItemId, ItemTag, item_syntax};
use crate::loc::{Diag, Loc};
use crate::platform::{PlatformInfo, placement, platform_info};
use crate::resolve::{CONTEXT_NAMES, FileScope, did_you_mean, path_error};
use crate::signatures::{alias_def, fn_sig, schema_def, underlying, unknown_field};

/// Every static problem of one item. Depends only on this item's syntax and
/// on signatures, so editing another item's body never re-runs it.
#[salsa::tracked(returns(ref))]
pub fn check_item(db: &dyn Db, project: Project, item: ItemId) -> Arc<Vec<Diag>> {
    let index = project_index(db, project);
    let info = platform_info(db, project);
    let syntax = item_syntax(db, item).clone();
    let scope = FileScope::new(db, index, item.file(db));
    let mut w = Walker {
        db,
        item,
        scope,
        info,
        diags: Vec::new(),
        locals: Vec::new(),
        fields: Vec::new(),
        open_fields: false,
        typed: Vec::new(),
        project,
    };
    match &syntax.ast.kind {
        ItemKind::Let(decl) => {
            if let Some(t) = &decl.ty {
                // Type problems of the annotation are reported by evaluation (`eval_let_decl`).
                let ty = crate::resolve::lower_type(db, &w.scope, item, t, &mut Vec::new());
                w.records(&ty, &decl.value);
            }
            w.expr(&decl.value)
        }
        ItemKind::Fn(decl) => {
            w.diags.extend(fn_sig(db, project, item).diags.iter().cloned());
            let mut names = Vec::new();
            referenced_names(&syntax.ast, &mut names);
            if names.contains(&decl.name.name) && !decl.params.iter().any(|p| p.name.name == decl.name.name) {
                w.diags.push(
                    Diag::new(
                        Code::Cycle,
                        format!("function `{}` calls itself", decl.name.name),
                        Loc::new(item, decl.name.span),
                        "recursive function",
                    )
                    .with_note("functions may not call themselves: sinfra programs always terminate")
                    .with_help("iterate with a comprehension over a list or `range(n)` instead"),
                );
            }
            w.locals = decl.params.iter().map(|p| p.name.name.clone()).collect();
            w.typed = fn_sig(db, project, item).params.clone();
            w.expr(&decl.body);
        }
        ItemKind::TypeAlias(decl) => {
            w.diags.extend(alias_def(db, project, item).diags.iter().cloned());
            if let Some(r) = &decl.refinement {
                w.locals.push("self".into());
                w.expr(&r.cond);
                if let Some(m) = &r.message {
                    w.expr(m);
                }
            }
        }
        ItemKind::Schema(decl) => {
            let def = schema_def(db, project, item);
            w.diags.extend(def.diags.iter().cloned());
            w.fields = def.fields.keys().cloned().collect();
            w.typed = def.fields.iter().map(|(n, f)| (n.clone(), f.ty.clone())).collect();
            w.fields.extend(def.lets.iter().filter_map(|m| let_name(db, m.owner, m.index)));
            w.body(&decl.body, true);
        }
        ItemKind::Resource(decl) | ItemKind::Service(decl) => {
            w.diags.extend(placement(db, project, item).diags.iter().cloned());
            let dns = decl.name.name.replace('_', "-");
            if !builtins::is_dns_label(&dns) {
                w.diags.push(
                    Diag::new(
                        Code::InvalidOutputName,
                        format!("`{}` does not make a DNS-1123 name (`{dns}`)", decl.name.name),
                        Loc::new(item, decl.name.span),
                        "used as a file name and as Kubernetes object names",
                    )
                    .with_help("use lowercase letters, digits and `_`, not at the start or the end"),
                );
            }
            match w.scope.path_item(&decl.schema) {
                Ok(schema) if schema.tag(db) == ItemTag::Schema => {
                    let def = schema_def(db, project, schema);
                    w.fields = def.fields.keys().cloned().collect();
                    w.typed = def.fields.iter().map(|(n, f)| (n.clone(), f.ty.clone())).collect();
                    w.fields.extend(def.lets.iter().filter_map(|m| let_name(db, m.owner, m.index)));
                    w.fields.extend(lets_of(&decl.body));
                    let mut assigned = Vec::new();
                    for m in &decl.body.members {
                        if let Member::Assign(a) = m {
                            if !def.fields.contains_key(&a.name.name) {
                                w.diags.push(unknown_field(db, item, def, &a.name.name, a.name.span));
                            }
                            if assigned.contains(&a.name.name) {
                                w.diags.push(Diag::new(
                                    Code::DuplicateDefinition,
                                    format!("field `{}` is set twice", a.name.name),
                                    Loc::new(item, a.name.span),
                                    "set again here",
                                ));
                            }
                            assigned.push(a.name.name.clone());
                        }
                    }
                    let missing: Vec<&String> = def
                        .fields
                        .iter()
                        .filter(|(n, f)| f.required() && !assigned.contains(n))
                        .map(|(n, _)| n)
                        .collect();
                    if !missing.is_empty() {
                        let list = missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ");
                        let mut d = Diag::new(
                            Code::MissingField,
                            format!("{} `{}` is missing required field {list}", syntax.ast.keyword(), decl.name.name),
                            Loc::new(item, decl.name.span),
                            format!("`{}` requires {list}", decl.schema.text()),
                        );
                        for m in &missing {
                            if let Some(f) = def.fields.get(*m) {
                                d = d.with_label(Loc::new(f.decl.owner, f.name_span), format!("`{m}` declared here"));
                            }
                        }
                        w.diags.push(d.with_help(format!("set {list} in the body")));
                    }
                }
                Ok(other) => w.diags.push(Diag::new(
                    Code::TypeMismatch,
                    format!("`{}` is a {}, not a schema", decl.schema.text(), other.tag(db).describe()),
                    Loc::new(item, decl.schema.span),
                    "expected a schema",
                )),
                Err(e) => w.diags.push(path_error(&w.scope, item, &decl.schema, e, "schema")),
            }
            w.body(&decl.body, false);
        }
        ItemKind::Policy(decl) => {
            w.diags.extend(placement(db, project, item).diags.iter().cloned());
            if let Some(path) = &decl.schema {
                match w.scope.path_item(path) {
                    Ok(schema) if schema.tag(db) == ItemTag::Schema => {
                        let def = schema_def(db, project, schema);
                        w.fields = def.fields.keys().cloned().collect();
                        w.typed = def.fields.iter().map(|(n, f)| (n.clone(), f.ty.clone())).collect();
                    }
                    Ok(_) => {}
                    Err(e) => w.diags.push(path_error(&w.scope, item, path, e, "schema")),
                }
            } else {
                w.open_fields = true;
            }
            w.fields.extend(lets_of(&decl.body));
            w.body(&decl.body, false);
        }
        ItemKind::Platform(body) => {
            if let Some(schema) = index.global("Platform") {
                let def = schema_def(db, project, schema);
                w.fields = def.fields.keys().cloned().collect();
                for m in &body.members {
                    if let Member::Assign(a) = m
                        && !def.fields.contains_key(&a.name.name)
                    {
                        w.diags.push(unknown_field(db, item, def, &a.name.name, a.name.span));
                    }
                }
            }
            w.body(body, false);
        }
        ItemKind::Region(r) => w.expr(&r.value),
        ItemKind::Import(i) => {
            let path: Vec<&str> = i.path.iter().map(|s| s.name.as_str()).collect();
            let known =
                matches!(path.as_slice(), ["std", m] if index.modules.contains_key(*m) || *m == crate::stdlib::PRELUDE);
            if !known {
                let modules: Vec<&str> = index.modules.keys().map(String::as_str).collect();
                let last = i.path.last().map(|s| s.span).unwrap_or_default();
                let mut d = Diag::new(
                    Code::UnknownModule,
                    format!("unknown module `{}`", path.join(".")),
                    Loc::new(item, last),
                    "no such module",
                )
                .with_note(format!(
                    "the standard library has: {}",
                    modules.iter().map(|m| format!("std.{m}")).collect::<Vec<_>>().join(", ")
                ));
                if let Some(last_name) = path.last()
                    && let Some(s) = did_you_mean(last_name, modules.iter().copied())
                {
                    d = d.with_help(format!("did you mean `std.{s}`?")).with_fix(
                        format!("replace with `{s}`"),
                        Loc::new(item, last),
                        s,
                    );
                }
                w.diags.push(d);
            }
        }
        ItemKind::Tier(_) | ItemKind::Stack(_) | ItemKind::Error => {}
    }
    let scope = FileScope::new(db, index, item.file(db));
    w.diags.extend(static_types(db, project, item, scope, &syntax.ast.kind, &w.typed));
    Arc::new(w.diags)
}

/// The static type checks of an item's code (see [`super::types`]), with the
/// declared types of its parameters or fields.
fn static_types(
    db: &dyn Db,
    project: Project,
    item: ItemId,
    scope: FileScope<'_>,
    kind: &ItemKind,
    declared: &[(String, crate::ty::Ty)],
) -> Vec<Diag> {
    let mut t = super::types::Types::new(db, project, item, declared).with_scope(scope);
    let body = |t: &mut super::types::Types<'_>, b: &Body| {
        for m in &b.members {
            match m {
                Member::FieldDecl(f) => {
                    if let Some(d) = &f.default {
                        match t.declared(&f.name.name) {
                            Some(ty) => t.check_value(d, &ty),
                            None => t.infer(d),
                        };
                    }
                }
                Member::Assign(a) => {
                    match t.declared(&a.name.name) {
                        Some(ty) => t.check_value(&a.value, &ty),
                        None => t.infer(&a.value),
                    };
                }
                Member::Let(l, _) => {
                    t.infer(&l.value);
                }
                Member::Check(c) => {
                    t.condition(&c.cond, "a `check` condition");
                    if let Some(m) = &c.message {
                        t.infer(m);
                    }
                }
                Member::Error(_) => {}
            }
        }
    };
    match kind {
        ItemKind::Fn(decl) => {
            let sig = fn_sig(db, project, item);
            t.check_result(&decl.body, &sig.ret);
        }
        ItemKind::Let(decl) => {
            t.infer(&decl.value);
        }
        ItemKind::Schema(d) => body(&mut t, &d.body),
        ItemKind::Resource(d) | ItemKind::Service(d) => body(&mut t, &d.body),
        ItemKind::Policy(p) => body(&mut t, &p.body),
        ItemKind::Platform(b) => body(&mut t, b),
        _ => {}
    }
    t.diags
}

fn lets_of(body: &Body) -> Vec<String> {
    body.members
        .iter()
        .filter_map(|m| if let Member::Let(l, _) = m { Some(l.name.name.clone()) } else { None })
        .collect()
}

fn let_name(db: &dyn Db, owner: ItemId, index: usize) -> Option<String> {
    let syntax = item_syntax(db, owner);
    let ItemKind::Schema(s) = &syntax.ast.kind else { return None };
    match s.body.members.get(index)? {
        Member::Let(l, _) => Some(l.name.name.clone()),
        _ => None,
    }
}

struct Walker<'a> {
    db: &'a dyn Db,
    item: ItemId,
    scope: FileScope<'a>,
    info: &'a PlatformInfo,
    diags: Vec<Diag>,
    locals: Vec<String>,
    fields: Vec<String>,
    open_fields: bool,
    /// Declared types of parameters and fields, for the domain of a `match`.
    typed: Vec<(String, crate::ty::Ty)>,
    project: Project,
}

impl Walker<'_> {
    fn loc(&self, span: Span) -> Loc {
        Loc::new(self.item, span)
    }

    fn body(&mut self, body: &Body, is_schema: bool) {
        for m in &body.members {
            match m {
                Member::FieldDecl(f) => {
                    if !is_schema {
                        self.diags.push(
                            Diag::new(
                                Code::MisplacedItem,
                                format!("field declaration `{}: …` outside a schema", f.name.name),
                                self.loc(f.span),
                                "instances set fields with `=`; only schemas declare them",
                            )
                            .with_help(format!("write `{} = value`", f.name.name)),
                        );
                    }
                    if let Some(d) = &f.default {
                        self.dimensions(&f.name.name, d);
                        self.field_records(&f.name.name, d);
                        self.expr(d);
                    }
                }
                Member::Assign(a) => {
                    self.dimensions(&a.name.name, &a.value);
                    self.field_records(&a.name.name, &a.value);
                    self.expr(&a.value)
                }
                Member::Let(l, _) => {
                    if let Some(t) = &l.ty {
                        let ty = crate::resolve::lower_type(self.db, &self.scope, self.item, t, &mut self.diags);
                        self.records(&ty, &l.value);
                    }
                    self.expr(&l.value)
                }
                Member::Check(c) => {
                    self.expr(&c.cond);
                    if let Some(m) = &c.message {
                        self.expr(m);
                    }
                }
                Member::Error(_) => {}
            }
        }
    }

    fn name(&mut self, name: &str, span: Span, in_call: bool) {
        if self.locals.iter().any(|l| l == name)
            || (!in_call && (self.open_fields || self.fields.iter().any(|f| f == name)))
            || CONTEXT_NAMES.contains(&name)
            || self.scope.global(name).is_some()
        {
            return;
        }
        let mut candidates: Vec<String> = self.scope.candidates();
        candidates.extend(self.locals.iter().cloned());
        candidates.extend(self.fields.iter().cloned());
        let mut d =
            Diag::new(Code::UnknownName, format!("unknown name `{name}`"), self.loc(span), "not found in this scope");
        if let Some(s) = did_you_mean(name, candidates.iter().map(String::as_str)) {
            d = d.with_help(format!("did you mean `{s}`?")).with_fix(format!("replace with `{s}`"), self.loc(span), s);
        } else if self.scope.index.modules.contains_key(name) {
            d = d.with_help(format!("add `import std.{name}` at the top of the file"));
        }
        self.diags.push(d);
    }

    fn expr(&mut self, e: &Expr) {
        let mut stack: Vec<(&Expr, usize)> = vec![(e, self.locals.len())];
        // Iterative where nesting is unbounded (operators, postfix chains); recursive for binders.
        while let Some((e, _)) = stack.pop() {
            match &e.kind {
                ExprKind::Int(_)
                | ExprKind::Float(_)
                | ExprKind::Bool(_)
                | ExprKind::None
                | ExprKind::SelfRef
                | ExprKind::Error => {}
                ExprKind::Unit { number, unit } => {
                    if builtins::unit_value(number, unit).is_none() {
                        let mut d = Diag::new(
                            Code::InvalidUnit,
                            format!("unknown unit `{unit}` in `{number}{unit}`"),
                            self.loc(e.span),
                            "unknown unit",
                        )
                        .with_note(format!("units: {}", builtins::UNITS.join(" ")));
                        // Byte units are ambiguous between decimal and binary: offer both, say which is which.
                        let bytes = match unit.to_ascii_lowercase().as_str() {
                            "kb" => Some(("k", "Ki", "kilo", "kibi", "¹")),
                            "mb" => Some(("M", "Mi", "mega", "mebi", "²")),
                            "gb" => Some(("G", "Gi", "giga", "gibi", "³")),
                            "tb" => Some(("T", "Ti", "tera", "tebi", "⁴")),
                            "pb" => Some(("P", "Pi", "peta", "pebi", "⁵")),
                            _ => None,
                        };
                        if let Some((decimal, binary, dec_name, bin_name, power)) = bytes {
                            let (dec, bin) = (format!("{number}{decimal}"), format!("{number}{binary}"));
                            d = d
                                .with_help(format!(
                                    "did you mean `{bin}` ({bin_name}bytes: {number} × 1024{power} bytes, the usual unit of memory in Kubernetes) or `{dec}` ({dec_name}bytes: {number} × 1000{power} bytes)?"
                                ))
                                .with_fix(format!("replace with `{bin}`"), self.loc(e.span), bin);
                        } else if let Some(s) =
                            did_you_mean(unit, builtins::UNITS.iter().copied()).or(match unit.as_str() {
                                "min" | "mins" | "minutes" => Some("m"),
                                "sec" | "secs" | "seconds" => Some("s"),
                                _ => None,
                            })
                        {
                            let fixed = format!("{number}{s}");
                            d = d.with_help(format!("did you mean `{fixed}`?")).with_fix(
                                format!("replace with `{fixed}`"),
                                self.loc(e.span),
                                fixed,
                            );
                        }
                        self.diags.push(d);
                    }
                }
                ExprKind::Str(parts) => {
                    for p in parts {
                        if let StrPart::Interp(x) = p {
                            stack.push((x, 0));
                        }
                    }
                }
                ExprKind::Name(n) => self.name(&n.name, n.span, false),
                ExprKind::Field(base, _) => stack.push((base, 0)),
                ExprKind::At(base, _) => stack.push((base, 0)),
                ExprKind::Index(a, b) => {
                    stack.push((a, 0));
                    stack.push((b, 0));
                }
                ExprKind::Call(callee, args) => {
                    match &callee.kind {
                        ExprKind::Name(n) => self.name(&n.name, n.span, true),
                        _ => stack.push((callee, 0)),
                    }
                    self.arity(callee, args.len(), e.span);
                    stack.extend(args.iter().map(|a| (a, 0)));
                }
                ExprKind::List(items) => stack.extend(items.iter().map(|a| (a, 0))),
                ExprKind::Record(entries) => stack.extend(entries.iter().map(|en| (&en.value, 0))),
                ExprKind::ListComp(c) => {
                    self.expr(&c.iter);
                    let mark = self.locals.len();
                    self.locals.extend(c.vars.iter().map(|v| v.name.clone()));
                    if let Some(cond) = &c.cond {
                        self.expr(cond);
                    }
                    self.expr(&c.element);
                    self.locals.truncate(mark);
                }
                ExprKind::MapComp(key, c) => {
                    self.expr(&c.iter);
                    let mark = self.locals.len();
                    self.locals.extend(c.vars.iter().map(|v| v.name.clone()));
                    if let Some(cond) = &c.cond {
                        self.expr(cond);
                    }
                    self.expr(key);
                    self.expr(&c.element);
                    self.locals.truncate(mark);
                }
                ExprKind::Unary(_, x) => stack.push((x, 0)),
                ExprKind::Binary(_, a, b) => {
                    stack.push((a, 0));
                    stack.push((b, 0));
                }
                ExprKind::If(c, a, b) => {
                    stack.push((c, 0));
                    stack.push((a, 0));
                    stack.push((b, 0));
                }
                ExprKind::Match(s, arms) => {
                    stack.push((s, 0));
                    self.check_match(s, arms, e.span);
                    stack.extend(arms.iter().map(|a| (&a.body, 0)));
                }
                ExprKind::Let(decl, body) => {
                    self.expr(&decl.value);
                    self.locals.push(decl.name.name.clone());
                    self.expr(body);
                    self.locals.pop();
                }
            }
        }
    }

    /// E0203 for a quantity literal of the wrong dimension given to a field
    /// (`cpu = 4Gi`, `memory = 128m`), in every arm of the value — so a schema
    /// nobody instantiates yet, or an arm no stack takes, is checked too. The
    /// evaluator reports the same problem at the same places (one root cause).
    fn dimensions(&mut self, field: &str, value: &Expr) {
        use crate::ty::{Dim, Ty};
        let Some(declared) = self.typed.iter().rev().find(|(n, _)| n == field).map(|(_, t)| t.clone()) else { return };
        let alias_name = match &declared {
            Ty::Alias(a) => Some(a.name(self.db).clone()),
            _ => None,
        };
        let Ty::Quantity(expected) = underlying(self.db, self.project, &declared, true) else { return };
        if expected == Dim::Any {
            return;
        }
        let shown = alias_name.unwrap_or_else(|| expected.type_name().to_string());
        for e in results(value) {
            let ExprKind::Unit { number, unit } = &e.kind else { continue };
            let Some(found) = Dim::of_unit(unit) else { continue };
            if found.join(expected).is_some() {
                continue;
            }
            let text = format!("{number}{unit}");
            let mut d = Diag::new(
                Code::InvalidUnit,
                format!("expected `{shown}`, found {} (`{text}`)", found.describe()),
                self.loc(e.span),
                format!("this is {} (`{text}`)", found.describe()),
            );
            if e.span != value.span {
                d = d.with_label(self.loc(value.span), format!("`{shown}` expected because of this"));
            }
            if let Some(help) = expected.help(&text) {
                d = d.with_help(help);
            }
            self.diags.push(d);
        }
    }

    /// E0204 for a call with the wrong number of arguments to a function or a
    /// builtin, called or not (the evaluator reports the same at the same place).
    fn arity(&mut self, callee: &Expr, given: usize, at: Span) {
        let target = match &callee.kind {
            ExprKind::Name(n) if !self.locals.contains(&n.name) => self.scope.global(&n.name),
            ExprKind::Field(m, member) => match &m.kind {
                ExprKind::Name(module) if !self.locals.contains(&module.name) => {
                    self.scope.index.member(&module.name, &member.name).map(crate::resolve::Global::Item)
                }
                _ => None,
            },
            _ => None,
        };
        let (name, min, max) = match target {
            Some(crate::resolve::Global::Builtin(b)) => {
                let (min, max) = b.signature().arity();
                (b.name().to_string(), min, max)
            }
            Some(crate::resolve::Global::Item(f)) if f.tag(self.db) == ItemTag::Fn => {
                let n = fn_sig(self.db, self.project, f).params.len();
                (f.name(self.db).clone(), n, n)
            }
            _ => return,
        };
        if (min..=max).contains(&given) {
            return;
        }
        let expected = if min == max { min.to_string() } else { format!("{min} or {max}") };
        self.diags.push(Diag::new(
            Code::WrongArgumentCount,
            format!("`{name}` takes {expected} argument(s), {given} given"),
            self.loc(at),
            "wrong number of arguments",
        ));
    }

    /// Record literals given to a field of a schema type, checked against the schema.
    fn field_records(&mut self, field: &str, value: &Expr) {
        if let Some(ty) = self.typed.iter().rev().find(|(n, _)| n == field).map(|(_, t)| t.clone()) {
            self.records(&ty, value);
        }
    }

    /// E0104/E0105 for record literals whose expected type is a schema —
    /// in every arm and nested record, evaluated or not (the evaluator reports
    /// the same problems at the same places for what it evaluates).
    fn records(&mut self, ty: &crate::ty::Ty, value: &Expr) {
        use crate::ty::Ty;
        let ty = underlying(self.db, self.project, ty, true);
        for e in results(value) {
            match (&e.kind, &ty) {
                (ExprKind::List(items), Ty::List(inner)) => {
                    for item in items {
                        self.records(inner, item);
                    }
                }
                (ExprKind::Record(entries), Ty::Schema(schema)) => {
                    let def = schema_def(self.db, self.project, *schema).clone();
                    for en in entries {
                        let key = en.key.text();
                        match def.fields.get(key) {
                            Some(f) => self.records(&f.ty.clone(), &en.value),
                            None => {
                                let span = match &en.key {
                                    sinfra_syntax::ast::RecordKey::Ident(i) => i.span,
                                    sinfra_syntax::ast::RecordKey::Str(_, s) => *s,
                                };
                                self.diags.push(unknown_field(self.db, self.item, &def, key, span));
                            }
                        }
                    }
                    let missing: Vec<String> = def
                        .fields
                        .iter()
                        .filter(|(n, f)| f.required() && !entries.iter().any(|en| en.key.text() == n.as_str()))
                        .map(|(n, _)| format!("`{n}`"))
                        .collect();
                    if !missing.is_empty() {
                        let list = missing.join(", ");
                        self.diags.push(
                            Diag::new(
                                Code::MissingField,
                                format!("missing required field {list} of `{}`", schema.name(self.db)),
                                self.loc(e.span),
                                "incomplete record",
                            )
                            .with_help(format!("set {list}")),
                        );
                    }
                }
                _ => {}
            }
        }
    }

    /// Exhaustiveness and arm names of a `match` (see [`super::matches`]).
    fn check_match(&mut self, scrutinee: &Expr, arms: &[sinfra_syntax::ast::MatchArm], span: Span) {
        let declared =
            self.declared_type(scrutinee).and_then(|ty| super::matches::domain_of_type(self.db, self.project, &ty));
        let context_names = match &scrutinee.kind {
            ExprKind::Name(n) => !self.locals.contains(&n.name) && !self.fields.contains(&n.name),
            _ => false,
        };
        let s = super::matches::Scrutinee { expr: scrutinee, declared, context_names };
        super::matches::check_match(self.info, self.item, &s, arms, span, &mut self.diags);
    }

    /// The declared type of a name or of a field path through schema types
    /// (`p`, `p.protocol`, `self.protocol`), when the declarations say it.
    fn declared_type(&self, e: &Expr) -> Option<crate::ty::Ty> {
        use crate::ty::Ty;
        match &e.kind {
            ExprKind::Name(n) => {
                let shadowed_by_untyped_local =
                    self.locals.iter().rev().any(|l| l == &n.name) && !self.typed.iter().any(|(t, _)| t == &n.name);
                if shadowed_by_untyped_local {
                    return None;
                }
                self.typed.iter().rev().find(|(t, _)| t == &n.name).map(|(_, ty)| ty.clone())
            }
            ExprKind::Field(base, f) => {
                let ty = match &base.kind {
                    ExprKind::SelfRef => {
                        return self.typed.iter().find(|(t, _)| t == &f.name).map(|(_, ty)| ty.clone());
                    }
                    _ => self.declared_type(base)?,
                };
                match underlying(self.db, self.project, &ty, true) {
                    Ty::Schema(s) => schema_def(self.db, self.project, s).fields.get(&f.name).map(|d| d.ty.clone()),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

/// The expressions a value can come from: through every arm of a `match`, both
/// branches of an `if`, the body of a `let … in`.
fn results(value: &Expr) -> Vec<&Expr> {
    let mut out = Vec::new();
    let mut work = vec![value];
    while let Some(e) = work.pop() {
        match &e.kind {
            ExprKind::Match(_, arms) => work.extend(arms.iter().map(|a| &a.body)),
            ExprKind::If(_, a, b) => work.extend([&**a, &**b]),
            ExprKind::Let(_, body) => work.push(body),
            _ => out.push(e),
        }
    }
    out
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
