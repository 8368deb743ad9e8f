//! Schema instances: resources, services, the platform block and record
//! literals typed by a schema. Fields are evaluated lazily, in any order,
//! with cycles reported instead of followed.

use crate::eval::value::{Fields, FxIndexMap};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use super::ctx::{Ctx, Env, ItemCode};
use super::value::{Record, V, Value};
use crate::diagnostics::Code;
use crate::hir::{Expr, ExprId, ItemKind, Member, Name, item_hir, item_source_map};
use crate::items::{ItemId, ItemTag};
use crate::loc::{Diag, Loc};
use crate::signatures::{MemberRef, SchemaDef, schema_def};
use crate::ty::Ty;

enum Slot {
    /// A member expression not evaluated yet.
    Expr { code: MemberRef, ty: Ty },
    /// A value given by a record literal, not checked yet.
    Given(Value, Ty),
    /// Being evaluated: reaching it again is a cycle.
    InProgress,
    /// Evaluated.
    Done(Value),
}

/// An instance under construction.
pub struct Instance {
    slots: FxIndexMap<Name, Slot>,
    /// Output fields, in order (lets excluded).
    fields: Vec<Name>,
    /// The schema it is an instance of (`self` is typed by it).
    schema: Option<ItemId>,
    /// The last `self` built, with the number of evaluated slots it was built at:
    /// templates read `self` many times while `manifests` is computed.
    self_cache: Option<(usize, Value)>,
}

/// The expression of a member: an assignment's value, a field's default, a `let`'s value.
fn member_expr(code: &ItemCode, index: usize) -> Option<ExprId> {
    let id = *code.hir.kind.members().get(index)?;
    match &code.hir.body[id] {
        Member::Assign { value, .. } | Member::Let { value, .. } => Some(*value),
        Member::Field { default, .. } => *default,
        _ => None,
    }
}

impl Instance {
    /// The value of field or let `name`, if the instance has one.
    pub fn lookup(this: &Rc<RefCell<Instance>>, name: Name, ctx: &mut Ctx<'_>, at: Loc) -> Option<Value> {
        if !this.borrow().slots.contains_key(&name) {
            return None;
        }
        Some(Instance::force(this, name, ctx, at))
    }

    fn force(this: &Rc<RefCell<Instance>>, name: Name, ctx: &mut Ctx<'_>, at: Loc) -> Value {
        let slot = {
            let mut inst = this.borrow_mut();
            let Some(slot) = inst.slots.get_mut(&name) else { return Value::error() };
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
            Slot::Expr { code, ty } => {
                let item_code = ctx.code(code.owner);
                match member_expr(&item_code, code.index) {
                    Some(expr) => {
                        let at = item_code.loc(expr);
                        let env = Env { item: code.owner, code: item_code, locals: None, instance: Some(this.clone()) };
                        let v = ctx.eval(expr, &env);
                        ctx.conform(v, &ty, at)
                    }
                    None => Value::error(),
                }
            }
            Slot::Given(v, ty) => {
                let at = v.origin.unwrap_or(at);
                ctx.conform(v, &ty, at)
            }
            Slot::InProgress | Slot::Done(_) => Value::error(),
        };
        if let Some(slot) = this.borrow_mut().slots.get_mut(&name) {
            *slot = Slot::Done(value.clone());
        }
        value
    }

    /// The names of its fields and lets.
    pub fn names(this: &Rc<RefCell<Instance>>) -> Vec<String> {
        this.borrow().slots.keys().map(|k| k.to_string()).collect()
    }

    /// `self`: the fields evaluated so far and those not in progress.
    pub fn self_record(this: &Rc<RefCell<Instance>>, ctx: &mut Ctx<'_>, at: Loc) -> Value {
        let done = this.borrow().done_count();
        if let Some((n, v)) = &this.borrow().self_cache
            && *n == done
        {
            return v.clone();
        }
        let names: Vec<Name> = this.borrow().fields.clone();
        let mut fields = Fields::default();
        for name in names {
            if matches!(this.borrow().slots.get(&name), Some(Slot::InProgress)) {
                continue;
            }
            fields.insert(name, Instance::force(this, name, ctx, at));
        }
        let schema = this.borrow().schema;
        let record = Record { schema, fields, key_labels: Default::default() };
        let value = Value::new(V::Record(Arc::new(record)), Some(at));
        let done = this.borrow().done_count();
        this.borrow_mut().self_cache = Some((done, value.clone()));
        value
    }

    fn done_count(&self) -> usize {
        self.slots.values().filter(|s| matches!(s, Slot::Done(_))).count()
    }
}

