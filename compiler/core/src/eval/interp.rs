//! The expression evaluator.

use crate::eval::value::Fields;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use sinfra_syntax::ast::{
    BinaryOp, Comprehension, Expr, ExprKind, LetDecl, MatchArm, Pattern, RecordKey, StrPart, UnaryOp,
};

use super::builtins::{self, UnitValue};
use super::instance::Instance;
use super::value::{Label, Labels, Quantity, Record, V, Value};
use super::{cycle_diag, cycle_path, instance_value, let_value, platform_value, versions};
use crate::db::{Db, Project};
use crate::diagnostics::Code;
use crate::index::{Index, project_index};
use crate::items::{ItemId, ItemTag, item_syntax};
use crate::loc::{Diag, Loc};
use crate::platform::{PlatformInfo, platform_info};
use crate::resolve::{FileScope, Global, did_you_mean};
use crate::signatures::fn_sig;
use crate::ty::Ty;

/// How deep evaluation may nest before it is reported instead of overflowing
/// the stack. Chains (`a + b + …`, `a.b.c`, `else if`, `let … in let …`,
/// `!!x`) are evaluated in loops and count once, however long.
pub const MAX_DEPTH: u32 = 300;

/// How many expressions one query may evaluate: comprehensions over `range` can
/// multiply, and a compiler must answer rather than hang.
const MAX_STEPS: u64 = 5_000_000;

/// The evaluation context: the stack being evaluated and the diagnostics found.
pub struct Ctx<'a> {
    /// The database.
    pub db: &'a dyn Db,
    /// The project.
    pub project: Project,
    /// The name index.
    pub index: &'a Index,
    /// Tiers, regions and stacks.
    pub platform: &'a PlatformInfo,
    /// The stack being evaluated (`None` for shared resources and constants outside stacks).
    pub stack: Option<usize>,
    /// `name`: the instance being evaluated, as a DNS label.
    pub name: Option<Arc<str>>,
    /// The item `name` belongs to (for `image()` messages).
    pub instance_item: Option<ItemId>,
    /// `protected`.
    pub protected: bool,
    /// Problems found.
    pub diags: Vec<Diag>,
    depth: u32,
    /// E0003 was reported: one report per evaluation, not one per level unwound.
    too_deep: bool,
    steps: u64,
    calls: Vec<ItemId>,
    /// Where each function in `calls` was called.
    call_sites: Vec<Loc>,
    scopes: rustc_hash::FxHashMap<crate::db::SourceFile, FileScope<'a>>,
    functions: rustc_hash::FxHashMap<ItemId, (Arc<crate::signatures::FnSig>, Arc<crate::items::ItemSyntax>)>,
}

/// Local bindings: a persistent list, innermost first, so binding is O(1).
pub struct Local {
    name: Rc<str>,
    value: Value,
    outer: Option<Rc<Local>>,
}

/// A lexical environment.
#[derive(Clone)]
pub struct Env {
    /// The item the code belongs to (for locations and name lookup).
    pub item: ItemId,
    /// Local bindings.
    pub locals: Option<Rc<Local>>,
    /// The instance whose fields are in scope.
    pub instance: Option<Rc<RefCell<Instance>>>,
}

impl Env {
    /// An environment for code in `item`.
    pub fn new(item: ItemId) -> Env {
        Env { item, locals: None, instance: None }
    }

    /// The same environment with one more local.
    pub fn bind(&self, name: &str, value: Value) -> Env {
        let local = Local { name: name.into(), value, outer: self.locals.clone() };
        Env { item: self.item, locals: Some(Rc::new(local)), instance: self.instance.clone() }
    }

    fn local(&self, name: &str) -> Option<&Value> {
        let mut cur = self.locals.as_deref();
        while let Some(l) = cur {
            if &*l.name == name {
                return Some(&l.value);
            }
            cur = l.outer.as_deref();
        }
        None
    }
}

impl<'a> Ctx<'a> {
    /// A context for evaluating in `stack`.
    pub fn new(db: &'a dyn Db, project: Project, stack: Option<ItemId>) -> Ctx<'a> {
        let platform = platform_info(db, project);
        let stack = stack.and_then(|s| platform.stack_index(s));
        Ctx {
            db,
            project,
            index: project_index(db, project),
            platform,
            stack,
            name: None,
            instance_item: None,
            protected: false,
            diags: Vec::new(),
            depth: 0,
            too_deep: false,
            steps: 0,
            calls: Vec::new(),
            call_sites: Vec::new(),
            scopes: rustc_hash::FxHashMap::default(),
            functions: rustc_hash::FxHashMap::default(),
        }
    }

    /// The names visible in the file of `item` (cached: name lookup is the evaluator's hottest path).
    pub fn scope(&mut self, item: ItemId) -> FileScope<'a> {
        let file = item.file(self.db);
        let (db, index) = (self.db, self.index);
        *self.scopes.entry(file).or_insert_with(|| FileScope::new(db, index, file))
    }

    /// Reports a problem, recording the stack and instance being evaluated and
    /// the call sites that led into a helper.
    pub fn report(&mut self, d: Diag) {
        let stack = self.stack.map(|s| self.platform.stacks[s].name.as_str());
        // Worth naming only when the problem lies in shared code (a helper, a schema, a `let`).
        let instance = self
            .instance_item
            .filter(|&i| d.location().item != i)
            .map(|i| format!("{} `{}`", i.tag(self.db).describe(), i.name(self.db)));
        let mut d = d.in_context(stack, instance);
        for &site in self.call_sites.iter().rev() {
            if !d.labels.iter().any(|l| l.location == site) {
                d = d.with_label(site, crate::diagnostics::CALLED_FROM);
            }
        }
        self.diags.push(d);
    }

    fn error(&mut self, code: Code, message: impl Into<String>, at: Loc, label: impl Into<String>) -> Value {
        let d = Diag::new(code, message, at, label);
        self.report(d);
        Value::error()
    }

    /// The stack's name for messages.
    pub fn stack_desc(&self) -> String {
        match self.stack {
            Some(s) => {
                let st = &self.platform.stacks[s];
                format!("stack `{}` (tier {})", st.name, self.platform.tiers[st.tier].name)
            }
            None => "no stack (a shared or project-wide value)".to_string(),
        }
    }

    /// Evaluates a top-level `let`'s value against its declared type.
    pub fn eval_let_decl(&mut self, item: ItemId, decl: &LetDecl) -> Value {
        let env = Env::new(item);
        let value = self.eval(&decl.value, &env);
        match &decl.ty {
            Some(t) => {
                let scope = self.scope(item);
                let mut sink = Vec::new();
                let ty = crate::resolve::lower_type(self.db, &scope, item, t, &mut sink);
                self.conform(value, &ty, Loc::new(item, decl.value.span))
            }
            None => value,
        }
    }

