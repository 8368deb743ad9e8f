//! Static types of expressions, for the mistakes that need no evaluation:
//! an operator applied to values that can never fit (`x + true` with
//! `x: Int`), a condition that is never a `Bool`, a function body whose result
//! can never be its declared type. It runs on every function, default and
//! body, called or not, so a helper nobody calls yet is checked too.
//!
//! The inference is deliberately partial: a type it does not know is
//! `Unknown` and never reported, so every report is a definite mistake. The
//! evaluator reports the same problems at the same places for what it
//! evaluates; the two are one root cause (`diagnostics::merge_root_causes`).
//! Chains (`a + b + …`, `a.b.c`, `else if`, `let … in let …`) are walked in
//! loops, as the parser and the evaluator do.

use sinfra_syntax::Span;
use sinfra_syntax::ast::{BinaryOp, Expr, ExprKind, StrPart};

use crate::db::{Db, Project};
use crate::diagnostics::Code;
use crate::items::ItemId;
use crate::loc::{Diag, Loc};
use crate::signatures::schema_def;
use crate::ty::{Dim, Ty};

/// What the checker knows of a value's type.
#[derive(Clone, Debug, PartialEq)]
pub enum STy {
    /// Not known statically: never reported.
    Unknown,
    /// `Int`
    Int,
    /// `Float`
    Float,
    /// `Bool`
    Bool,
    /// `String`
    Str,
    /// A quantity of a dimension.
    Quantity(Dim),
    /// `Duration`
    Duration,
    /// `Percent`
    Percent,
    /// A list.
    List,
    /// An instance of a schema.
    Schema(ItemId),
}

impl STy {
    fn name(&self) -> &'static str {
        match self {
            STy::Unknown => "{unknown}",
            STy::Int => "Int",
            STy::Float => "Float",
            STy::Bool => "Bool",
            STy::Str => "String",
            STy::Quantity(d) => d.type_name(),
            STy::Duration => "Duration",
            STy::Percent => "Percent",
            STy::List => "list",
            STy::Schema(_) => "schema instance",
        }
    }

    fn is_number(&self) -> bool {
        matches!(self, STy::Int | STy::Float)
    }
}

/// The checker for one item: declared types of names in scope, and the problems found.
pub struct Types<'a> {
    db: &'a dyn Db,
    project: Project,
    item: ItemId,
    /// The names visible in the item's file (functions called by name).
    scope: Option<crate::resolve::FileScope<'a>>,
    /// Names in scope with what is known of them, innermost last.
    env: Vec<(String, STy)>,
    /// The declared types of parameters and fields.
    declared: Vec<(String, Ty)>,
    /// Problems found.
    pub diags: Vec<Diag>,
}

