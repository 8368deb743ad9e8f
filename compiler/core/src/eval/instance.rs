//! Schema instances: resources, services, the platform block and record
//! literals typed by a schema. Fields are evaluated lazily, in any order,
//! with cycles reported instead of followed.

use crate::eval::value::{Fields, FxIndexMap};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use sinfra_syntax::ast::{Body, Expr, ItemKind, Member};

use super::ctx::{Ctx, Env};
use super::value::{Record, V, Value};
use crate::diagnostics::Code;
use crate::items::{ItemId, ItemSyntax, ItemTag, item_syntax};
use crate::loc::{Diag, Loc};
use crate::signatures::{MemberRef, SchemaDef, schema_def};
use crate::ty::Ty;

enum Slot {
    /// A member expression not evaluated yet.
    Expr { code: MemberRef, syntax: Arc<ItemSyntax>, ty: Ty },
    /// A value given by a record literal, not checked yet.
    Given(Value, Ty),
    /// Being evaluated: reaching it again is a cycle.
    InProgress,
    /// Evaluated.
    Done(Value),
}

/// An instance under construction.
pub struct Instance {
    slots: FxIndexMap<String, Slot>,
    /// Output fields, in order (lets excluded).
    fields: Vec<String>,
    /// The last `self` built, with the number of evaluated slots it was built at:
    /// templates read `self` many times while `manifests` is computed.
    self_cache: Option<(usize, Value)>,
}

/// The body of an item that has one.
fn body_of(syntax: &ItemSyntax) -> Option<&Body> {
    match &syntax.ast.kind {
        ItemKind::Schema(d) => Some(&d.body),
        ItemKind::Resource(d) | ItemKind::Service(d) => Some(&d.body),
        ItemKind::Platform(b) => Some(b),
        ItemKind::Policy(p) => Some(&p.body),
        _ => None,
    }
}

fn member_expr(syntax: &ItemSyntax, index: usize) -> Option<&Expr> {
    match body_of(syntax)?.members.get(index)? {
        Member::Assign(a) => Some(&a.value),
        Member::FieldDecl(f) => f.default.as_ref(),
        Member::Let(l, _) => Some(&l.value),
        _ => None,
    }
}

impl Instance {
    /// The value of field or let `name`, if the instance has one.
    pub fn lookup(this: &Rc<RefCell<Instance>>, name: &str, ctx: &mut Ctx<'_>, at: Loc) -> Option<Value> {
        if !this.borrow().slots.contains_key(name) {
            return None;
        }
        Some(Instance::force(this, name, ctx, at))
    }

    fn force(this: &Rc<RefCell<Instance>>, name: &str, ctx: &mut Ctx<'_>, at: Loc) -> Value {
        let slot = {
            let mut inst = this.borrow_mut();
            let Some(slot) = inst.slots.get_mut(name) else { return Value::error() };
            match slot {
                Slot::Done(v) => return v.clone(),
                Slot::InProgress => {
                    drop(inst);
                    ctx.report(
                        Diag::new(
                            Code::Cycle,
                            format!("field `{name}` depends on itself"),
                            at,
                            "this use closes the cycle",
                        )
                        .with_help("compute one of the fields from values that do not depend on it"),
                    );
                    return Value::error();
                }
                _ => std::mem::replace(slot, Slot::InProgress),
            }
        };
        let value = match slot {
            Slot::Expr { code, syntax, ty } => match member_expr(&syntax, code.index) {
                Some(expr) => {
                    let env = Env { item: code.owner, locals: None, instance: Some(this.clone()) };
                    let v = ctx.eval(expr, &env);
                    ctx.conform(v, &ty, Loc::new(code.owner, expr.span))
                }
                None => Value::error(),
            },
            Slot::Given(v, ty) => {
                let at = v.origin.unwrap_or(at);
                ctx.conform(v, &ty, at)
            }
            Slot::InProgress | Slot::Done(_) => Value::error(),
        };
        if let Some(slot) = this.borrow_mut().slots.get_mut(name) {
            *slot = Slot::Done(value.clone());
        }
        value
    }

    /// The names of its fields and lets.
    pub fn names(this: &Rc<RefCell<Instance>>) -> Vec<String> {
        this.borrow().slots.keys().cloned().collect()
    }

