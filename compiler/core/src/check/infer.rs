//! The static check of one item, on its HIR: the type of every expression
//! and every definite mistake, found in one recursive walk per item — in
//! every function, default and body, called or not, and in every arm of a
//! `match`, taken by a stack or not.
//!
//! Names come from [`resolve_item`]; an unknown one is [`Res::Unresolved`].
//! [`infer_item`] reads no positions (neither the syntax nor the item's
//! source map): its diagnostics are [`Anchor`]ed by id, so typing whitespace
//! or a comment inside an item does not re-run it. `check_item` maps them to
//! locations. The walk is split by job: this module types expressions,
//! `declarations.rs` checks what each kind of item declares, `values.rs`
//! checks values against declared types, `matches.rs` decides exhaustiveness.
//! The evaluator reports the same problems at the same places for what it
//! evaluates; the two are one root cause (`diagnostics::merge_root_causes`).

use std::sync::Arc;

use la_arena::ArenaMap;

use super::anchor::{Anchor, AnchoredDiag};
use super::matches::{MatchSite, check_match};
use super::paths::lower_type;
use super::types::{OpError, STy, binary};
use crate::db::{Db, Project};
use crate::diagnostics::Code;
use crate::eval::builtins::{self, Builtin};
use crate::hir::resolve::{ContextName, Res, Resolutions, field_scope, resolve_item};
use crate::hir::{BindingId, Body, Expr, ExprId, ItemHir, Name, child_exprs, item_hir};
use crate::index::project_index;
use crate::items::{ItemId, ItemTag};
use crate::platform::{PlatformInfo, platform_info};
use crate::resolve::{FileScope, did_you_mean};
use crate::signatures::{fn_sig, schema_def};
use crate::ty::{Dim, Ty};

/// What the static check knows of one item.
#[derive(Debug, PartialEq, Default)]
pub struct InferenceResult {
    /// The static type of every expression.
    pub type_of: ArenaMap<ExprId, STy>,
    /// The item's definite mistakes, anchored by id.
    pub diags: Vec<AnchoredDiag>,
    /// For the value of each entry of a record literal that is statically an
    /// instance of a schema, the field it sets (`{ replicas = 3 }` passed as a
    /// `WebService`): what a rename of the field must update.
    pub entry_fields: ArenaMap<ExprId, crate::signatures::MemberRef>,
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

/// The walk over one item.
pub(super) struct Infer<'a> {
    pub(super) db: &'a dyn Db,
    pub(super) project: Project,
    pub(super) item: ItemId,
    pub(super) hir: &'a ItemHir,
    pub(super) body: &'a Body,
    pub(super) res: &'a Resolutions,
    pub(super) scope: FileScope<'a>,
    pub(super) info: &'a PlatformInfo,
    /// The schema whose fields the code sees (and `self` is an instance of).
    pub(super) schema: Option<ItemId>,
    /// Locals in scope, innermost last (for did-you-mean).
    pub(super) locals: Vec<BindingId>,
    /// What is known of each local.
    pub(super) binding_ty: ArenaMap<BindingId, STy>,
    pub(super) out: InferenceResult,
}

impl Infer<'_> {
    pub(super) fn report(&mut self, d: AnchoredDiag) {
        self.out.diags.push(d);
    }

    /// The declared type of a field (or member `let`) of the schema in scope.
    pub(super) fn field_ty(&self, name: &str) -> Option<Ty> {
        let schema = self.schema?;
        schema_def(self.db, self.project, schema).fields.get(name).map(|f| f.ty.clone())
    }

    /// `super.f`: the type of the base's field, or why there is none.
    fn super_field(&mut self, e: ExprId, f: Name) -> STy {
        match crate::super_field::base_field(self.db, self.project, self.item, f.as_str()) {
            Ok(b) => STy::of_declared(self.db, self.project, &b.field.ty),
            Err(err) => {
                let d = err.diagnostic(self.db, f.as_str(), Anchor::Expr(e), Anchor::FieldName(e));
                self.report(d);
                STy::Unknown
            }
        }
    }

    /// A condition must be a `Bool` (the evaluator's wording and place).
    pub(super) fn condition(&mut self, c: ExprId, what: &str) {
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
    pub(super) fn infer(&mut self, e: ExprId) -> STy {
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
            Expr::Super(f) => self.super_field(e, *f),
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
