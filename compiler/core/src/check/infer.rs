//! The static check of one item, on its HIR: the type of every expression
//! and every definite mistake, found in one recursive walk per item — in
//! every function, default and body, called or not, and in every arm of a
//! `match`, taken by a stack or not.
//!
//! Names come from [`resolve_item`]; an unknown one is [`Res::Unresolved`].
//! [`infer_item`] reads no positions (neither the syntax nor the item's
//! source map): its diagnostics are [`Anchor`]ed by id, so typing whitespace
//! or a comment inside an item does not re-run it. `check_item` maps them to
//! locations. The evaluator reports the same problems at the same places for
//! what it evaluates; the two are one root cause (`diagnostics::merge_root_causes`).

use std::sync::Arc;

use la_arena::ArenaMap;

use super::anchor::{Anchor, AnchoredDiag, PathOf};
use super::matches::{MatchSite, check_match};
use super::paths::{lower_type, path_error, path_item, path_text};
use super::types::{OpError, STy, binary, fits};
use crate::db::{Db, Project};
use crate::diagnostics::Code;
use crate::eval::builtins::{self, Builtin};
use crate::hir::resolve::{ContextName, Res, Resolutions, field_scope, resolve_item};
use crate::hir::{
    BindingId, Body, Expr, ExprId, ItemHir, ItemKind, Member, MemberId, Name, Path, StrPart, child_exprs, item_hir,
};
use crate::index::project_index;
use crate::items::{ItemId, ItemTag};
use crate::platform::{PlatformInfo, platform_info};
use crate::resolve::{FileScope, did_you_mean};
use crate::signatures::{fn_sig, schema_def, underlying, unknown_field};
use crate::ty::{Dim, Ty};

/// What the static check knows of one item.
#[derive(Debug, PartialEq, Default)]
pub struct InferenceResult {
    /// The static type of every expression.
    pub type_of: ArenaMap<ExprId, STy>,
    /// The item's definite mistakes, anchored by id.
    pub diags: Vec<AnchoredDiag>,
}

impl InferenceResult {
    /// The static type of `expr` ([`STy::Unknown`] if it was not reached).
    pub fn type_of(&self, expr: ExprId) -> &STy {
        static UNKNOWN: STy = STy::Unknown;
        self.type_of.get(expr).unwrap_or(&UNKNOWN)
    }
}

/// Infers the types of one item's code and finds its definite mistakes.
/// Reads the item's HIR, its resolutions, signatures, the project index and
/// the platform: never positions.
#[salsa::tracked(returns(ref))]
pub fn infer_item(db: &dyn Db, project: Project, item: ItemId) -> Arc<InferenceResult> {
    let hir = item_hir(db, item);
    let index = project_index(db, project);
    let mut cx = Infer {
        db,
        project,
        item,
        hir,
        body: &hir.body,
        res: resolve_item(db, project, item),
        scope: FileScope::new(db, index, item.file(db)),
        info: platform_info(db, project),
        schema: None,
        locals: Vec::new(),
        binding_ty: ArenaMap::default(),
        out: InferenceResult::default(),
    };
    cx.item();
    Arc::new(cx.out)
}

struct Infer<'a> {
    db: &'a dyn Db,
    project: Project,
    item: ItemId,
    hir: &'a ItemHir,
    body: &'a Body,
    res: &'a Resolutions,
    scope: FileScope<'a>,
    info: &'a PlatformInfo,
    /// The schema whose fields the code sees (and `self` is an instance of).
    schema: Option<ItemId>,
    /// Locals in scope, innermost last (for did-you-mean).
    locals: Vec<BindingId>,
    /// What is known of each local.
    binding_ty: ArenaMap<BindingId, STy>,
    out: InferenceResult,
}