    /// `self`: the fields evaluated so far and those not in progress.
    pub fn self_record(this: &Rc<RefCell<Instance>>, ctx: &mut Ctx<'_>, at: Loc) -> Value {
        let done = this.borrow().done_count();
        if let Some((n, v)) = &this.borrow().self_cache
            && *n == done
        {
            return v.clone();
        }
        let names: Vec<String> = this.borrow().fields.clone();
        let mut fields = Fields::default();
        for name in names {
            if matches!(this.borrow().slots.get(&name), Some(Slot::InProgress)) {
                continue;
            }
            fields.insert(name.clone(), Instance::force(this, &name, ctx, at));
        }
        let value = Value::new(V::Record(Arc::new(Record::plain(fields))), Some(at));
        let done = this.borrow().done_count();
        this.borrow_mut().self_cache = Some((done, value.clone()));
        value
    }

    fn done_count(&self) -> usize {
        self.slots.values().filter(|s| matches!(s, Slot::Done(_))).count()
    }
}

/// Builds and evaluates an instance of `schema`: fields come from `body`
/// (an instance item's assignments), from `given` (a record literal), or
/// from the schema's defaults.
pub fn instantiate(
    ctx: &mut Ctx<'_>,
    schema: ItemId,
    body: Option<(ItemId, Arc<ItemSyntax>)>,
    given: Fields,
    at: Loc,
    lazy: Option<&str>,
    done: Option<&Record>,
) -> Value {
    let db = ctx.db;
    let def: Arc<SchemaDef> = schema_def(db, ctx.project, schema).clone();
    let mut slots = FxIndexMap::default();
    let mut fields = Vec::new();
    let mut assigned: FxIndexMap<String, MemberRef> = FxIndexMap::default();
    let mut body_lets: Vec<(String, MemberRef)> = Vec::new();
    if let Some((item, syntax)) = &body
        && let Some(b) = body_of(syntax)
    {
        for (i, m) in b.members.iter().enumerate() {
            match m {
                Member::Assign(a) => {
                    assigned.insert(a.name.name.clone(), MemberRef { owner: *item, index: i });
                }
                Member::Let(l, _) => body_lets.push((l.name.name.clone(), MemberRef { owner: *item, index: i })),
                _ => {}
            }
        }
    }
    let mut missing = Vec::new();
    for (name, field) in &def.fields {
        fields.push(name.clone());
        let slot = if let Some(v) = done.and_then(|d| d.fields.get(name)) {
            Slot::Done(v.clone())
        } else if let Some(v) = given.get(name) {
            Slot::Given(v.clone(), field.ty.clone())
        } else if let Some(code) = assigned.get(name) {
            let syntax = body.as_ref().map(|(_, s)| s.clone()).unwrap_or_else(|| item_syntax(db, code.owner).clone());
            Slot::Expr { code: *code, syntax, ty: field.ty.clone() }
        } else if let Some(code) = field.default {
            Slot::Expr { code, syntax: item_syntax(db, code.owner).clone(), ty: field.ty.clone() }
        } else if field.ty.is_optional() {
            Slot::Done(Value::new(V::None, None))
        } else {
            missing.push(name.clone());
            Slot::Done(Value::error())
        };
        slots.insert(name.clone(), slot);
    }
    let all_lets = def.lets.iter().copied().chain(body_lets.iter().map(|(_, c)| *c));
    for code in all_lets {
        let syntax = item_syntax(db, code.owner).clone();
        if let Some(Member::Let(l, _)) = body_of(&syntax).and_then(|b| b.members.get(code.index)) {
            let ty = match &l.ty {
                Some(t) => {
                    let scope = ctx.scope(code.owner);
                    crate::resolve::lower_type(db, &scope, code.owner, t, &mut Vec::new())
                }
                None => Ty::Any,
            };
            slots.insert(l.name.name.clone(), Slot::Expr { code, syntax: syntax.clone(), ty });
        }
    }
    // Unknown fields of a record literal (an instance body's are reported by the static check).
    for (name, v) in &given {
        if !def.fields.contains_key(name) {
            let loc = v.origin.unwrap_or(at);
            let key = record_key_span(db, loc).unwrap_or(loc.span);
            ctx.report(crate::signatures::unknown_field(db, loc.item, &def, name, key));
        }
    }
    if !missing.is_empty() && body.is_none() {
        let list = missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ");
        ctx.report(
            Diag::new(
                Code::MissingField,
                format!("missing required field {list} of `{}`", schema.name(db)),
                at,
                "incomplete record",
            )
            .with_help(format!("set {list}")),
        );
    }
    let this = Rc::new(RefCell::new(Instance { slots, fields: fields.clone(), self_cache: None }));
    let mut out = Fields::with_capacity(fields.len());
    for name in &fields {
        if lazy == Some(name.as_str()) {
            continue;
        }
        let v = Instance::force(&this, name, ctx, at);
        out.insert(name.clone(), v);
    }
    if done.is_none() {
        run_checks(ctx, &this, &def.checks, at, None);
    }
    Value::new(
        V::Record(Arc::new(Record { schema: Some(schema), fields: out, key_labels: Default::default() })),
        Some(at),
    )
}