    /// Evaluates an expression.
    pub fn eval(&mut self, expr: &Expr, env: &Env) -> Value {
        self.steps += 1;
        if self.steps >= MAX_STEPS {
            if self.steps == MAX_STEPS {
                let at = Loc::new(env.item, expr.span);
                self.report(
                    Diag::new(
                        Code::EvaluationError,
                        format!("evaluation stopped after {MAX_STEPS} steps in {}", self.stack_desc()),
                        at,
                        "still evaluating here",
                    )
                    .with_help(
                        "a comprehension over a large `range` multiplies work; iterate over smaller collections",
                    ),
                );
            }
            return Value::error();
        }
        if self.depth > MAX_DEPTH {
            if !std::mem::replace(&mut self.too_deep, true) {
                let d = Diag::new(
                    Code::NestingTooDeep,
                    format!("expressions nested {} levels deep: the limit is {MAX_DEPTH}", self.depth),
                    Loc::new(env.item, expr.span),
                    format!("{MAX_DEPTH} levels deep here"),
                )
                .with_note(
                    "nesting is brackets, calls into functions, and `if`, `match` and `let` inside one another; \
                     chains (`a + b + …`, `a.b.c`, `else if`, `let … in let … in`) do not count",
                )
                .with_help(
                    "name inner parts with `let` (or move them into functions), so that no expression holds them all",
                );
                self.report(d);
            }
            return Value::error();
        }
        self.depth += 1;
        let v = self.eval_inner(expr, env);
        self.depth -= 1;
        v
    }

    fn eval_inner(&mut self, expr: &Expr, env: &Env) -> Value {
        let at = Loc::new(env.item, expr.span);
        let origin = Some(at);
        match &expr.kind {
            ExprKind::Int(i) => Value::new(V::Int(*i), origin),
            ExprKind::Float(f) => Value::new(V::Float(*f), origin),
            ExprKind::Bool(b) => Value::new(V::Bool(*b), origin),
            ExprKind::None => Value::new(V::None, origin),
            ExprKind::Unit { number, unit } => match builtins::unit_value(number, unit) {
                Some(UnitValue::Quantity(q)) => Value::new(V::Quantity(q), origin),
                Some(UnitValue::Duration(ms)) => Value::new(V::Duration(ms), origin),
                Some(UnitValue::Percent(p)) => Value::new(V::Percent(p), origin),
                None => Value::error(), // reported by the static check
            },
            ExprKind::Str(parts) => self.eval_string(parts, env, at),
            ExprKind::SelfRef if env.local("self").is_some() => env.local("self").cloned().unwrap_or_else(Value::error),
            ExprKind::SelfRef => match &env.instance {
                Some(inst) => Instance::self_record(inst, self, at),
                None => self.error(
                    Code::UnknownName,
                    "`self` is only available in schemas and instances",
                    at,
                    "no instance here",
                ),
            },
            ExprKind::Name(ident) => self.eval_name(&ident.name, env, at),
            ExprKind::Field(..) | ExprKind::Index(..) => self.eval_postfix_chain(expr, env),
            ExprKind::Call(callee, _) if !matches!(callee.kind, ExprKind::Name(_)) => {
                self.eval_postfix_chain(expr, env)
            }
            ExprKind::At(base, sel) => self.eval_at(base, &sel.name, env, at, Loc::new(env.item, sel.span)),
            ExprKind::Call(callee, args) => {
                // Fields are never functions: a call skips them, so `image = image("api")` works.
                let f = match &callee.kind {
                    ExprKind::Name(n) if env.local(&n.name).is_none() => {
                        let plain = Env { instance: None, ..env.clone() };
                        self.eval(callee, &plain)
                    }
                    _ => self.eval(callee, env),
                };
                let args: Vec<Value> = args.iter().map(|a| self.eval(a, env)).collect();
                self.call(f, args, at)
            }
            ExprKind::List(items) => {
                let items: Vec<Value> = items.iter().map(|e| self.eval(e, env)).collect();
                Value::new(V::List(Arc::new(items)), origin)
            }
            ExprKind::Record(entries) => {
                let mut fields = Fields::with_capacity(entries.len());
                for entry in entries {
                    let v = self.eval(&entry.value, env);
                    let key = entry.key.text().to_string();
                    if fields.contains_key(&key) {
                        let span = match &entry.key {
                            RecordKey::Ident(i) => i.span,
                            RecordKey::Str(_, s) => *s,
                        };
                        self.report(Diag::new(
                            Code::DuplicateDefinition,
                            format!("key `{key}` is set twice"),
                            Loc::new(env.item, span),
                            "set again here",
                        ));
                    }
                    fields.insert(key, v);
                }
                Value::new(V::Record(Arc::new(Record::plain(fields))), origin)
            }
            ExprKind::ListComp(c) => self.eval_list_comp(c, env, at),
            ExprKind::MapComp(key, c) => self.eval_map_comp(key, c, env, at),
            ExprKind::Unary(..) => self.eval_unary_chain(expr, env),
            ExprKind::Binary(..) => self.eval_binary_chain(expr, env),
            ExprKind::If(..) => self.eval_if_chain(expr, env),
            ExprKind::Match(scrutinee, arms) => self.eval_match(scrutinee, arms, env, at),
            ExprKind::Let(..) => self.eval_let_chain(expr, env),
            ExprKind::Error => Value::error(),
        }
    }

    /// `-x`, `!!x`: the operators are applied in a loop.
    fn eval_unary_chain(&mut self, expr: &Expr, env: &Env) -> Value {
        let mut ops = Vec::new();
        let mut cur = expr;
        while let ExprKind::Unary(op, e) = &cur.kind {
            ops.push((*op, Loc::new(env.item, cur.span)));
            cur = e;
        }
        let mut v = self.eval(cur, env);
        for (op, at) in ops.into_iter().rev() {
            v = self.unary(op, v, at);
        }
        v
    }

    fn unary(&mut self, op: UnaryOp, v: Value, at: Loc) -> Value {
        let labels = v.labels.clone();
        let out = match (op, &v.v) {
            (_, V::Error) => V::Error,
            (UnaryOp::Neg, V::Int(i)) => V::Int(i.wrapping_neg()),
            (UnaryOp::Neg, V::Float(f)) => V::Float(-f),
            (UnaryOp::Not, V::Bool(b)) => V::Bool(!b),
            _ => {
                let sym = if op == UnaryOp::Neg { "-" } else { "!" };
                return self.error(
                    Code::TypeMismatch,
                    format!("`{sym}` cannot be applied to {}", v.type_name()),
                    at,
                    format!("this is {}", v.type_name()),
                );
            }
        };
        Value { v: out, labels, origin: Some(at) }
    }