/// `super.name` in `env`: the base schema's member for `name` evaluated on the
/// same instance (same fields, same stack), conformed to the base's field type.
pub fn eval_super(ctx: &mut Ctx<'_>, name: Name, env: &Env, id: ExprId) -> Value {
    let at = env.loc(id);
    let found = crate::super_field::base_field(ctx.db, ctx.project, env.item, name.as_str());
    let (base, instance) = match (found, env.instance.clone()) {
        (Ok(base), Some(instance)) => (base, instance),
        (found, _) => {
            // Reported by the static check at the same place too (one root cause).
            let err = found.err().unwrap_or(crate::super_field::SuperError::NotInSchema);
            let name_at = Loc::new(env.item, env.code.map.name_of(id));
            let d = err.diagnostic(ctx.db, name.as_str(), at, name_at);
            ctx.report(d);
            return Value::error();
        }
    };
    let Some(member) = base.value else { return Value::new(V::None, Some(at)) };
    let owner = ctx.code(member.owner);
    let Some(expr) = member_expr(&owner, member.index) else { return Value::error() };
    let value_at = owner.loc(expr);
    let base_env = Env { item: member.owner, code: owner, locals: None, instance: Some(instance) };
    let v = ctx.eval(expr, &base_env);
    ctx.conform(v, &base.field.ty, value_at)
}