/// The span of the key of the record entry whose value is at `value` (error path only:
/// values do not carry their keys' spans).
pub(crate) fn record_key_span(db: &dyn crate::db::Db, value: Loc) -> Option<sinfra_syntax::Span> {
    use sinfra_syntax::ast::{ExprKind, RecordKey};
    let syntax = item_syntax(db, value.item);
    let mut stack: Vec<&Expr> = Vec::new();
    if let Some(b) = body_of(syntax) {
        for m in &b.members {
            match m {
                Member::Assign(a) => stack.push(&a.value),
                Member::FieldDecl(f) => stack.extend(f.default.as_ref()),
                Member::Let(l, _) => stack.push(&l.value),
                Member::Check(c) => stack.push(&c.cond),
                Member::Error(_) => {}
            }
        }
    }
    if let ItemKind::Fn(f) = &syntax.ast.kind {
        stack.push(&f.body);
    }
    if let ItemKind::Let(l) = &syntax.ast.kind {
        stack.push(&l.value);
    }
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::Record(entries) => {
                for en in entries {
                    if en.value.span == value.span {
                        return Some(match &en.key {
                            RecordKey::Ident(i) => i.span,
                            RecordKey::Str(_, s) => *s,
                        });
                    }
                    stack.push(&en.value);
                }
            }
            ExprKind::List(items) => stack.extend(items.iter()),
            ExprKind::Call(f, args) => {
                stack.push(f);
                stack.extend(args.iter());
            }
            ExprKind::If(a, b, c) => stack.extend([&**a, &**b, &**c]),
            ExprKind::Match(s, arms) => {
                stack.push(s);
                stack.extend(arms.iter().map(|a| &a.body));
            }
            ExprKind::Let(d, b) => stack.extend([&d.value, &**b]),
            ExprKind::Binary(_, a, b) | ExprKind::Index(a, b) => stack.extend([&**a, &**b]),
            ExprKind::Unary(_, a) | ExprKind::Field(a, _) | ExprKind::At(a, _) => stack.push(a),
            ExprKind::ListComp(c) => stack.extend([&c.element, &c.iter]),
            ExprKind::MapComp(k, c) => stack.extend([&**k, &c.element, &c.iter]),
            _ => {}
        }
    }
    None
}

/// Evaluates `check` members; failures are reported at `at` with the check as a secondary label.
fn run_checks(
    ctx: &mut Ctx<'_>,
    this: &Rc<RefCell<Instance>>,
    checks: &[MemberRef],
    at: Loc,
    policy: Option<(ItemId, ItemId)>,
) {
    let db = ctx.db;
    for code in checks {
        let syntax = item_syntax(db, code.owner).clone();
        let Some(Member::Check(check)) = body_of(&syntax).and_then(|b| b.members.get(code.index)) else { continue };
        let env = Env { item: code.owner, locals: None, instance: Some(this.clone()) };
        let cond = ctx.eval(&check.cond, &env);
        // A check that cannot be evaluated (`None`) never passes silently: every
        // failed evaluation reports its cause (an unknown name or field, a type error).
        if ctx.condition(&cond, "a `check` condition", Loc::new(code.owner, check.cond.span)) != Some(false) {
            continue;
        }
        let message = match &check.message {
            Some(m) => {
                let v = ctx.eval(m, &env);
                super::builtins::display(&v).unwrap_or_default()
            }
            None => "check failed".to_string(),
        };
        let check_at = Loc::new(code.owner, check.cond.span);
        let d = match policy {
            Some((policy, service)) => Diag::new(
                Code::PolicyViolation,
                format!(
                    "policy `{}` fails for service `{}` in {}: {message}",
                    policy.name(db),
                    service.name(db),
                    ctx.stack_desc()
                ),
                at,
                message.clone(),
            )
            .with_label(check_at, "the policy's check"),
            None => Diag::new(Code::CheckFailed, format!("check failed: {message}"), at, message.clone())
                .with_label(check_at, "this check does not hold")
                .with_note(format!("in {}", ctx.stack_desc())),
        };
        ctx.report(d);
    }
}