    /// `a.b.c`, `f(x)(y)`, `xs[0][1]`: the base is evaluated, then each
    /// field, index or call is applied in a loop.
    fn eval_postfix_chain(&mut self, expr: &Expr, env: &Env) -> Value {
        let mut ops = Vec::new();
        let mut cur = expr;
        loop {
            match &cur.kind {
                ExprKind::Field(base, _) | ExprKind::Index(base, _) => {
                    ops.push(cur);
                    cur = base;
                }
                ExprKind::Call(callee, _) if !matches!(callee.kind, ExprKind::Name(_)) => {
                    ops.push(cur);
                    cur = callee;
                }
                _ => break,
            }
        }
        let mut v = self.eval(cur, env);
        for op in ops.into_iter().rev() {
            self.steps += 1;
            let at = Loc::new(env.item, op.span);
            v = match &op.kind {
                ExprKind::Field(_, field) => self.field(v, &field.name, Loc::new(env.item, field.span), at),
                ExprKind::Index(_, idx) => {
                    let i = self.eval(idx, env);
                    self.index_value(v, i, at)
                }
                ExprKind::Call(_, args) => {
                    let args: Vec<Value> = args.iter().map(|a| self.eval(a, env)).collect();
                    self.call(v, args, at)
                }
                _ => Value::error(),
            };
        }
        v
    }

    /// `a + b + c`, `a && b || c`: the left operands of a chain nest in the
    /// tree; they are evaluated in a loop, the right ones one level deeper.
    fn eval_binary_chain(&mut self, expr: &Expr, env: &Env) -> Value {
        let mut ops = Vec::new();
        let mut cur = expr;
        while let ExprKind::Binary(op, l, r) = &cur.kind {
            ops.push((*op, &**r, Loc::new(env.item, cur.span)));
            cur = l;
        }
        let mut v = self.eval(cur, env);
        for (op, r, at) in ops.into_iter().rev() {
            self.steps += 1;
            v = self.eval_binary(op, v, r, env, at);
        }
        v
    }

    /// `if a then x else if b then y else z`: the conditions are tried in a loop.
    fn eval_if_chain(&mut self, expr: &Expr, env: &Env) -> Value {
        let mut conds: Vec<Labels> = Vec::new();
        let mut cur = expr;
        let mut v = loop {
            let ExprKind::If(c, a, b) = &cur.kind else { break self.eval(cur, env) };
            self.steps += 1;
            let cond = self.eval(c, env);
            match self.condition(&cond, "an `if` condition", Loc::new(env.item, c.span)) {
                Some(true) => {
                    conds.push(cond.labels);
                    break self.eval(a, env);
                }
                Some(false) => {
                    conds.push(cond.labels);
                    cur = b;
                }
                None => break Value::error(),
            }
        };
        // The condition's labels join the result's, innermost first.
        for labels in conds.iter().rev() {
            v = v.labelled(labels);
        }
        v
    }

    /// `let a = 1 in let b = a in …`: the bindings are made in a loop.
    fn eval_let_chain(&mut self, expr: &Expr, env: &Env) -> Value {
        let mut env = env.clone();
        let mut cur = expr;
        while let ExprKind::Let(decl, body) = &cur.kind {
            self.steps += 1;
            let v = self.eval(&decl.value, &env);
            let v = match &decl.ty {
                Some(t) => {
                    let scope = self.scope(env.item);
                    let mut sink = Vec::new();
                    let ty = crate::resolve::lower_type(self.db, &scope, env.item, t, &mut sink);
                    self.conform(v, &ty, Loc::new(env.item, decl.value.span))
                }
                None => v,
            };
            env = env.bind(&decl.name.name, v);
            cur = body;
        }
        self.eval(cur, &env)
    }

    fn eval_string(&mut self, parts: &[StrPart], env: &Env, at: Loc) -> Value {
        if let [StrPart::Text(t)] = parts {
            return Value::str(t.as_str(), Some(at));
        }
        let mut out = String::new();
        let mut labels = Labels::default();
        for part in parts {
            match part {
                StrPart::Text(t) => out.push_str(t),
                StrPart::Interp(e) => {
                    let v = self.eval(e, env);
                    if v.is_error() {
                        return Value::error();
                    }
                    if let V::Secret(_) = v.v {
                        // The secret's text is used here: report it here, once.
                        let kept: Vec<Label> =
                            v.labels.iter().filter(|l| !matches!(l, Label::Secret { .. })).cloned().collect();
                        for l in kept {
                            labels = labels.union(&Labels::one(l));
                        }
                        labels = labels.union(&Labels::one(Label::Secret { origin: Loc::new(env.item, e.span) }));
                    } else {
                        labels = labels.union(&v.labels);
                    }
                    match builtins::display(&v) {
                        Ok(s) => out.push_str(&s),
                        Err(msg) => {
                            return self.error(
                                Code::TypeMismatch,
                                msg,
                                Loc::new(env.item, e.span),
                                "cannot be interpolated",
                            );
                        }
                    }
                }
            }
        }
        Value { v: V::Str(out.into()), labels, origin: Some(at) }
    }

    fn eval_name(&mut self, name: &str, env: &Env, at: Loc) -> Value {
        if let Some(v) = env.local(name) {
            return v.clone();
        }
        if let Some(inst) = &env.instance
            && let Some(v) = Instance::lookup(inst, name, self, at)
        {
            return v;
        }
        let db = self.db;
        match name {
            "tier" => {
                return match self.stack {
                    Some(s) => Value::new(V::Tier(self.platform.stacks[s].tier), Some(at)),
                    None => self.no_stack(name, at),
                };
            }
            "region" => {
                return match self.stack {
                    Some(s) => Value::new(V::Region(self.platform.stacks[s].region), Some(at)),
                    None => self.no_stack(name, at),
                };
            }
            "stack" => {
                return match self.stack {
                    Some(s) => Value::new(V::Stack(s), Some(at)),
                    None => self.no_stack(name, at),
                };
            }
            "name" if self.name.is_some() => return Value::str(self.name.clone().unwrap_or_default(), Some(at)),
            "protected" if self.name.is_some() => return Value::new(V::Bool(self.protected), Some(at)),
            "project" => {
                let mut fields = Fields::default();
                fields.insert("name".to_string(), Value::str(self.platform.manifest.name.as_str(), Some(at)));
                return Value::new(V::Record(Arc::new(Record::plain(fields))), Some(at));
            }
            "platform" => {
                let stack = self.stack.map(|s| self.platform.stacks[s].item);
                if let Some(p) = self.platform.platform
                    && self.closes_cycle((p, stack), at)
                {
                    return Value::error();
                }
                return platform_value(db, self.project, stack).value.clone();
            }
            _ => {}
        }
        let scope = self.scope(env.item);
        match scope.global(name) {
            Some(Global::Item(item)) => self.item_value(item, at),
            Some(Global::Module(m)) => Value::new(V::Module(m.into()), Some(at)),
            Some(Global::Builtin(b)) => Value::new(V::Builtin(b), Some(at)),
            None => {
                // The static check reports this with the same code and location (one root
                // cause); it cannot where the fields in scope are only known per instance (policies).
                let mut candidates = scope.candidates();
                if let Some(inst) = &env.instance {
                    candidates.extend(Instance::names(inst));
                }
                let mut d =
                    Diag::new(Code::UnknownName, format!("unknown name `{name}`"), at, "not found in this scope");
                if let Some(s) = did_you_mean(name, candidates.iter().map(String::as_str)) {
                    d = d.with_help(format!("did you mean `{s}`?")).with_fix(format!("replace with `{s}`"), at, s);
                }
                self.report(d);
                Value::error()
            }
        }
    }