impl Infer<'_> {
    fn report(&mut self, d: AnchoredDiag) {
        self.out.diags.push(d);
    }

    fn item(&mut self) {
        let (db, project, item) = (self.db, self.project, self.item);
        match &self.hir.kind {
            ItemKind::Let { ty, value } => match ty {
                // Problems of the annotation are reported by evaluation (`let_value`).
                Some(t) => {
                    let ty = lower_type(db, &self.scope, self.body, *t, &mut Vec::new());
                    self.check_value(*value, &ty, None);
                }
                None => {
                    self.infer(*value);
                }
            },
            ItemKind::Fn { params, body, .. } => {
                let sig = fn_sig(db, project, item);
                for (i, p) in params.iter().enumerate() {
                    let ty = sig.params.get(i).map_or(STy::Unknown, |(_, t)| STy::of_declared(db, project, t));
                    self.binding_ty.insert(p.binding, ty);
                    self.locals.push(p.binding);
                }
                if self.res.iter().any(|(_, r)| *r == Res::Item(item)) {
                    self.report(
                        AnchoredDiag::new(
                            Code::Cycle,
                            format!("function `{}` calls itself", item.name(db)),
                            Anchor::ItemName,
                            "recursive function",
                        )
                        .with_note("functions may not call themselves: sinfra programs always terminate")
                        .with_help("iterate with a comprehension over a list or `range(n)` instead"),
                    );
                }
                self.check_value(*body, &sig.ret, None);
            }
            ItemKind::TypeAlias { refinement: Some(r), .. } => {
                self.binding_ty.insert(r.this, STy::Unknown);
                self.locals.push(r.this);
                self.infer(r.cond);
                if let Some(m) = r.message {
                    self.infer(m);
                }
            }
            ItemKind::Schema { members, .. } => {
                self.schema = Some(item);
                self.members(members, true);
            }
            ItemKind::Instance { schema, members, .. } => {
                self.output_name();
                self.instance_schema(schema, members);
                self.members(members, false);
            }
            ItemKind::Policy { schema, members, .. } => {
                if let Some(path) = schema {
                    match path_item(&self.scope, path) {
                        Ok(s) if s.tag(db) == ItemTag::Schema => self.schema = Some(s),
                        Ok(_) => {}
                        Err(e) => self.report(path_error(&self.scope, path, PathOf::Item, e, "schema")),
                    }
                }
                self.members(members, false);
            }
            ItemKind::Platform { members } => {
                if let Some(schema) = self.scope.index.global("Platform") {
                    self.schema = Some(schema);
                    let def = schema_def(db, project, schema);
                    for &m in members.iter() {
                        if let Member::Assign { name, .. } = self.body.member(m)
                            && !def.fields.contains_key(name.as_str())
                        {
                            self.report(at(unknown_field(db, item, def, name.as_str(), Default::default()), m));
                        }
                    }
                }
                self.members(members, false);
            }
            ItemKind::Region { value } => {
                self.infer(*value);
            }
            ItemKind::Import { path } => self.import(path),
            ItemKind::TypeAlias { refinement: None, .. } | ItemKind::Tier { .. } | ItemKind::Stack { .. } => {}
            ItemKind::Error => {}
        }
    }

    /// E0402: an instance's name becomes file and object names.
    fn output_name(&mut self) {
        let name = self.item.name(self.db);
        let dns = name.replace('_', "-");
        if !builtins::is_dns_label(&dns) {
            self.report(
                AnchoredDiag::new(
                    Code::InvalidOutputName,
                    format!("`{name}` does not make a DNS-1123 name (`{dns}`)"),
                    Anchor::ItemName,
                    "used as a file name and as Kubernetes object names",
                )
                .with_help("use lowercase letters, digits and `_`, not at the start or the end"),
            );
        }
    }

    /// An instance's schema, and its assignments against the schema's fields.
    fn instance_schema(&mut self, path: &Path, members: &[MemberId]) {
        let (db, item) = (self.db, self.item);
        let schema = match path_item(&self.scope, path) {
            Ok(s) if s.tag(db) == ItemTag::Schema => s,
            Ok(other) => {
                self.report(AnchoredDiag::new(
                    Code::TypeMismatch,
                    format!("`{}` is a {}, not a schema", path_text(path), other.tag(db).describe()),
                    Anchor::ItemPath,
                    "expected a schema",
                ));
                return;
            }
            Err(e) => {
                self.report(path_error(&self.scope, path, PathOf::Item, e, "schema"));
                return;
            }
        };
        self.schema = Some(schema);
        let def = schema_def(db, self.project, schema);
        let mut assigned: Vec<Name> = Vec::new();
        for &m in members {
            let Member::Assign { name, .. } = self.body.member(m) else { continue };
            if !def.fields.contains_key(name.as_str()) {
                self.report(at(unknown_field(db, item, def, name.as_str(), Default::default()), m));
            }
            if assigned.contains(name) {
                self.report(AnchoredDiag::new(
                    Code::DuplicateDefinition,
                    format!("field `{name}` is set twice"),
                    Anchor::MemberName(m),
                    "set again here",
                ));
            }
            assigned.push(*name);
        }
        let missing: Vec<&String> = def
            .fields
            .iter()
            .filter(|(n, f)| f.required() && !assigned.iter().any(|a| a.as_str() == n.as_str()))
            .map(|(n, _)| n)
            .collect();
        if missing.is_empty() {
            return;
        }
        let list = missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ");
        let keyword = if item.tag(db) == ItemTag::Resource { "resource" } else { "service" };
        let mut d = AnchoredDiag::new(
            Code::MissingField,
            format!("{keyword} `{}` is missing required field {list}", item.name(db)),
            Anchor::ItemName,
            format!("`{}` requires {list}", path_text(path)),
        );
        for m in &missing {
            if let Some(f) = def.fields.get(*m) {
                let decl = crate::loc::Loc::new(f.decl.owner, f.name_span);
                d = d.with_label(Anchor::Elsewhere(decl), format!("`{m}` declared here"));
            }
        }
        self.report(d.with_help(format!("set {list} in the body")));
    }

    /// E0103: `import std.<module>` of a module that does not exist.
    fn import(&mut self, path: &Path) {
        let index = self.scope.index;
        let known = matches!(&**path, [std, m] if std.as_str() == "std"
            && (index.modules.contains_key(m.as_str()) || m.as_str() == crate::stdlib::PRELUDE));
        if known {
            return;
        }
        let modules: Vec<&str> = index.modules.keys().map(String::as_str).collect();
        let last = Anchor::Segment(PathOf::Import, path.len().saturating_sub(1));
        let mut d = AnchoredDiag::new(
            Code::UnknownModule,
            format!("unknown module `{}`", path_text(path)),
            last,
            "no such module",
        )
        .with_note(format!(
            "the standard library has: {}",
            modules.iter().map(|m| format!("std.{m}")).collect::<Vec<_>>().join(", ")
        ));
        if let Some(name) = path.last()
            && let Some(s) = did_you_mean(name.as_str(), modules.iter().copied())
        {
            d = d.with_help(format!("did you mean `std.{s}`?")).with_fix(format!("replace with `{s}`"), last, s);
        }
        self.report(d);
    }

    /// The declared type of a field (or member `let`) of the schema in scope.
    fn field_ty(&self, name: &str) -> Option<Ty> {
        let schema = self.schema?;
        schema_def(self.db, self.project, schema).fields.get(name).map(|f| f.ty.clone())
    }

    fn members(&mut self, members: &[MemberId], is_schema: bool) {
        for &m in members {
            match self.body.member(m) {
                Member::Field { name, default, .. } => {
                    if !is_schema {
                        self.report(
                            AnchoredDiag::new(
                                Code::MisplacedItem,
                                format!("field declaration `{name}: …` outside a schema"),
                                Anchor::Member(m),
                                "instances set fields with `=`; only schemas declare them",
                            )
                            .with_help(format!("write `{name} = value`")),
                        );
                    }
                    if let Some(d) = default {
                        self.field_value(*name, *d);
                    }
                }
                Member::Assign { name, value } => self.field_value(*name, *value),
                Member::Let { ty, value, .. } => match ty {
                    Some(t) => {
                        let mut diags = Vec::new();
                        let ty = lower_type(self.db, &self.scope, self.body, *t, &mut diags);
                        self.out.diags.extend(diags);
                        self.check_value(*value, &ty, None);
                    }
                    None => {
                        self.infer(*value);
                    }
                },
                Member::Check { cond, message } => {
                    self.condition(*cond, "a `check` condition");
                    if let Some(msg) = message {
                        self.infer(*msg);
                    }
                }
                Member::Error => {}
            }
        }
    }

    fn field_value(&mut self, field: Name, value: ExprId) {
        match self.field_ty(field.as_str()) {
            Some(ty) => self.check_value(value, &ty, None),
            None => self.infer(value),
        };
    }

    /// Checks a value given where `declared` is expected (a field, a result, an
    /// argument of the call `call`): reported where each possible result is made
    /// (an operator, a literal, a string), which is where the evaluator reports
    /// the same mismatch, with the expectation's place as a secondary label.
    fn check_value(&mut self, value: ExprId, declared: &Ty, call: Option<ExprId>) -> STy {
        let found = self.infer(value);
        let expected = STy::of_declared(self.db, self.project, declared);
        for r in results(self.body, value) {
            let because = call.or((r != value).then_some(value));
            let made = self.body.expr(r);
            if made_here(made) {
                let t = self.out.type_of(r).clone();
                if !fits(&t, &expected) {
                    self.mismatch(r, &t, declared, &expected, because);
                }
            } else if let Expr::Unit { number, unit } = made {
                self.unit_dimension(r, number, unit, declared, because);
            }
        }
        self.records(declared, value);
        found
    }

    /// E0201 (E0203 between units) for a value that can never fit.
    fn mismatch(&mut self, r: ExprId, found: &STy, declared: &Ty, expected: &STy, because: Option<ExprId>) {
        let shown = shown(self.body.expr(r), found);
        let code = if found.has_unit() && expected.has_unit() { Code::InvalidUnit } else { Code::TypeMismatch };
        let ty = declared.display(self.db).to_string();
        let mut d = AnchoredDiag::new(
            code,
            format!("expected `{ty}`, found {shown}"),
            Anchor::Expr(r),
            format!("this is {shown}"),
        );
        if let Some(b) = because {
            d = d.with_label(Anchor::Expr(b), format!("`{ty}` expected because of this"));
        }
        match (expected, found) {
            (STy::Duration, STy::Quantity(_)) => d = d.with_help("durations use `ms`, `s`, `m` or `h`, e.g. `30s`"),
            (STy::Quantity(dim), STy::Quantity(_)) => {
                if let Some(help) = dim.help("") {
                    d = d.with_help(help);
                }
            }
            _ => {}
        }
        self.report(d);
    }

    /// E0203 for a quantity literal of the wrong dimension (`cpu = 4Gi`, `memory = 128m`).
    fn unit_dimension(&mut self, r: ExprId, number: &str, unit: &str, declared: &Ty, because: Option<ExprId>) {
        let Ty::Quantity(expected) = underlying(self.db, self.project, declared, true) else { return };
        if expected == Dim::Any {
            return;
        }
        let Some(found) = Dim::of_unit(unit) else { return };
        if found.join(expected).is_some() {
            return;
        }
        let shown = match declared {
            Ty::Alias(a) => a.name(self.db).clone(),
            _ => expected.type_name().to_string(),
        };
        let text = format!("{number}{unit}");
        let mut d = AnchoredDiag::new(
            Code::InvalidUnit,
            format!("expected `{shown}`, found {} (`{text}`)", found.describe()),
            Anchor::Expr(r),
            format!("this is {} (`{text}`)", found.describe()),
        );
        if let Some(b) = because {
            d = d.with_label(Anchor::Expr(b), format!("`{shown}` expected because of this"));
        }
        if let Some(help) = expected.help(&text) {
            d = d.with_help(help);
        }
        self.report(d);
    }

    /// E0104/E0105 for record literals whose expected type is a schema — in
    /// every possible result, list element and nested record.
    fn records(&mut self, ty: &Ty, value: ExprId) {
        let (db, project) = (self.db, self.project);
        let ty = underlying(db, project, ty, true);
        for r in results(self.body, value) {
            match (self.body.expr(r), &ty) {
                (Expr::List(items), Ty::List(inner)) => {
                    for &i in items.iter() {
                        self.records(inner, i);
                    }
                }
                (Expr::Record(entries), Ty::Schema(schema)) => {
                    let def = schema_def(db, project, *schema);
                    for en in entries.iter() {
                        match def.fields.get(en.key.as_str()) {
                            Some(f) => self.records(&f.ty, en.value),
                            None => {
                                let d = unknown_field(db, self.item, def, en.key.as_str(), Default::default());
                                self.report(d.map_locations(|_| Anchor::Key(en.value)));
                            }
                        }
                    }
                    let missing: Vec<String> = def
                        .fields
                        .iter()
                        .filter(|(n, f)| f.required() && !entries.iter().any(|en| en.key.as_str() == n.as_str()))
                        .map(|(n, _)| format!("`{n}`"))
                        .collect();
                    if !missing.is_empty() {
                        let list = missing.join(", ");
                        self.report(
                            AnchoredDiag::new(
                                Code::MissingField,
                                format!("missing required field {list} of `{}`", schema.name(db)),
                                Anchor::Expr(r),
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

    /// A condition must be a `Bool` (the evaluator's wording and place).
    fn condition(&mut self, c: ExprId, what: &str) {
        let t = self.infer(c).operand();
        if t != STy::Unknown && t != STy::Bool {
            self.report(AnchoredDiag::new(
                Code::TypeMismatch,
                format!("{what} must be `Bool`, found {}", t.name()),
                Anchor::Expr(c),
                "not a Bool",
            ));
        }
    }

    /// The static type of `e`, recording it and reporting definite mistakes inside it.
    fn infer(&mut self, e: ExprId) -> STy {
        let t = stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.infer_inner(e));
        self.out.type_of.insert(e, t.clone());
        t
    }

    fn infer_inner(&mut self, e: ExprId) -> STy {
        let body = self.body;
        match body.expr(e) {
            Expr::Missing | Expr::None => STy::Unknown,
            Expr::Int(_) => STy::Int,
            Expr::Float(_) => STy::Float,
            Expr::Bool(_) => STy::Bool,
            Expr::Unit { number, unit } => {
                if builtins::unit_value(number, unit).is_none() {
                    self.report(unknown_unit(e, number, unit));
                }
                STy::of_unit(unit)
            }
            Expr::SelfRef => self.schema.map_or(STy::Unknown, STy::Schema),
            Expr::Local(b) => self.binding_ty.get(*b).cloned().unwrap_or(STy::Unknown),
            Expr::Name(n) => self.name(e, *n),
            Expr::Field(base, f) => match self.infer(*base) {
                STy::Schema(s) => schema_def(self.db, self.project, s)
                    .fields
                    .get(f.as_str())
                    .map_or(STy::Unknown, |d| STy::of_declared(self.db, self.project, &d.ty)),
                STy::Stack => match f.as_str() {
                    "tier" => STy::Tier,
                    "region" => STy::Region,
                    _ => STy::Unknown,
                },
                _ => STy::Unknown,
            },
            Expr::Call(callee, args) => self.call(e, *callee, args),
            Expr::ListComp(c) | Expr::MapComp(_, c) => {
                self.infer(c.iter);
                let mark = self.locals.len();
                for &v in c.vars.iter() {
                    self.binding_ty.insert(v, STy::Unknown);
                    self.locals.push(v);
                }
                if let Some(cond) = c.cond {
                    self.condition(cond, "a comprehension filter");
                }
                let list = match body.expr(e) {
                    Expr::MapComp(key, _) => {
                        self.infer(*key);
                        false
                    }
                    _ => true,
                };
                self.infer(c.element);
                self.locals.truncate(mark);
                if list { STy::List } else { STy::Unknown }
            }
            Expr::Binary(op, a, b) => self.binary(e, *op, *a, *b),
            Expr::If(c, a, b) => {
                self.condition(*c, "an `if` condition");
                let (a, b) = (self.infer(*a), self.infer(*b));
                if a == b { a } else { STy::Unknown }
            }
            Expr::Match(scrutinee, arms) => {
                let ty = self.infer(*scrutinee);
                let site = MatchSite { whole: e, scrutinee: *scrutinee, ty: &ty, arms };
                check_match(self.info, body, &site, &mut self.out.diags);
                for arm in arms.iter() {
                    self.infer(arm.body);
                }
                STy::Unknown
            }
            Expr::Let { binding, ty, value, body: scope } => {
                let found = self.infer(*value);
                let bound = match ty {
                    // Problems of the annotation are reported by evaluation.
                    Some(t) => {
                        let ty = lower_type(self.db, &self.scope, body, *t, &mut Vec::new());
                        STy::of_declared(self.db, self.project, &ty)
                    }
                    None => found,
                };
                self.binding_ty.insert(*binding, bound);
                self.locals.push(*binding);
                let out = self.infer(*scope);
                self.locals.pop();
                out
            }
            other @ (Expr::Str(_)
            | Expr::List(_)
            | Expr::Record(_)
            | Expr::Index(..)
            | Expr::At(..)
            | Expr::Unary(..)) => {
                let mut children = Vec::new();
                child_exprs(other, |c| children.push(c));
                for c in children {
                    self.infer(c);
                }
                match other {
                    Expr::Str(_) => STy::Str,
                    Expr::List(_) => STy::List,
                    _ => STy::Unknown,
                }
            }
        }
    }

    /// A name other than a local, as [`resolve_item`] resolved it.
    fn name(&mut self, e: ExprId, name: Name) -> STy {
        let (db, project) = (self.db, self.project);
        match self.res.get(e) {
            Res::Unresolved => {
                self.unknown_name(e, name);
                STy::Unknown
            }
            Res::Field(n) => self.field_ty(n.as_str()).map_or(STy::Unknown, |t| STy::of_declared(db, project, &t)),
            Res::Context(c) => match c {
                ContextName::Tier => STy::Tier,
                ContextName::Region => STy::Region,
                ContextName::Stack => STy::Stack,
                ContextName::Name => STy::Str,
                ContextName::Protected => STy::Bool,
                ContextName::Platform | ContextName::Project => STy::Unknown,
            },
            Res::Item(i) => match i.tag(db) {
                ItemTag::Tier => STy::Tier,
                ItemTag::Region => STy::Region,
                ItemTag::Stack => STy::Stack,
                _ => STy::Unknown,
            },
            Res::Dynamic(_) | Res::Module(_) | Res::Builtin(_) => STy::Unknown,
        }
    }

    /// E0101, with the closest visible name.
    fn unknown_name(&mut self, e: ExprId, name: Name) {
        let name = name.as_str();
        let mut candidates: Vec<String> = self.scope.candidates();
        candidates
            .extend(self.locals.iter().filter_map(|&b| self.body.binding(b)).map(|b| b.name.as_str().to_string()));
        let fields = field_scope(self.db, self.project, self.item, self.hir);
        candidates.extend(fields.names.iter().map(|n| n.as_str().to_string()));
        let at = Anchor::Expr(e);
        let mut d =
            AnchoredDiag::new(Code::UnknownName, format!("unknown name `{name}`"), at, "not found in this scope");
        if let Some(s) = did_you_mean(name, candidates.iter().map(String::as_str)) {
            d = d.with_help(format!("did you mean `{s}`?")).with_fix(format!("replace with `{s}`"), at, s);
        } else if self.scope.index.modules.contains_key(name) {
            d = d.with_help(format!("add `import std.{name}` at the top of the file"));
        }
        self.report(d);
    }

    /// `a op b`; a `m` literal next to a quantity is milli-cores.
    fn binary(&mut self, e: ExprId, op: crate::hir::BinaryOp, a: ExprId, b: ExprId) -> STy {
        let mut ta = self.infer(a);
        let mut tb = self.infer(b);
        let milli = |x: ExprId| matches!(self.body.expr(x), Expr::Unit { unit, .. } if &**unit == "m");
        if matches!(tb, STy::Quantity(_)) && milli(a) {
            ta = STy::Quantity(Dim::Cores);
            self.out.type_of.insert(a, ta.clone());
        }
        if matches!(ta, STy::Quantity(_)) && milli(b) {
            tb = STy::Quantity(Dim::Cores);
            self.out.type_of.insert(b, tb.clone());
        }
        match binary(op, &ta, &tb) {
            Ok(t) => t,
            Err(OpError::Dimensions(x, y)) => {
                let text = |e: ExprId| match self.body.expr(e) {
                    Expr::Unit { number, unit } => format!(" (`{number}{unit}`)"),
                    _ => String::new(),
                };
                let msg = format!(
                    "`{}` cannot combine {}{} with {}{}",
                    op.symbol(),
                    x.describe(),
                    text(a),
                    y.describe(),
                    text(b)
                );
                self.report(AnchoredDiag::new(Code::InvalidUnit, msg, Anchor::Expr(e), "CPU and memory do not add up"));
                STy::Unknown
            }
            Err(OpError::Mismatch) => {
                let (x, y) = (ta.name(), tb.name());
                self.report(AnchoredDiag::new(
                    Code::TypeMismatch,
                    format!("`{}` cannot be applied to {x} and {y}", op.symbol()),
                    Anchor::Expr(e),
                    format!("{x} {} {y}", op.symbol()),
                ));
                STy::Unknown
            }
        }
    }

    /// A call: its arity, and the arguments made at the call against a
    /// function's parameters; the result is the declared result type.
    fn call(&mut self, e: ExprId, callee: ExprId, args: &[ExprId]) -> STy {
        self.infer(callee);
        let (db, project) = (self.db, self.project);
        let (name, min, max, function) = match self.callee(callee) {
            Some(Callee::Builtin(b)) => {
                let (min, max) = b.signature().arity();
                (b.name().to_string(), min, max, None)
            }
            Some(Callee::Fn(f)) => {
                let n = fn_sig(db, project, f).params.len();
                (f.name(db).clone(), n, n, Some(f))
            }
            None => {
                for &a in args {
                    self.infer(a);
                }
                return STy::Unknown;
            }
        };
        if !(min..=max).contains(&args.len()) {
            let expected = if min == max { min.to_string() } else { format!("{min} or {max}") };
            self.report(AnchoredDiag::new(
                Code::WrongArgumentCount,
                format!("`{name}` takes {expected} argument(s), {} given", args.len()),
                Anchor::Expr(e),
                "wrong number of arguments",
            ));
        }
        let Some(f) = function else {
            for &a in args {
                self.infer(a);
            }
            return STy::Unknown;
        };
        let sig = fn_sig(db, project, f);
        if sig.params.len() == args.len() {
            for (&a, (_, ty)) in args.iter().zip(sig.params.iter()) {
                self.check_value(a, ty, Some(e));
            }
        } else {
            for &a in args {
                self.infer(a);
            }
        }
        STy::of_declared(db, project, &sig.ret)
    }

    /// The function or builtin a callee names: `f`, `module.f`.
    fn callee(&self, callee: ExprId) -> Option<Callee> {
        let target = match self.body.expr(callee) {
            Expr::Name(_) => self.res.get(callee).clone(),
            Expr::Field(m, member) => match (self.body.expr(*m), self.res.get(*m)) {
                (Expr::Name(_), Res::Module(module)) => {
                    Res::Item(self.scope.index.member(module.as_str(), member.as_str())?)
                }
                _ => return None,
            },
            _ => return None,
        };
        match target {
            Res::Builtin(b) => Some(Callee::Builtin(b)),
            Res::Item(f) if f.tag(self.db) == ItemTag::Fn => Some(Callee::Fn(f)),
            _ => None,
        }
    }
}

enum Callee {
    Builtin(Builtin),
    Fn(ItemId),
}

/// Re-anchors a diagnostic built with placeholder locations at member `m`'s name.
fn at(d: crate::loc::Diag, m: MemberId) -> AnchoredDiag {
    d.map_locations(|_| Anchor::MemberName(m))
}

/// The expressions a value can come from: through every arm of a `match`, both
/// branches of an `if`, the body of a `let … in`.
fn results(body: &Body, value: ExprId) -> Vec<ExprId> {
    let mut out = Vec::new();
    let mut work = vec![value];
    while let Some(e) = work.pop() {
        match body.expr(e) {
            Expr::Match(_, arms) => work.extend(arms.iter().map(|a| a.body)),
            Expr::If(_, a, b) => work.extend([*a, *b]),
            Expr::Let { body, .. } => work.push(*body),
            _ => out.push(e),
        }
    }
    out
}

/// Whether a value is made by this expression (an operator, a literal, a
/// string), so that its origin — where the evaluator reports a mismatch — is here.
fn made_here(e: &Expr) -> bool {
    matches!(e, Expr::Binary(..) | Expr::Int(_) | Expr::Float(_) | Expr::Bool(_) | Expr::Str(_))
}

/// A found type for messages, with a literal's value as the evaluator shows it.
fn shown(e: &Expr, t: &STy) -> String {
    match (e, t) {
        (Expr::Str(parts), _) => match &**parts {
            [StrPart::Text(text)] if text.len() <= 40 => format!("`String` (\"{text}\")"),
            _ => "`String`".to_string(),
        },
        (Expr::Int(i), _) => format!("`Int` ({i})"),
        (_, STy::Quantity(d)) if *d != Dim::Any => d.describe().to_string(),
        _ => format!("`{}`", t.name()),
    }
}

/// E0203: a unit that does not exist, with the likely one.
fn unknown_unit(e: ExprId, number: &str, unit: &str) -> AnchoredDiag {
    let at = Anchor::Expr(e);
    let mut d =
        AnchoredDiag::new(Code::InvalidUnit, format!("unknown unit `{unit}` in `{number}{unit}`"), at, "unknown unit")
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
            .with_fix(format!("replace with `{bin}`"), at, bin);
    } else if let Some(s) = did_you_mean(unit, builtins::UNITS.iter().copied()).or(match unit {
        "min" | "mins" | "minutes" => Some("m"),
        "sec" | "secs" | "seconds" => Some("s"),
        _ => None,
    }) {
        let fixed = format!("{number}{s}");
        d = d.with_help(format!("did you mean `{fixed}`?")).with_fix(format!("replace with `{fixed}`"), at, fixed);
    }
    d
}