/// Evaluates a resource or service item in the context's stack; its
/// `manifests` only when `with_manifests` (rendering them is the costly part,
/// and only `build` needs them).
pub fn eval_instance_item(ctx: &mut Ctx<'_>, item: ItemId, with_manifests: bool) -> Value {
    let db = ctx.db;
    let syntax = item_syntax(db, item).clone();
    let (ItemKind::Resource(decl) | ItemKind::Service(decl)) = &syntax.ast.kind else { return Value::error() };
    let scope = ctx.scope(item);
    let Ok(schema) = scope.path_item(&decl.schema) else { return Value::error() };
    if schema.tag(db) != ItemTag::Schema {
        return Value::error();
    }
    ctx.name = Some(item.name(db).replace('_', "-").into());
    ctx.instance_item = Some(item);
    let tier_protected = ctx.stack.is_some_and(|s| ctx.platform.tiers[ctx.platform.stacks[s].tier].protected);
    ctx.protected = decl.protected || tier_protected;
    let at = Loc::new(item, decl.name.span);
    if with_manifests {
        // Reuse the fields `check` evaluated (and checked): only `manifests` and the lets it reads run here.
        let stack = ctx.stack.map(|s| ctx.platform.stacks[s].item);
        let fields = super::instance_value(db, ctx.project, item, stack).clone();
        if let V::Record(r) = &fields.value.v {
            return instantiate(ctx, schema, Some((item, syntax.clone())), Fields::default(), at, None, Some(r));
        }
        return Value::error();
    }
    instantiate(ctx, schema, Some((item, syntax.clone())), Fields::default(), at, Some(crate::check::MANIFESTS), None)
}

/// Evaluates the `platform` block as an instance of the prelude's `Platform` schema.
pub fn eval_platform(ctx: &mut Ctx<'_>, item: ItemId) -> Value {
    let db = ctx.db;
    let Some(schema) = ctx.index.global("Platform").filter(|s| s.tag(db) == ItemTag::Schema) else {
        return Value::error();
    };
    let syntax = item_syntax(db, item).clone();
    ctx.name = Some(ctx.platform.manifest.name.clone().into());
    let at = Loc::new(item, crate::platform::keyword_span(db, item));
    instantiate(ctx, schema, Some((item, syntax)), Fields::default(), at, None, None)
}

/// Evaluates `policy`'s checks against `service` in the context's stack.
pub fn eval_policy(ctx: &mut Ctx<'_>, policy: ItemId, service: ItemId) {
    let db = ctx.db;
    let syntax = item_syntax(db, policy).clone();
    let ItemKind::Policy(decl) = &syntax.ast.kind else { return };
    let scope = ctx.scope(policy);
    let service_syntax = item_syntax(db, service).clone();
    let ItemKind::Service(sdecl) = &service_syntax.ast.kind else { return };
    if let Some(path) = &decl.schema {
        let Ok(wanted) = scope.path_item(path) else { return };
        let service_scope = ctx.scope(service);
        let Ok(actual) = service_scope.path_item(&sdecl.schema) else { return };
        if actual.tag(db) != ItemTag::Schema || !schema_def(db, ctx.project, actual).extends(wanted) {
            return;
        }
    }
    let stack = ctx.stack.map(|s| ctx.platform.stacks[s].item);
    // A policy that reads `manifests` — directly, as `self.manifests`, or through a
    // helper it hands `self` to — sees the output documents: they are evaluated for
    // it (the fields alone are memoized and cheaper).
    let mut names = Vec::new();
    crate::check::referenced_names(&syntax.ast, &mut names);
    let wants_output = names.iter().any(|n| n == crate::check::MANIFESTS || n == "self");
    let evaluated = match stack {
        Some(s) if wants_output => Arc::new(super::instance_output_value(db, ctx.project, service, s)),
        _ => super::instance_value(db, ctx.project, service, stack).clone(),
    };
    let V::Record(record) = &evaluated.value.v else { return };
    let mut slots = FxIndexMap::default();
    for (k, v) in &record.fields {
        slots.insert(k.clone(), Slot::Done(v.clone()));
    }
    ctx.name = Some(service.name(db).replace('_', "-").into());
    ctx.instance_item = Some(service); // problems name the service the policy was checking
    let mut checks = Vec::new();
    for (i, m) in decl.body.members.iter().enumerate() {
        match m {
            Member::Let(l, _) => {
                slots.insert(
                    l.name.name.clone(),
                    Slot::Expr { code: MemberRef { owner: policy, index: i }, syntax: syntax.clone(), ty: Ty::Any },
                );
            }
            Member::Check(_) => checks.push(MemberRef { owner: policy, index: i }),
            _ => {}
        }
    }
    let this =
        Rc::new(RefCell::new(Instance { slots, fields: record.fields.keys().cloned().collect(), self_cache: None }));
    let at = Loc::new(service, sdecl.name.span);
    run_checks(ctx, &this, &checks, at, Some((policy, service)));
}