    fn no_stack(&mut self, name: &str, at: Loc) -> Value {
        self.error(
            Code::EvaluationError,
            format!("`{name}` is not available here: this is evaluated outside any stack"),
            at,
            "no stack here",
        )
        .labelled(&Labels::default())
    }

    /// The value a global item denotes at `at`.
    pub fn item_value(&mut self, item: ItemId, at: Loc) -> Value {
        let db = self.db;
        match item.tag(db) {
            ItemTag::Fn => Value::new(V::Func(item), Some(at)),
            ItemTag::Let => {
                let stack = self.stack.map(|s| self.platform.stacks[s].item);
                if self.closes_cycle((item, stack), at) {
                    return Value::error();
                }
                // A `let` is judged where it is used: its problems in this stack are
                // reported for the user (copies from several users merge into one).
                let evaluated = let_value(db, self.project, item, stack);
                for d in &evaluated.diags {
                    self.report(d.clone());
                }
                evaluated.value.clone()
            }
            ItemTag::Resource | ItemTag::Service => self.instance_in(item, self.stack, at, None),
            other => self.error(
                Code::TypeMismatch,
                format!("`{}` is a {}, not a value", item.name(db), other.describe()),
                at,
                "used as a value",
            ),
        }
    }

    /// The instance of a resource or service in stack `stack`, labelled with its tier.
    fn instance_in(&mut self, item: ItemId, stack: Option<usize>, at: Loc, via: Option<&str>) -> Value {
        let db = self.db;
        let placement = crate::platform::placement(db, self.project, item);
        let target = match &placement.stacks {
            None => None, // shared
            Some(stacks) => {
                let Some(s) = stack else {
                    return self.error(
                        Code::EvaluationError,
                        format!("`{}` exists per stack; it cannot be used outside a stack", item.name(db)),
                        at,
                        "used outside any stack",
                    );
                };
                if !stacks.contains(&s) {
                    let missing_from = self.missing_stacks(stacks);
                    let st = &self.platform.stacks[s];
                    let mut d = Diag::new(
                        Code::MissingDependency,
                        format!(
                            "`{}` has no instance in stack `{}` (tier {})",
                            item.name(db),
                            st.name,
                            self.platform.tiers[st.tier].name
                        ),
                        at,
                        format!("`{}` does not exist in `{}`", item.name(db), st.name),
                    )
                    .with_label(
                        Loc::new(item, item_syntax(db, item).ast.name().map(|n| n.span).unwrap_or_default()),
                        "declared here",
                    )
                    .with_note(format!(
                        "`{}` exists in: {}",
                        item.name(db),
                        self.platform.stack_names(stacks)
                    ));
                    if let Some(missing) = missing_from {
                        d = d.with_note(format!("the stacks that lack it and use it: {missing}"));
                    }
                    if via.is_none() {
                        d = d.with_help(format!(
                            "deploy the user only where `{}` exists (a selector such as `@{}`), or declare `{}` for every stack",
                            item.name(db),
                            stacks.first().map(|&s| self.platform.tiers[self.platform.stacks[s].tier].name.as_str()).unwrap_or("prod"),
                            item.name(db)
                        ));
                    }
                    self.report(d);
                    return Value::error();
                }
                Some(s)
            }
        };
        let stack_item = target.map(|s| self.platform.stacks[s].item);
        if self.closes_cycle((item, stack_item), at) {
            return Value::error();
        }
        let r = instance_value(db, self.project, item, stack_item);
        let mut v = r.value.clone();
        if item.tag(db) == ItemTag::Resource && !v.is_error() {
            let label = Label::Instance {
                tier: target.map(|s| self.platform.stacks[s].tier),
                stack: target,
                resource: item,
                origin: at,
                source: at,
                via: self.call_sites.first().copied(),
            };
            v = v.labelled(&Labels::one(label));
        }
        v.origin = Some(at);
        v
    }

    /// The stacks where the current instance is deployed but `stacks` are not (for E0305 notes).
    fn missing_stacks(&self, stacks: &[usize]) -> Option<String> {
        let item = self.instance_item?;
        let own = crate::platform::placement(self.db, self.project, item);
        let own = own.stacks.as_ref()?;
        let missing: Vec<usize> = own.iter().copied().filter(|s| !stacks.contains(s)).collect();
        (!missing.is_empty()).then(|| self.platform.stack_names(&missing))
    }