impl<'a> Types<'a> {
    /// A checker for code in `item`, with `declared` names (parameters, fields) typed.
    pub fn new(db: &'a dyn Db, project: Project, item: ItemId, declared: &[(String, Ty)]) -> Types<'a> {
        let env = declared.iter().map(|(n, t)| (n.clone(), Self::of_declared(db, project, t))).collect();
        Types { db, project, item, scope: None, env, declared: declared.to_vec(), diags: Vec::new() }
    }

    /// Resolves called functions in `scope` (to check their arguments).
    pub fn with_scope(mut self, scope: crate::resolve::FileScope<'a>) -> Types<'a> {
        self.scope = Some(scope);
        self
    }

    /// What a declared type says statically (`Optional` may be `none`: unknown).
    pub fn of_declared(db: &dyn Db, project: Project, ty: &Ty) -> STy {
        match crate::signatures::underlying(db, project, ty, false) {
            Ty::Int => STy::Int,
            Ty::Float => STy::Float,
            Ty::Bool => STy::Bool,
            Ty::String => STy::Str,
            Ty::Quantity(d) => STy::Quantity(d),
            Ty::Duration => STy::Duration,
            Ty::Percent => STy::Percent,
            Ty::List(_) => STy::List,
            Ty::Schema(s) => STy::Schema(s),
            _ => STy::Unknown,
        }
    }

    fn lookup(&self, name: &str) -> STy {
        self.env.iter().rev().find(|(n, _)| n == name).map(|(_, t)| t.clone()).unwrap_or(STy::Unknown)
    }

    /// Checks a function body against its declared result type.
    pub fn check_result(&mut self, body: &Expr, ret: &Ty) {
        self.check_value(body, ret);
    }

    /// Checks a value against the type it is given to (a field's, a result's):
    /// reported where the value is made (an operator, a literal, a string), which
    /// is where the evaluator reports the same mismatch. Returns its static type.
    pub fn check_value(&mut self, value: &Expr, declared: &Ty) -> STy {
        let found = self.infer(value);
        let expected = Self::of_declared(self.db, self.project, declared);
        if made_here(value) && !fits(&found, &expected) {
            let shown = shown(value, &found);
            self.diags.push(Diag::new(
                Code::TypeMismatch,
                format!("expected `{}`, found {shown}", declared.display(self.db)),
                Loc::new(self.item, value.span),
                format!("this is {shown}"),
            ));
        }
        found
    }

    /// The declared type of a name in scope (a field), for [`Types::check_value`].
    pub fn declared(&self, name: &str) -> Option<Ty> {
        self.declared.iter().rev().find(|(n, _)| n == name).map(|(_, t)| t.clone())
    }

    /// The static type of `e`, reporting definite mistakes inside it.
    pub fn infer(&mut self, e: &Expr) -> STy {
        match &e.kind {
            ExprKind::Int(_) => STy::Int,
            ExprKind::Float(_) => STy::Float,
            ExprKind::Bool(_) => STy::Bool,
            ExprKind::Unit { unit, .. } => match unit.as_str() {
                "ms" | "s" | "h" => STy::Duration,
                "%" => STy::Percent,
                // `m` is milli-cores or minutes, as the expected type decides.
                "m" => STy::Unknown,
                u => Dim::of_unit(u).map(STy::Quantity).unwrap_or(STy::Unknown),
            },
            ExprKind::Str(parts) => {
                for p in parts {
                    if let StrPart::Interp(x) = p {
                        self.infer(x);
                    }
                }
                STy::Str
            }
            ExprKind::Name(n) => self.lookup(&n.name),
            ExprKind::Binary(..) => self.binary_chain(e),
            ExprKind::If(..) => self.if_chain(e),
            ExprKind::Let(..) => self.let_chain(e),
            ExprKind::Field(..) => self.field_chain(e),
            ExprKind::Unary(_, x) => {
                let mut x: &Expr = x;
                while let ExprKind::Unary(_, inner) = &x.kind {
                    x = inner;
                }
                self.infer(x);
                STy::Unknown
            }
            ExprKind::List(items) => {
                for i in items {
                    self.infer(i);
                }
                STy::List
            }
            ExprKind::Record(entries) => {
                for en in entries {
                    self.infer(&en.value);
                }
                STy::Unknown
            }
            ExprKind::Call(callee, args) => {
                if !matches!(callee.kind, ExprKind::Name(_)) {
                    self.infer(callee);
                }
                let found: Vec<STy> = args.iter().map(|a| self.infer(a)).collect();
                match self.called_function(callee) {
                    Some(f) => self.arguments(f, args, &found, e.span),
                    None => STy::Unknown,
                }
            }
            ExprKind::Index(a, b) => {
                self.infer(a);
                self.infer(b);
                STy::Unknown
            }
            ExprKind::At(a, _) => {
                self.infer(a);
                STy::Unknown
            }
            ExprKind::Match(s, arms) => {
                self.infer(s);
                for arm in arms {
                    self.infer(&arm.body);
                }
                STy::Unknown
            }
            ExprKind::ListComp(c) => {
                self.infer(&c.iter);
                let mark = self.env.len();
                self.env.extend(c.vars.iter().map(|v| (v.name.clone(), STy::Unknown)));
                if let Some(cond) = &c.cond {
                    self.condition(cond, "a comprehension filter");
                }
                self.infer(&c.element);
                self.env.truncate(mark);
                STy::List
            }
            ExprKind::MapComp(k, c) => {
                self.infer(&c.iter);
                let mark = self.env.len();
                self.env.extend(c.vars.iter().map(|v| (v.name.clone(), STy::Unknown)));
                if let Some(cond) = &c.cond {
                    self.condition(cond, "a comprehension filter");
                }
                self.infer(k);
                self.infer(&c.element);
                self.env.truncate(mark);
                STy::Unknown
            }
            ExprKind::None | ExprKind::SelfRef | ExprKind::Error => STy::Unknown,
        }
    }

    /// A condition must be a `Bool` (the evaluator's wording and place).
    pub fn condition(&mut self, c: &Expr, what: &str) {
        let t = self.infer(c);
        if t != STy::Unknown && t != STy::Bool {
            self.diags.push(Diag::new(
                Code::TypeMismatch,
                format!("{what} must be `Bool`, found {}", t.name()),
                Loc::new(self.item, c.span),
                "not a Bool",
            ));
        }
    }

    fn binary_chain(&mut self, e: &Expr) -> STy {
        // The left spine of `((a + b) + c) + d`, outermost first.
        let mut spine: Vec<(&Expr, BinaryOp, &Expr)> = Vec::new();
        let mut cur = e;
        while let ExprKind::Binary(op, l, r) = &cur.kind {
            spine.push((cur, *op, r));
            cur = l;
        }
        let mut acc = self.infer(cur);
        for (whole, op, r) in spine.into_iter().rev() {
            let right = self.infer(r);
            acc = self.binary(op, acc, right, whole.span);
        }
        acc
    }

    /// The result of `a op b`, mirroring the evaluator's rules; a definite mismatch is reported.
    fn binary(&mut self, op: BinaryOp, a: STy, b: STy, at: Span) -> STy {
        use BinaryOp::*;
        use STy as T;
        if op == Coalesce {
            return T::Unknown;
        }
        if matches!(op, Eq | Ne) {
            return T::Bool;
        }
        if a == T::Unknown || b == T::Unknown {
            return match op {
                Lt | Le | Gt | Ge | And | Or => T::Bool,
                _ => T::Unknown,
            };
        }
        let out = match (op, &a, &b) {
            (And | Or, T::Bool, T::Bool) => Some(T::Bool),
            (Lt | Le | Gt | Ge, x, y) if x.is_number() && y.is_number() => Some(T::Bool),
            (Lt | Le | Gt | Ge, T::Str, T::Str)
            | (Lt | Le | Gt | Ge, T::Duration, T::Duration)
            | (Lt | Le | Gt | Ge, T::Percent, T::Percent) => Some(T::Bool),
            (Lt | Le | Gt | Ge, T::Quantity(x), T::Quantity(y)) if x.join(*y).is_some() => Some(T::Bool),
            (Add | Sub | Mul | Div | Rem, T::Int, T::Int) => Some(T::Int),
            (Add | Sub | Mul | Div, x, y) if x.is_number() && y.is_number() => Some(T::Float),
            (Add, T::Str, T::Str) => Some(T::Str),
            (Add, T::List, T::List) => Some(T::List),
            (Add | Sub, T::Quantity(x), T::Quantity(y)) => match x.join(*y) {
                Some(d) => Some(T::Quantity(d)),
                None => {
                    self.diags.push(Diag::new(
                        Code::InvalidUnit,
                        format!("`{}` cannot combine {} with {}", op.symbol(), x.describe(), y.describe()),
                        Loc::new(self.item, at),
                        "CPU and memory do not add up",
                    ));
                    return T::Unknown;
                }
            },
            (Mul, T::Quantity(d), T::Int) | (Mul, T::Int, T::Quantity(d)) => Some(T::Quantity(*d)),
            (Add | Sub, T::Duration, T::Duration) => Some(T::Duration),
            (Mul, T::Duration, T::Int) | (Mul, T::Int, T::Duration) => Some(T::Duration),
            (Add | Sub, T::Percent, T::Percent) => Some(T::Percent),
            _ => None,
        };
        match out {
            Some(t) => t,
            None => {
                self.diags.push(Diag::new(
                    Code::TypeMismatch,
                    format!("`{}` cannot be applied to {} and {}", op.symbol(), a.name(), b.name()),
                    Loc::new(self.item, at),
                    format!("{} {} {}", a.name(), op.symbol(), b.name()),
                ));
                T::Unknown
            }
        }
    }

    /// The user function `callee` names, when it is a plain global name not shadowed by a local.
    fn called_function(&self, callee: &Expr) -> Option<ItemId> {
        let ExprKind::Name(n) = &callee.kind else { return None };
        if self.env.iter().any(|(l, _)| l == &n.name) {
            return None;
        }
        match self.scope.as_ref()?.global(&n.name)? {
            crate::resolve::Global::Item(f) if f.tag(self.db) == crate::items::ItemTag::Fn => Some(f),
            _ => None,
        }
    }

    /// Checks the arguments made at the call (literals, operators, strings) against
    /// the parameters; the result is the declared result type.
    fn arguments(&mut self, f: ItemId, args: &[Expr], found: &[STy], call: Span) -> STy {
        let sig = crate::signatures::fn_sig(self.db, self.project, f).clone();
        if sig.params.len() == args.len() {
            for (((_, pty), arg), t) in sig.params.iter().zip(args).zip(found) {
                let expected = Self::of_declared(self.db, self.project, pty);
                if made_here(arg) && !fits(t, &expected) {
                    let found = shown(arg, t);
                    let mut d = Diag::new(
                        Code::TypeMismatch,
                        format!("expected `{}`, found {found}", pty.display(self.db)),
                        Loc::new(self.item, arg.span),
                        format!("this is {found}"),
                    );
                    if arg.span != call {
                        d = d.with_label(
                            Loc::new(self.item, call),
                            format!("`{}` expected because of this", pty.display(self.db)),
                        );
                    }
                    self.diags.push(d);
                }
            }
        }
        Self::of_declared(self.db, self.project, &sig.ret)
    }

    fn if_chain(&mut self, e: &Expr) -> STy {
        let mut results = Vec::new();
        let mut cur = e;
        while let ExprKind::If(c, a, b) = &cur.kind {
            self.condition(c, "an `if` condition");
            results.push(self.infer(a));
            cur = b;
        }
        results.push(self.infer(cur));
        let first = results[0].clone();
        if results.iter().all(|t| *t == first) { first } else { STy::Unknown }
    }

    fn let_chain(&mut self, e: &Expr) -> STy {
        let mark = self.env.len();
        let mut cur = e;
        while let ExprKind::Let(decl, body) = &cur.kind {
            let t = match &decl.ty {
                Some(_) => STy::Unknown, // checked against its annotation by evaluation
                None => self.infer(&decl.value),
            };
            if decl.ty.is_some() {
                self.infer(&decl.value);
            }
            self.env.push((decl.name.name.clone(), t));
            cur = body;
        }
        let out = self.infer(cur);
        self.env.truncate(mark);
        out
    }

    fn field_chain(&mut self, e: &Expr) -> STy {
        let mut names = Vec::new();
        let mut cur = e;
        while let ExprKind::Field(base, f) = &cur.kind {
            names.push(f.name.as_str());
            cur = base;
        }
        let mut t = self.infer(cur);
        for name in names.into_iter().rev() {
            t = match t {
                STy::Schema(s) => match schema_def(self.db, self.project, s).fields.get(name) {
                    Some(f) => Self::of_declared(self.db, self.project, &f.ty.clone()),
                    None => STy::Unknown,
                },
                _ => STy::Unknown,
            };
        }
        t
    }
}

/// Whether a value is made by this expression (an operator, a literal, a
/// string), so that its origin — where the evaluator reports a mismatch — is here.
fn made_here(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Binary(..) | ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) | ExprKind::Str(_)
    )
}

/// A found type for messages, with a literal's value as the evaluator shows it.
fn shown(e: &Expr, t: &STy) -> String {
    match &e.kind {
        ExprKind::Str(parts) => match parts.as_slice() {
            [StrPart::Text(text)] if text.len() <= 40 => format!("`String` (\"{text}\")"),
            _ => "`String`".to_string(),
        },
        ExprKind::Int(i) => format!("`Int` ({i})"),
        _ => format!("`{}`", t.name()),
    }
}

/// Whether a value of static type `found` can be given where `expected` is declared.
fn fits(found: &STy, expected: &STy) -> bool {
    match (found, expected) {
        (STy::Unknown, _) | (_, STy::Unknown) => true,
        (STy::Int, STy::Float | STy::Quantity(_)) => true,
        (STy::Quantity(a), STy::Quantity(b)) => a.join(*b).is_some(),
        (a, b) => a == b,
    }
}
