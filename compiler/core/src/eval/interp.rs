//! The expression evaluator: literals, strings, chains, conditionals,
//! comprehensions and `match`, on the HIR. Names, field access, calls and
//! operators have their own modules.

use std::sync::Arc;

use super::builtins::{self, UnitValue};
use super::ctx::{Ctx, Env};

/// How deep evaluation may nest before it is reported instead of overflowing
/// the stack. Chains (`a + b + …`, `a.b.c`, `else if`, `let … in let …`,
/// `!!x`) are evaluated in loops and count once, however long.
pub const MAX_DEPTH: u32 = 300;

/// How many expressions one query may evaluate: comprehensions over `range` can
/// multiply, and a compiler must answer rather than hang.
const MAX_STEPS: u64 = 5_000_000;

use super::instance::Instance;
use super::value::{Fields, Label, Labels, Record, V, Value};
use crate::diagnostics::Code;
use crate::hir::{BindingId, Comprehension, Expr, ExprId, ItemKind, MatchArm, Pat, StrPart};
use crate::items::ItemId;
use crate::loc::{Diag, Loc};

impl Ctx<'_> {
    /// Evaluates a top-level `let`'s value against its declared type.
    pub fn eval_let_item(&mut self, item: ItemId) -> Value {
        let env = self.env(item);
        let ItemKind::Let { ty, value } = &env.code.hir.kind else { return Value::error() };
        let v = self.eval(*value, &env);
        match ty {
            Some(t) => {
                let ty = env.code.types.get(*t).clone();
                self.conform(v, &ty, env.loc(*value))
            }
            None => v,
        }
    }

    /// Evaluates an expression.
    pub fn eval(&mut self, expr: ExprId, env: &Env) -> Value {
        self.steps += 1;
        if self.steps >= MAX_STEPS {
            if self.steps == MAX_STEPS {
                let at = env.loc(expr);
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
                    env.loc(expr),
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

    pub(super) fn eval_inner(&mut self, id: ExprId, env: &Env) -> Value {
        let at = env.loc(id);
        let origin = Some(at);
        match env.code.expr(id) {
            Expr::Int(i) => Value::new(V::Int(*i), origin),
            Expr::Float(f) => Value::new(V::Float(*f), origin),
            Expr::Bool(b) => Value::new(V::Bool(*b), origin),
            Expr::None => Value::new(V::None, origin),
            Expr::Unit { number, unit } => match builtins::unit_value(number, unit) {
                Some(UnitValue::Quantity(q)) => Value::new(V::Quantity(q), origin),
                Some(UnitValue::Duration(ms)) => Value::new(V::Duration(ms), origin),
                Some(UnitValue::Percent(p)) => Value::new(V::Percent(p), origin),
                None => Value::error(), // reported by the static check
            },
            Expr::Str(parts) => self.eval_string(parts, env, at),
            Expr::Local(b) => self.eval_local(*b, env, at),
            Expr::SelfRef => match &env.instance {
                Some(inst) => Instance::self_record(inst, self, at),
                None => self.error(
                    Code::UnknownName,
                    "`self` is only available in schemas and instances",
                    at,
                    "no instance here",
                ),
            },
            Expr::Super(name) => super::instance::eval_super(self, *name, env, id),
            Expr::Name(name) => self.eval_name(id, *name, env, at),
            Expr::Field(..) | Expr::Index(..) | Expr::Call(..) => self.eval_postfix_chain(id, env),
            Expr::At(base, sel) => {
                self.eval_at(*base, sel.as_str(), env, at, Loc::new(env.item, env.code.map.name_of(id)))
            }
            Expr::List(items) => {
                let items: Vec<Value> = items.iter().map(|e| self.eval(*e, env)).collect();
                Value::new(V::List(Arc::new(items)), origin)
            }
            Expr::Record(entries) => {
                let mut fields = Fields::with_capacity(entries.len());
                for entry in entries.iter() {
                    let v = self.eval(entry.value, env);
                    let key = entry.key;
                    if fields.contains_key(key) {
                        self.report(Diag::new(
                            Code::DuplicateDefinition,
                            format!("key `{key}` is set twice"),
                            Loc::new(env.item, env.code.map.key_span(entry.value)),
                            "set again here",
                        ));
                    }
                    fields.insert(key, v);
                }
                Value::new(V::Record(Arc::new(Record::plain(fields))), origin)
            }
            Expr::ListComp(c) => self.eval_list_comp(c, env, at),
            Expr::MapComp(key, c) => self.eval_map_comp(*key, c, env, at),
            Expr::Unary(..) => self.eval_unary_chain(id, env),
            Expr::Binary(..) => self.eval_binary_chain(id, env),
            Expr::If(..) => self.eval_if_chain(id, env),
            Expr::Match(scrutinee, arms) => self.eval_match(*scrutinee, arms, env, at),
            Expr::Let { .. } => self.eval_let_chain(id, env),
            Expr::Missing => Value::error(),
        }
    }

    fn eval_local(&mut self, binding: BindingId, env: &Env, at: Loc) -> Value {
        match env.local(binding) {
            Some(v) => v.clone(),
            // Bound by lowering and always set before its scope is evaluated: unreachable
            // unless the HIR and the evaluator disagree, which must not pass silently.
            None => self.error(
                Code::EvaluationError,
                format!("internal error: `{}` has no value here", env.code.hir.body[binding].name),
                at,
                "unbound local",
            ),
        }
    }

    /// `-x`, `!!x`: the operators are applied in a loop.
    pub(super) fn eval_unary_chain(&mut self, id: ExprId, env: &Env) -> Value {
        let mut ops = Vec::new();
        let mut cur = id;
        while let Expr::Unary(op, e) = env.code.expr(cur) {
            ops.push((*op, env.loc(cur)));
            cur = *e;
        }
        let mut v = self.eval(cur, env);
        for (op, at) in ops.into_iter().rev() {
            v = self.unary(op, v, at);
        }
        v
    }

    /// `a.b.c`, `f(x)(y)`, `xs[0][1]`: the base is evaluated, then each
    /// field, index or call is applied in a loop.
    pub(super) fn eval_postfix_chain(&mut self, id: ExprId, env: &Env) -> Value {
        let mut ops = Vec::new();
        let mut cur = id;
        while let Expr::Field(base, _) | Expr::Index(base, _) | Expr::Call(base, _) = env.code.expr(cur) {
            ops.push(cur);
            cur = *base;
        }
        let mut v = self.eval(cur, env);
        for op in ops.into_iter().rev() {
            self.steps += 1;
            let at = env.loc(op);
            v = match env.code.expr(op) {
                Expr::Field(_, field) => {
                    self.field(v, field.as_str(), Loc::new(env.item, env.code.map.name_of(op)), at)
                }
                Expr::Index(_, idx) => {
                    let i = self.eval(*idx, env);
                    self.index_value(v, i, at)
                }
                Expr::Call(_, args) => {
                    let args: Vec<Value> = args.iter().map(|a| self.eval(*a, env)).collect();
                    self.call(v, args, at)
                }
                _ => Value::error(),
            };
        }
        v
    }

    /// `a + b + c`, `a && b || c`: the left operands of a chain nest in the
    /// tree; they are evaluated in a loop, the right ones one level deeper.
    pub(super) fn eval_binary_chain(&mut self, id: ExprId, env: &Env) -> Value {
        let mut ops = Vec::new();
        let mut cur = id;
        while let Expr::Binary(op, l, r) = env.code.expr(cur) {
            ops.push((*op, *r, env.loc(cur)));
            cur = *l;
        }
        let mut v = self.eval(cur, env);
        for (op, r, at) in ops.into_iter().rev() {
            self.steps += 1;
            v = self.eval_binary(op, v, r, env, at);
        }
        v
    }

    /// `if a then x else if b then y else z`: the conditions are tried in a loop.
    pub(super) fn eval_if_chain(&mut self, id: ExprId, env: &Env) -> Value {
        let mut conds: Vec<Labels> = Vec::new();
        let mut cur = id;
        let mut v = loop {
            let Expr::If(c, a, b) = env.code.expr(cur) else { break self.eval(cur, env) };
            self.steps += 1;
            let cond = self.eval(*c, env);
            match self.condition(&cond, "an `if` condition", env.loc(*c)) {
                Some(true) => {
                    conds.push(cond.labels);
                    break self.eval(*a, env);
                }
                Some(false) => {
                    conds.push(cond.labels);
                    cur = *b;
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
    pub(super) fn eval_let_chain(&mut self, id: ExprId, env: &Env) -> Value {
        let mut env = env.clone();
        let mut cur = id;
        while let Expr::Let { binding, ty, value, body } = env.code.expr(cur) {
            self.steps += 1;
            let v = self.eval(*value, &env);
            let v = match ty {
                Some(t) => {
                    let ty = env.code.types.get(*t).clone();
                    self.conform(v, &ty, env.loc(*value))
                }
                None => v,
            };
            let (binding, body) = (*binding, *body);
            env = env.bind(binding, v);
            cur = body;
        }
        self.eval(cur, &env)
    }

    pub(super) fn eval_string(&mut self, parts: &[StrPart], env: &Env, at: Loc) -> Value {
        if let [StrPart::Text(t)] = parts {
            return Value::str(&**t, Some(at));
        }
        let mut out = String::new();
        let mut labels = Labels::default();
        for part in parts {
            match part {
                StrPart::Text(t) => out.push_str(t),
                StrPart::Interp(e) => {
                    let v = self.eval(*e, env);
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
                        labels = labels.union(&Labels::one(Label::Secret { origin: env.loc(*e) }));
                    } else {
                        labels = labels.union(&v.labels);
                    }
                    match builtins::display(&v) {
                        Ok(s) => out.push_str(&s),
                        Err(msg) => {
                            return self.error(Code::TypeMismatch, msg, env.loc(*e), "cannot be interpolated");
                        }
                    }
                }
            }
        }
        Value { v: V::Str(out.into()), labels, origin: Some(at) }
    }

    pub(super) fn iterate(&mut self, c: &Comprehension, env: &Env) -> Option<(Vec<Env>, Labels)> {
        let coll = self.eval(c.iter, env);
        let mut envs = Vec::new();
        match &coll.v {
            V::Error => return None,
            V::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    let e = match *c.vars {
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
                    let e = match *c.vars {
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
                    env.loc(c.iter),
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
            match c.cond {
                None => kept.push(e),
                Some(cond) => {
                    let v = self.eval(cond, &e);
                    match self.condition(&v, "a comprehension filter", env.loc(cond)) {
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

    pub(super) fn eval_list_comp(&mut self, c: &Comprehension, env: &Env, at: Loc) -> Value {
        let Some((envs, labels)) = self.iterate(c, env) else { return Value::error() };
        let mut items = Vec::with_capacity(envs.len());
        for e in &envs {
            if self.steps >= MAX_STEPS {
                return Value::error();
            }
            items.push(self.eval(c.element, e).labelled(&labels));
        }
        Value::new(V::List(Arc::new(items)), Some(at))
    }

    pub(super) fn eval_map_comp(&mut self, key: ExprId, c: &Comprehension, env: &Env, at: Loc) -> Value {
        let Some((envs, labels)) = self.iterate(c, env) else { return Value::error() };
        let mut fields = Fields::default();
        let mut key_labels = labels.clone();
        for e in &envs {
            let k = self.eval(key, e);
            key_labels = key_labels.union(&k.labels);
            let v = self.eval(c.element, e).labelled(&labels);
            match &k.v {
                V::Str(s) => {
                    fields.insert(s.to_string(), v);
                }
                V::Error => return Value::error(),
                _ => {
                    return self.error(
                        Code::TypeMismatch,
                        format!("map keys must be strings, found {}", k.type_name()),
                        env.loc(key),
                        "not a String",
                    );
                }
            }
        }
        Value::new(V::Record(Arc::new(Record { schema: None, fields, key_labels })), Some(at))
    }

    pub(super) fn eval_match(&mut self, scrutinee: ExprId, arms: &[MatchArm], env: &Env, at: Loc) -> Value {
        let s = self.eval(scrutinee, env);
        if s.is_error() {
            return Value::error();
        }
        for arm in arms {
            if arm.pats.iter().any(|p| self.pattern_matches(&env.code.hir.body[*p], &s)) {
                return self.eval(arm.body, env).labelled(&s.labels);
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
        let head = Loc::new(at.item, sinfra_syntax::Span::new(at.span.start, env.code.map.expr(scrutinee).end));
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

    pub(super) fn pattern_matches(&self, p: &Pat, v: &Value) -> bool {
        match (p, &v.v) {
            (Pat::Wildcard, _) => true,
            (Pat::Name(n), V::Tier(t)) => self.platform.tiers[*t].name == n.as_str(),
            (Pat::Name(n), V::Region(r)) => self.platform.regions[*r].name == n.as_str(),
            (Pat::Name(n), V::Stack(s)) => self.platform.stacks[*s].name == n.as_str(),
            (Pat::Str(s), V::Str(x)) => **x == **s,
            (Pat::Int(i), V::Int(x)) => i == x,
            (Pat::Bool(b), V::Bool(x)) => b == x,
            _ => false,
        }
    }
}