    fn eval_at(&mut self, base: &Expr, sel: &str, env: &Env, at: Loc, sel_at: Loc) -> Value {
        let db = self.db;
        let scope = self.scope(env.item);
        let item = match &base.kind {
            ExprKind::Name(n) => match scope.global(&n.name) {
                Some(Global::Item(i)) if i.tag(db) == ItemTag::Resource => Some(i),
                _ => None,
            },
            ExprKind::Field(m, member) => match &m.kind {
                ExprKind::Name(module) => self.index.member(&module.name, &member.name),
                _ => None,
            },
            _ => None,
        };
        let Some(item) = item.filter(|i| i.tag(db) == ItemTag::Resource) else {
            return self.error(
                Code::TypeMismatch,
                "`@` selects the instance of a resource in a tier or stack",
                Loc::new(env.item, base.span),
                "not a resource",
            );
        };
        let target = if let Some(t) = self.platform.tier_index(sel) {
            let candidates: Vec<usize> =
                self.platform.stacks.iter().enumerate().filter(|(_, s)| s.tier == t).map(|(i, _)| i).collect();
            let same_region = self.stack.and_then(|cur| {
                candidates.iter().copied().find(|&c| self.platform.stacks[c].region == self.platform.stacks[cur].region)
            });
            match (same_region, candidates.as_slice()) {
                (Some(s), _) => s,
                (None, [only]) => *only,
                (None, []) => {
                    return self.error(
                        Code::MissingDependency,
                        format!("tier `{sel}` has no stack"),
                        sel_at,
                        "no stack in this tier",
                    );
                }
                (None, many) => {
                    let names = self.platform.stack_names(many);
                    let first = &self.platform.stacks[many[0]].name;
                    let d = Diag::new(
                        Code::EvaluationError,
                        match self.stack {
                            Some(s) => format!(
                                "`@{sel}` is ambiguous: tier `{sel}` has stacks {names}, none in region `{}` of stack `{}`",
                                self.platform.regions[self.platform.stacks[s].region].name,
                                self.platform.stacks[s].name
                            ),
                            None => format!(
                                "`@{sel}` is ambiguous: tier `{sel}` has stacks {names}, and this is evaluated outside any stack"
                            ),
                        },
                        sel_at,
                        format!("which stack of tier `{sel}`?"),
                    )
                    .with_note(format!("the candidates: {names}"))
                    .with_help(format!("name the stack: `@{first}` (or another of {names})"));
                    self.report(d);
                    return Value::error();
                }
            }
        } else if let Some(s) = self.platform.stack_by_name(sel) {
            s
        } else {
            let candidates: Vec<&str> = self
                .platform
                .tiers
                .iter()
                .map(|t| t.name.as_str())
                .chain(self.platform.stacks.iter().map(|s| s.name.as_str()))
                .collect();
            let mut d = Diag::new(
                Code::UnknownName,
                format!("unknown tier or stack `{sel}`"),
                sel_at,
                "no tier or stack of this name",
            );
            if let Some(s) = did_you_mean(sel, candidates.iter().copied()) {
                d = d.with_help(format!("did you mean `{s}`?")).with_fix(format!("replace with `{s}`"), sel_at, s);
            }
            self.report(d);
            return Value::error();
        };
        self.instance_in(item, Some(target), at, Some(sel))
    }