/// Builds and evaluates an instance of `schema`: fields come from `body`
/// (an instance item's assignments), from `given` (a record literal), or
/// from the schema's defaults.
pub fn instantiate(
    ctx: &mut Ctx<'_>,
    schema: ItemId,
    body: Option<ItemId>,
    given: Fields,
    at: Loc,
    lazy: Option<Name>,
    done: Option<&Record>,
) -> Value {
    let db = ctx.db;
    let def: Arc<SchemaDef> = schema_def(db, ctx.project, schema).clone();
    let mut slots = FxIndexMap::default();
    let mut fields = Vec::new();
    let mut assigned: FxIndexMap<Name, MemberRef> = FxIndexMap::default();
    let mut body_lets: Vec<(Name, MemberRef)> = Vec::new();
    if let Some(item) = body {
        let hir = item_hir(db, item);
        for (i, &m) in hir.kind.members().iter().enumerate() {
            match &hir.body[m] {
                Member::Assign { name, .. } => {
                    assigned.insert(*name, MemberRef { owner: item, index: i });
                }
                Member::Let { name, .. } => body_lets.push((*name, MemberRef { owner: item, index: i })),
                _ => {}
            }
        }
    }
    let mut missing = Vec::new();
    for (&name, field) in def.field_names.iter().zip(def.fields.values()) {
        fields.push(name);
        let slot = if let Some(v) = done.and_then(|d| d.fields.get(name)) {
            Slot::Done(v.clone())
        } else if let Some(v) = given.get(name) {
            Slot::Given(v.clone(), field.ty.clone())
        } else if let Some(code) = assigned.get(&name) {
            Slot::Expr { code: *code, ty: field.ty.clone() }
        } else if let Some(code) = field.default {
            Slot::Expr { code, ty: field.ty.clone() }
        } else if field.ty.is_optional() {
            Slot::Done(Value::new(V::None, None))
        } else {
            missing.push(name);
            Slot::Done(Value::error())
        };
        slots.insert(name, slot);
    }
    let all_lets = def.lets.iter().copied().chain(body_lets.iter().map(|(_, c)| *c));
    for code in all_lets {
        let owner = ctx.code(code.owner);
        let member = owner.hir.kind.members().get(code.index).map(|&m| &owner.hir.body[m]);
        if let Some(Member::Let { name, ty, .. }) = member {
            let ty = ty.map_or(Ty::Any, |t| owner.types.get(t).clone());
            slots.insert(*name, Slot::Expr { code, ty });
        }
    }
    // Unknown fields of a record literal (an instance body's are reported by the static check).
    for (name, v) in &given {
        if !def.fields.contains_key(name.as_str()) {
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
    let this =
        Rc::new(RefCell::new(Instance { slots, fields: fields.clone(), schema: Some(schema), self_cache: None }));
    let mut out = Fields::with_capacity(fields.len());
    for name in &fields {
        if lazy == Some(*name) {
            continue;
        }
        let v = Instance::force(&this, *name, ctx, at);
        out.insert(*name, v);
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
    let hir = item_hir(db, value.item);
    let map = item_source_map(db, value.item);
    hir.body.exprs.values().find_map(|e| match e {
        Expr::Record(entries) => {
            entries.iter().find(|en| map.expr(en.value) == value.span).map(|en| map.key_span(en.value))
        }
        _ => None,
    })
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
        let owner = ctx.code(code.owner);
        let member = owner.hir.kind.members().get(code.index).map(|&m| &owner.hir.body[m]);
        let Some(&Member::Check { cond, message }) = member else { continue };
        let check_at = owner.loc(cond);
        let env = Env { item: code.owner, code: owner, locals: None, instance: Some(this.clone()) };
        let cond = ctx.eval(cond, &env);
        // A check that cannot be evaluated (`None`) never passes silently: every
        // failed evaluation reports its cause (an unknown name or field, a type error).
        if ctx.condition(&cond, "a `check` condition", check_at) != Some(false) {
            continue;
        }
        let message = match message {
            Some(m) => {
                let v = ctx.eval(m, &env);
                super::builtins::display(&v).unwrap_or_default()
            }
            None => "check failed".to_string(),
        };
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
    let code = ctx.code(item);
    let ItemKind::Instance { schema, protected, .. } = &code.hir.kind else { return Value::error() };
    let scope = ctx.scope(item);
    let Some(schema) = scope.path(schema).ok() else { return Value::error() };
    if schema.tag(db) != ItemTag::Schema {
        return Value::error();
    }
    ctx.name = Some(item.name(db).replace('_', "-").into());
    ctx.instance_item = Some(item);
    let tier_protected = ctx.stack.is_some_and(|s| ctx.platform.tiers[ctx.platform.stacks[s].tier].protected);
    ctx.protected = *protected || tier_protected;
    let at = Loc::new(item, code.map.name);
    if with_manifests {
        // Reuse the fields `check` evaluated (and checked): only `manifests` and the lets it reads run here.
        let stack = ctx.stack.map(|s| ctx.platform.stacks[s].item);
        let fields = super::instance_value(db, ctx.project, item, stack).clone();
        if let V::Record(r) = &fields.value.v {
            let value = instantiate(ctx, schema, Some(item), Fields::default(), at, None, Some(r));
            return with_manifest_defaults(value);
        }
        return Value::error();
    }
    instantiate(ctx, schema, Some(item), Fields::default(), at, Some(Name::new(crate::check::MANIFESTS)), None)
}

/// The instance's `manifests` with its `manifest_defaults` (when its schema
/// has that field) laid under each document.
fn with_manifest_defaults(value: Value) -> Value {
    let V::Record(r) = &value.v else { return value };
    let (Some(docs), Some(defaults)) =
        (r.fields.get(crate::check::MANIFESTS), r.fields.get(super::defaults::MANIFEST_DEFAULTS))
    else {
        return value;
    };
    let docs = super::defaults::apply(docs, defaults);
    let mut record = Record::clone(r);
    record.fields.insert(Name::new(crate::check::MANIFESTS), docs);
    Value { v: V::Record(Arc::new(record)), labels: value.labels.clone(), origin: value.origin }
}

/// Evaluates the `platform` block as an instance of the prelude's `Platform` schema.
pub fn eval_platform(ctx: &mut Ctx<'_>, item: ItemId) -> Value {
    let db = ctx.db;
    let Some(schema) = ctx.index.global("Platform").filter(|s| s.tag(db) == ItemTag::Schema) else {
        return Value::error();
    };
    ctx.name = Some(ctx.platform.manifest.name.clone().into());
    let at = Loc::new(item, crate::platform::keyword_span(db, item));
    instantiate(ctx, schema, Some(item), Fields::default(), at, None, None)
}

/// Whether a policy reads the output documents — `manifests` directly, as
/// `self.manifests`, or through a helper it hands `self` to.
fn reads_output(code: &ItemCode) -> bool {
    code.hir.body.exprs.values().any(|e| match e {
        Expr::Name(n) | Expr::Field(_, n) => n.as_str() == crate::check::MANIFESTS,
        Expr::SelfRef => true,
        _ => false,
    })
}

/// Evaluates `policy`'s checks against `service` in the context's stack.
pub fn eval_policy(ctx: &mut Ctx<'_>, policy: ItemId, service: ItemId) {
    let db = ctx.db;
    let code = ctx.code(policy);
    let ItemKind::Policy { schema: wanted, .. } = &code.hir.kind else { return };
    let service_code = ctx.code(service);
    let ItemKind::Instance { schema: actual, .. } = &service_code.hir.kind else { return };
    if let Some(path) = wanted {
        let scope = ctx.scope(policy);
        let Some(wanted) = scope.path(path).ok() else { return };
        let service_scope = ctx.scope(service);
        let Some(actual) = service_scope.path(actual).ok() else { return };
        if actual.tag(db) != ItemTag::Schema || !schema_def(db, ctx.project, actual).extends(wanted) {
            return;
        }
    }
    let stack = ctx.stack.map(|s| ctx.platform.stacks[s].item);
    // Reading the output documents evaluates them for the policy (the fields alone are memoized and cheaper).
    let evaluated = match stack {
        Some(s) if reads_output(&code) => Arc::new(super::instance_output_value(db, ctx.project, service, s)),
        _ => super::instance_value(db, ctx.project, service, stack).clone(),
    };
    let V::Record(record) = &evaluated.value.v else { return };
    let mut slots = FxIndexMap::default();
    for (k, v) in &record.fields {
        slots.insert(*k, Slot::Done(v.clone()));
    }
    ctx.name = Some(service.name(db).replace('_', "-").into());
    ctx.instance_item = Some(service); // problems name the service the policy was checking
    let mut checks = Vec::new();
    for (i, &m) in code.hir.kind.members().iter().enumerate() {
        match &code.hir.body[m] {
            Member::Let { name, .. } => {
                let code = MemberRef { owner: policy, index: i };
                slots.insert(*name, Slot::Expr { code, ty: Ty::Any });
            }
            Member::Check { .. } => checks.push(MemberRef { owner: policy, index: i }),
            _ => {}
        }
    }
    let this = Rc::new(RefCell::new(Instance {
        slots,
        fields: record.fields.keys().cloned().collect(),
        schema: record.schema,
        self_cache: None,
    }));
    let at = Loc::new(service, service_code.map.name);
    run_checks(ctx, &this, &checks, at, Some((policy, service)));
}