    /// `base.name`.
    pub fn field(&mut self, base: Value, name: &str, name_at: Loc, at: Loc) -> Value {
        let labels = match base.origin {
            Some(o) => base.labels.reorigin(o, at),
            None => base.labels.clone(),
        };
        let db = self.db;
        let result = match &base.v {
            V::Error => return Value::error(),
            V::Record(r) => match r.fields.get(name) {
                Some(v) => v.clone(),
                None => {
                    let what = match r.schema {
                        Some(s) => format!("`{}`", s.name(db)),
                        None => "this record".to_string(),
                    };
                    let mut d = Diag::new(
                        Code::UnknownField,
                        format!("{what} has no field `{name}`"),
                        name_at,
                        "unknown field",
                    );
                    if let Some(s) = did_you_mean(name, r.fields.keys().map(String::as_str)) {
                        d = d.with_help(format!("did you mean `{s}`?")).with_fix(
                            format!("replace with `{s}`"),
                            name_at,
                            s,
                        );
                    }
                    self.report(d);
                    return Value::error();
                }
            },
            V::Tier(t) => match name {
                "name" => Value::str(self.platform.tiers[*t].name.as_str(), Some(at)),
                "protected" => Value::new(V::Bool(self.platform.tiers[*t].protected), Some(at)),
                _ => return self.no_field("Tier", name, &["name", "protected"], name_at),
            },
            V::Region(r) => match name {
                "name" => Value::str(self.platform.regions[*r].cloud_name.as_str(), Some(at)),
                "id" => Value::str(self.platform.regions[*r].name.as_str(), Some(at)),
                _ => return self.no_field("Region", name, &["name", "id"], name_at),
            },
            V::Stack(s) => {
                let st = &self.platform.stacks[*s];
                match name {
                    "name" => Value::str(st.dns.as_str(), Some(at)),
                    "id" => Value::str(st.name.as_str(), Some(at)),
                    "namespace" => Value::str(st.namespace.as_str(), Some(at)),
                    "cluster" => Value::str(st.cluster.as_str(), Some(at)),
                    "tier" => Value::new(V::Tier(st.tier), Some(at)),
                    "region" => Value::new(V::Region(st.region), Some(at)),
                    _ => {
                        return self.no_field(
                            "Stack",
                            name,
                            &["name", "id", "namespace", "cluster", "tier", "region"],
                            name_at,
                        );
                    }
                }
            }
            V::Secret(s) => {
                // A secret's name and key are references, not secret content.
                let v = match name {
                    "name" => Value::str(s.name.as_str(), Some(at)),
                    "key" => Value::str(s.key.as_str(), Some(at)),
                    _ => return self.no_field("Secret", name, &["name", "key"], name_at),
                };
                let kept: Vec<Label> = labels.iter().filter(|l| !matches!(l, Label::Secret { .. })).cloned().collect();
                return kept.into_iter().fold(v, |v, l| v.labelled(&Labels::one(l)));
            }
            V::Module(m) => match self.index.member(m, name) {
                Some(item) => return self.item_value(item, at),
                None => {
                    let candidates: Vec<&str> = self
                        .index
                        .modules
                        .get(&**m)
                        .map(|t| t.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    let mut d = Diag::new(
                        Code::UnknownName,
                        format!("module `{m}` has no `{name}`"),
                        name_at,
                        "not in this module",
                    );
                    if let Some(s) = did_you_mean(name, candidates) {
                        d = d.with_help(format!("did you mean `{s}`?")).with_fix(
                            format!("replace with `{s}`"),
                            name_at,
                            s,
                        );
                    }
                    self.report(d);
                    return Value::error();
                }
            },
            V::None => {
                return self.error(
                    Code::EvaluationError,
                    format!("cannot read `.{name}` of `none`"),
                    at,
                    "this is `none`",
                );
            }
            _ => {
                return self.error(
                    Code::TypeMismatch,
                    format!("{} has no fields", base.type_name()),
                    at,
                    format!("this is {}", base.type_name()),
                );
            }
        };
        let mut out = result.labelled(&labels);
        out.origin = Some(at);
        out
    }

    fn no_field(&mut self, ty: &str, name: &str, fields: &[&str], at: Loc) -> Value {
        let mut d = Diag::new(Code::UnknownField, format!("`{ty}` has no field `{name}`"), at, "unknown field")
            .with_note(format!("the fields of `{ty}` are: {}", fields.join(", ")));
        if let Some(s) = did_you_mean(name, fields.iter().copied()) {
            d = d.with_help(format!("did you mean `{s}`?")).with_fix(format!("replace with `{s}`"), at, s);
        }
        self.report(d);
        Value::error()
    }

    fn index_value(&mut self, base: Value, idx: Value, at: Loc) -> Value {
        let labels = base.labels.union(&idx.labels);
        let out = match (&base.v, &idx.v) {
            (V::Error, _) | (_, V::Error) => return Value::error(),
            (V::List(items), V::Int(i)) => match usize::try_from(*i).ok().and_then(|i| items.get(i)) {
                Some(v) => v.clone(),
                None => {
                    return self.error(
                        Code::EvaluationError,
                        format!("index {i} is out of range for a list of {} items", items.len()),
                        at,
                        "out of range",
                    );
                }
            },
            (V::Record(r), V::Str(k)) => match r.fields.get(k) {
                Some(v) => v.clone(),
                None => {
                    return self.error(Code::EvaluationError, format!("the map has no key `{k}`"), at, "missing key");
                }
            },
            _ => {
                return self.error(
                    Code::TypeMismatch,
                    format!("cannot index {} with {}", base.type_name(), idx.type_name()),
                    at,
                    "invalid index",
                );
            }
        };
        out.labelled(&labels)
    }

    /// Calls a function value.
    pub fn call(&mut self, f: Value, args: Vec<Value>, at: Loc) -> Value {
        let db = self.db;
        match f.v {
            V::Error => Value::error(),
            V::Builtin(name) => {
                let (min, max) = builtins::arity(name);
                if args.len() < min || args.len() > max {
                    let expected = if min == max { min.to_string() } else { format!("{min} or {max}") };
                    return self.error(
                        Code::WrongArgumentCount,
                        format!("`{name}` takes {expected} argument(s), {} given", args.len()),
                        at,
                        "wrong number of arguments",
                    );
                }
                if args.iter().any(Value::is_error) {
                    return Value::error();
                }
                if name == "image" {
                    return self.image(&args[0], at);
                }
                let labels = builtins::result_labels(name, &args);
                match builtins::call(name, &args) {
                    Ok(v) => {
                        let mut out = Value { v, labels, origin: Some(at) };
                        if name == "secret" {
                            out = out.labelled(&Labels::one(Label::Secret { origin: at }));
                        }
                        out
                    }
                    Err(msg) => self.error(Code::EvaluationError, msg, at, "in this call"),
                }
            }
            V::Func(item) => {
                if let Some(start) = self.calls.iter().position(|c| *c == item) {
                    let path = self.calls[start..].to_vec();
                    let d = cycle_diag(db, &path, at)
                        .with_note("functions may not call themselves: sinfra programs always terminate");
                    self.report(d);
                    return Value::error();
                }
                let project = self.project;
                let (sig, syntax) = self
                    .functions
                    .entry(item)
                    .or_insert_with(|| (fn_sig(db, project, item).clone(), item_syntax(db, item).clone()))
                    .clone();
                if sig.params.len() != args.len() {
                    return self.error(
                        Code::WrongArgumentCount,
                        format!("`{}` takes {} argument(s), {} given", item.name(db), sig.params.len(), args.len()),
                        at,
                        "wrong number of arguments",
                    );
                }
                let sinfra_syntax::ast::ItemKind::Fn(decl) = &syntax.ast.kind else { return Value::error() };
                let mut env = Env::new(item);
                for ((pname, pty), arg) in sig.params.iter().zip(args) {
                    let a = self.conform(arg, pty, at);
                    env = env.bind(pname, a);
                }
                self.calls.push(item);
                self.call_sites.push(at);
                let out = self.eval(&decl.body, &env);
                let out = self.conform(out, &sig.ret, Loc::new(item, decl.body.span));
                self.calls.pop();
                self.call_sites.pop();
                out
            }
            _ => self.error(Code::TypeMismatch, format!("{} is not a function", f.type_name()), at, "called here"),
        }
    }

    /// `image("svc")`: the pinned image reference from the versions file.
    fn image(&mut self, arg: &Value, at: Loc) -> Value {
        let db = self.db;
        let V::Str(service) = &arg.v else {
            return self.error(
                Code::TypeMismatch,
                format!("`image` expects a service name, found {}", arg.type_name()),
                at,
                "not a String",
            );
        };
        if service.is_empty() {
            return self.error(
                Code::TypeMismatch,
                "`image` expects a service name, found an empty string",
                at,
                "empty name",
            );
        }
        let Some(s) = self.stack else {
            return self.error(
                Code::EvaluationError,
                "`image` needs a stack: it reads the tier's version",
                at,
                "outside any stack",
            );
        };
        let st = &self.platform.stacks[s];
        let tier = &self.platform.tiers[st.tier].name;
        let file = &self.platform.manifest.versions;
        let versions = versions(db, self.project);
        if versions.0.broken || versions.0.invalid.contains(service.as_ref() as &str) {
            return Value::error(); // the versions file's own error is the root cause
        }
        if !versions.0.present {
            let d = Diag::new(
                Code::VersionMissing,
                format!("the versions file `{file}` does not exist"),
                at,
                "needs the versions file",
            )
            .with_help(format!(
                "create `{file}` with `{service} = \"registry/{service}:TAG\"` (CI normally writes it)"
            ));
            self.report(d);
            return Value::error();
        }
        match versions.0.image(service, tier) {
            None => {
                let d = Diag::new(
                    Code::VersionMissing,
                    format!("no image version for `{service}` in stack `{}` (tier {tier}) in `{file}`", st.name),
                    at,
                    "no entry in the versions file",
                )
                .with_help(format!(
                    "add `{service} = \"registry/{service}:TAG\"` to `{file}`, or under `[{tier}]` for this tier only"
                ));
                self.report(d);
                Value::error()
            }
            Some((image, _)) if !builtins::is_image_ref(image) || !builtins::is_pinned(image) => {
                let why = if builtins::is_image_ref(image) {
                    "is not pinned (use a tag other than `latest`, or a digest)"
                } else {
                    "is not a valid image reference"
                };
                let d = Diag::new(
                    Code::VersionMissing,
                    format!("the version of `{service}` for stack `{}` in `{file}` {why}: `{image}`", st.name),
                    at,
                    "read from the versions file",
                )
                .with_help(format!("write e.g. `{service} = \"ghcr.io/acme/{service}:1.4.2\"` in `{file}`"));
                self.report(d);
                Value::error()
            }
            Some((image, _)) => Value::str(image.as_str(), Some(at)).labelled(&arg.labels),
        }
    }

    /// `a op r`, `a` already evaluated.
    fn eval_binary(&mut self, op: BinaryOp, a: Value, r: &Expr, env: &Env, at: Loc) -> Value {
        match op {
            BinaryOp::And | BinaryOp::Or => {
                let short = op == BinaryOp::Or;
                return match a.v {
                    V::Bool(b) if b == short => a,
                    V::Bool(_) => {
                        let b = self.eval(r, env);
                        match b.v {
                            V::Bool(_) | V::Error => b.labelled(&a.labels),
                            _ => self.type_error_binary(op, &a, &b, at),
                        }
                    }
                    V::Error => Value::error(),
                    _ => {
                        let b = Value::new(V::Bool(true), None);
                        self.type_error_binary(op, &a, &b, at)
                    }
                };
            }
            BinaryOp::Coalesce => {
                return match a.v {
                    V::None => self.eval(r, env).labelled(&a.labels),
                    _ => a,
                };
            }
            _ => {}
        }
        let b = self.eval(r, env);
        if a.is_error() || b.is_error() {
            return Value::error();
        }
        let labels = a.labels.union(&b.labels);
        let out = match op {
            BinaryOp::Eq => Some(V::Bool(builtins::values_equal(&a, &b))),
            BinaryOp::Ne => Some(V::Bool(!builtins::values_equal(&a, &b))),
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => compare(&a.v, &b.v).map(|ord| {
                V::Bool(match op {
                    BinaryOp::Lt => ord.is_lt(),
                    BinaryOp::Le => ord.is_le(),
                    BinaryOp::Gt => ord.is_gt(),
                    _ => ord.is_ge(),
                })
            }),
            _ => match arith(op, &a.v, &b.v) {
                Ok(v) => v,
                Err(ArithError::Eval(msg)) => return self.error(Code::EvaluationError, msg, at, "here"),
                Err(ArithError::Dimensions(msg)) => {
                    return self.error(Code::InvalidUnit, msg, at, "CPU and memory do not add up");
                }
            },
        };
        match out {
            Some(v) => Value { v, labels, origin: Some(at) },
            None => self.type_error_binary(op, &a, &b, at),
        }
    }

    fn type_error_binary(&mut self, op: BinaryOp, a: &Value, b: &Value, at: Loc) -> Value {
        self.error(
            Code::TypeMismatch,
            format!("`{}` cannot be applied to {} and {}", op.symbol(), a.type_name(), b.type_name()),
            at,
            format!("{} {} {}", a.type_name(), op.symbol(), b.type_name()),
        )
    }

    fn iterate(&mut self, c: &Comprehension, env: &Env) -> Option<(Vec<Env>, Labels)> {
        let coll = self.eval(&c.iter, env);
        let mut envs = Vec::new();
        let names: Vec<&str> = c.vars.iter().map(|v| v.name.as_str()).collect();
        match &coll.v {
            V::Error => return None,
            V::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    let e = match names.as_slice() {
                        [x] => env.bind(x, item.clone()),
                        [i_name, x] => env.bind(i_name, Value::new(V::Int(i as i64), None)).bind(x, item.clone()),
                        _ => return None,
                    };
                    envs.push(e);
                }
            }
            V::Record(r) => {
                for (k, v) in &r.fields {
                    let key = Value::str(k.as_str(), v.origin).labelled(&r.key_labels);
                    let e = match names.as_slice() {
                        [x] => env.bind(x, key),
                        [k_name, v_name] => env.bind(k_name, key).bind(v_name, v.clone()),
                        _ => return None,
                    };
                    envs.push(e);
                }
            }
            _ => {
                self.report(Diag::new(
                    Code::TypeMismatch,
                    format!("`for` iterates over a list or a map, found {}", coll.type_name()),
                    Loc::new(env.item, c.iter.span),
                    "not iterable",
                ));
                return None;
            }
        }
        let mut kept = Vec::with_capacity(envs.len());
        for e in envs {
            if self.steps >= MAX_STEPS {
                return None;
            }
            match &c.cond {
                None => kept.push(e),
                Some(cond) => {
                    let v = self.eval(cond, &e);
                    match self.condition(&v, "a comprehension filter", Loc::new(env.item, cond.span)) {
                        Some(true) => kept.push(e),
                        Some(false) => {}
                        None if v.is_error() => {}
                        None => return None,
                    }
                }
            }
        }
        Some((kept, coll.labels))
    }

    fn eval_list_comp(&mut self, c: &Comprehension, env: &Env, at: Loc) -> Value {
        let Some((envs, labels)) = self.iterate(c, env) else { return Value::error() };
        let mut items = Vec::with_capacity(envs.len());
        for e in &envs {
            if self.steps >= MAX_STEPS {
                return Value::error();
            }
            items.push(self.eval(&c.element, e).labelled(&labels));
        }
        Value::new(V::List(Arc::new(items)), Some(at))
    }

    fn eval_map_comp(&mut self, key: &Expr, c: &Comprehension, env: &Env, at: Loc) -> Value {
        let Some((envs, labels)) = self.iterate(c, env) else { return Value::error() };
        let mut fields = Fields::default();
        let mut key_labels = labels.clone();
        for e in &envs {
            let k = self.eval(key, e);
            key_labels = key_labels.union(&k.labels);
            let v = self.eval(&c.element, e).labelled(&labels);
            match &k.v {
                V::Str(s) => {
                    fields.insert(s.to_string(), v);
                }
                V::Error => return Value::error(),
                _ => {
                    return self.error(
                        Code::TypeMismatch,
                        format!("map keys must be strings, found {}", k.type_name()),
                        Loc::new(env.item, key.span),
                        "not a String",
                    );
                }
            }
        }
        Value::new(V::Record(Arc::new(Record { schema: None, fields, key_labels })), Some(at))
    }

    fn eval_match(&mut self, scrutinee: &Expr, arms: &[MatchArm], env: &Env, at: Loc) -> Value {
        let s = self.eval(scrutinee, env);
        if s.is_error() {
            return Value::error();
        }
        for arm in arms {
            if arm.patterns.iter().any(|p| self.pattern_matches(p, &s)) {
                return self.eval(&arm.body, env).labelled(&s.labels);
            }
        }
        // A match with no arm for its value never drops a field silently: it is
        // an error naming the value, at the `match` (where the static check, when
        // it could decide, reported the same problem: the two are one root cause).
        let shown = match &s.v {
            V::Tier(t) => format!("tier `{}`", self.platform.tiers[*t].name),
            V::Region(r) => format!("region `{}`", self.platform.regions[*r].name),
            V::Stack(st) => format!("stack `{}`", self.platform.stacks[*st].name),
            V::Str(x) => format!("`\"{}\"`", crate::diagnostics::shorten(x, 60)),
            _ => match builtins::display(&s) {
                Ok(text) => format!("`{}`", crate::diagnostics::shorten(&text, 60)),
                Err(_) => format!("a {}", s.type_name()),
            },
        };
        let head = Loc::new(at.item, crate::check::head_span(at.span, scrutinee));
        let d = Diag::new(
            Code::NonExhaustiveMatch,
            format!("no arm of this `match` matches {shown} in {}", self.stack_desc()),
            head,
            format!("nothing matches {shown}"),
        )
        .with_help("add an arm for it, or `_ => …`");
        self.report(d);
        Value::error()
    }

    fn pattern_matches(&self, p: &Pattern, v: &Value) -> bool {
        match (p, &v.v) {
            (Pattern::Wildcard(_), _) => true,
            (Pattern::Name(n), V::Tier(t)) => self.platform.tiers[*t].name == n.name,
            (Pattern::Name(n), V::Region(r)) => self.platform.regions[*r].name == n.name,
            (Pattern::Name(n), V::Stack(s)) => self.platform.stacks[*s].name == n.name,
            (Pattern::Str(s, _), V::Str(x)) => **x == **s,
            (Pattern::Int(i, _), V::Int(x)) => i == x,
            (Pattern::Bool(b, _), V::Bool(x)) => b == x,
            _ => false,
        }
    }

    /// Checks a value against a type, converting where the type decides (unit literals, maps to schemas).
    pub fn conform(&mut self, value: Value, ty: &Ty, at: Loc) -> Value {
        super::conform::conform(self, value, ty, at)
    }

    /// A condition's truth; `None` (reported unless it is already an error) when it is not a `Bool`.
    pub fn condition(&mut self, v: &Value, what: &str, at: Loc) -> Option<bool> {
        match v.v {
            V::Bool(b) => Some(b),
            V::Error => None,
            _ => {
                let found = v.type_name();
                self.report(Diag::new(
                    Code::TypeMismatch,
                    format!("{what} must be `Bool`, found {found}"),
                    at,
                    "not a Bool",
                ));
                None
            }
        }
    }

    /// Whether evaluating `key` now would close a cycle; if so, reports it at `at`.
    /// Callers check this before calling an evaluation query, so salsa never sees a cycle.
    fn closes_cycle(&mut self, key: (ItemId, Option<ItemId>), at: Loc) -> bool {
        match cycle_path(key) {
            Some(path) => {
                let d = cycle_diag(self.db, &path, at);
                self.report(d);
                true
            }
            None => false,
        }
    }
}

fn compare(a: &V, b: &V) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (V::Int(x), V::Int(y)) => Some(x.cmp(y)),
        (V::Int(x), V::Float(y)) => (*x as f64).partial_cmp(y),
        (V::Float(x), V::Int(y)) => x.partial_cmp(&(*y as f64)),
        (V::Float(x), V::Float(y)) => x.partial_cmp(y),
        (V::Str(x), V::Str(y)) => Some(x.cmp(y)),
        (V::Quantity(x), V::Quantity(y)) => x.value.partial_cmp(&y.value),
        (V::Duration(x), V::Duration(y)) => Some(x.cmp(y)),
        (V::Percent(x), V::Percent(y)) => x.partial_cmp(y),
        _ => None,
    }
}

/// Why an operator failed on values of fitting shapes.
enum ArithError {
    /// Overflow, division by zero.
    Eval(String),
    /// Quantities of different dimensions (CPU and memory).
    Dimensions(String),
}

fn arith(op: BinaryOp, a: &V, b: &V) -> Result<Option<V>, ArithError> {
    use BinaryOp::*;
    let overflow = || ArithError::Eval(format!("integer overflow in `{}`", op.symbol()));
    Ok(Some(match (op, a, b) {
        (Add, V::Int(x), V::Int(y)) => V::Int(x.checked_add(*y).ok_or_else(overflow)?),
        (Sub, V::Int(x), V::Int(y)) => V::Int(x.checked_sub(*y).ok_or_else(overflow)?),
        (Mul, V::Int(x), V::Int(y)) => V::Int(x.checked_mul(*y).ok_or_else(overflow)?),
        (Div | Rem, V::Int(_), V::Int(0)) => return Err(ArithError::Eval("division by zero".into())),
        (Div, V::Int(x), V::Int(y)) => V::Int(x.checked_div(*y).ok_or_else(overflow)?),
        (Rem, V::Int(x), V::Int(y)) => V::Int(x.checked_rem(*y).ok_or_else(overflow)?),
        (Add | Sub | Mul | Div, V::Int(_) | V::Float(_), V::Int(_) | V::Float(_)) => {
            let (x, y) = (as_f64(a), as_f64(b));
            if op == Div && y == 0.0 {
                return Err(ArithError::Eval("division by zero".into()));
            }
            V::Float(match op {
                Add => x + y,
                Sub => x - y,
                Mul => x * y,
                _ => x / y,
            })
        }
        (Add, V::Str(x), V::Str(y)) => V::Str(format!("{x}{y}").into()),
        (Add, V::List(x), V::List(y)) => V::List(Arc::new(x.iter().chain(y.iter()).cloned().collect())),
        (Add, V::Record(x), V::Record(y)) => {
            let mut fields = x.fields.clone();
            for (k, v) in &y.fields {
                fields.insert(k.clone(), v.clone());
            }
            V::Record(Arc::new(Record { schema: None, fields, key_labels: x.key_labels.union(&y.key_labels) }))
        }
        (Add | Sub, V::Quantity(x), V::Quantity(y)) => {
            let Some(dim) = x.dim.join(y.dim) else {
                return Err(ArithError::Dimensions(format!(
                    "`{}` cannot combine {} (`{}`) with {} (`{}`)",
                    op.symbol(),
                    x.dim.describe(),
                    x.text,
                    y.dim.describe(),
                    y.text
                )));
            };
            let v = if op == Add { x.value + y.value } else { x.value - y.value };
            V::Quantity(quantity_from_value(v, dim))
        }
        (Mul, V::Quantity(x), V::Int(n)) | (Mul, V::Int(n), V::Quantity(x)) => {
            V::Quantity(quantity_from_value(x.value * *n as f64, x.dim))
        }
        (Add, V::Duration(x), V::Duration(y)) => V::Duration(x.saturating_add(*y)),
        (Sub, V::Duration(x), V::Duration(y)) => V::Duration(x.saturating_sub(*y)),
        (Mul, V::Duration(x), V::Int(n)) | (Mul, V::Int(n), V::Duration(x)) => V::Duration(x.saturating_mul(*n)),
        (Add, V::Percent(x), V::Percent(y)) => V::Percent(x + y),
        (Sub, V::Percent(x), V::Percent(y)) => V::Percent(x - y),
        _ => return Ok(None),
    }))
}

fn as_f64(v: &V) -> f64 {
    match v {
        V::Int(i) => *i as f64,
        V::Float(f) => *f,
        _ => 0.0,
    }
}

/// A quantity computed by arithmetic, printed in the most natural unit of its
/// dimension (binary suffixes only for bytes, milli only for fractions).
fn quantity_from_value(v: f64, dim: crate::ty::Dim) -> Quantity {
    let text = if v.fract() == 0.0 {
        let i = v as i64;
        let units = [("Gi", 1i64 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)];
        units
            .iter()
            .filter(|_| dim != crate::ty::Dim::Cores)
            .find(|(_, m)| i != 0 && i % m == 0)
            .map(|(u, m)| format!("{}{u}", i / m))
            .unwrap_or_else(|| i.to_string())
    } else {
        format!("{}m", (v * 1000.0).round() as i64)
    };
    Quantity { value: v, text: text.into(), milli_suffix: false, dim }
}
