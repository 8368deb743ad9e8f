//! Checking a value against a declared type, converting where the type
//! decides: `5m` is five minutes for a `Duration`, a record literal becomes
//! a schema instance, refinements (`Port`) are checked.

use std::sync::Arc;

use super::ctx::Ctx;
use super::instance::instantiate;
use super::value::{Record, V, Value};
use crate::diagnostics::Code;
use crate::hir::ItemKind;
use crate::loc::{Diag, Loc};
use crate::signatures::alias_def;
use crate::ty::Ty;

/// Checks `value` against `ty`; reports a mismatch at the value's origin (or `at`).
pub fn conform(ctx: &mut Ctx<'_>, value: Value, ty: &Ty, at: Loc) -> Value {
    if value.is_error() {
        return value;
    }
    match try_conform(ctx, value, ty, at) {
        Ok(v) => v,
        Err(v) => {
            let db = ctx.db;
            let where_ = v.origin.unwrap_or(at);
            let found = found_type(ctx, &v);
            // A number with the wrong kind of unit (`1Gi` for a Duration) is a unit error.
            let units = |t: &Ty| match t {
                Ty::Optional(inner) => matches!(strip_alias(ctx, inner), Ty::Quantity(_) | Ty::Duration | Ty::Percent),
                other => matches!(other, Ty::Quantity(_) | Ty::Duration | Ty::Percent),
            };
            let value_is_unit = matches!(v.v, V::Quantity(_) | V::Duration(_) | V::Percent(_));
            let code =
                if value_is_unit && units(&strip_alias(ctx, ty)) { Code::InvalidUnit } else { Code::TypeMismatch };
            let mut d = Diag::new(
                code,
                format!("expected `{}`, found {found}", ty.display(db)),
                where_,
                format!("this is {found}"),
            );
            if where_ != at {
                d = d.with_label(at, format!("`{}` expected because of this", ty.display(db)));
            }
            match (strip_alias(ctx, ty), &v.v) {
                (Ty::Duration, V::Quantity(_)) => d = d.with_help("durations use `ms`, `s`, `m` or `h`, e.g. `30s`"),
                (Ty::Quantity(dim), V::Quantity(q)) => {
                    if let Some(help) = dim.help(&q.text) {
                        d = d.with_help(help);
                    }
                }
                _ => {}
            }
            ctx.report(d);
            Value::error()
        }
    }
}

fn found_type(ctx: &Ctx<'_>, v: &Value) -> String {
    match &v.v {
        V::Record(r) => match r.schema {
            Some(s) => format!("`{}`", s.name(ctx.db)),
            None => "a record".to_string(),
        },
        V::List(_) => "a list".to_string(),
        V::Str(s) if s.len() <= 40 => format!("`String` (\"{s}\")"),
        V::Int(i) => format!("`Int` ({i})"),
        V::Quantity(q) if q.dim != crate::ty::Dim::Any => format!("{} (`{}`)", q.dim.describe(), q.text),
        _ => format!("`{}`", v.type_name()),
    }
}

fn strip_alias(ctx: &Ctx<'_>, ty: &Ty) -> Ty {
    crate::signatures::underlying(ctx.db, ctx.project, ty, false)
}

/// `Err` returns the value that did not fit, for the caller's message.
fn try_conform(ctx: &mut Ctx<'_>, value: Value, ty: &Ty, at: Loc) -> Result<Value, Value> {
    let ok = |b: bool, v: Value| if b { Ok(v) } else { Err(v) };
    match ty {
        Ty::Any | Ty::Error => Ok(value),
        Ty::None => ok(matches!(value.v, V::None), value),
        Ty::Bool => ok(matches!(value.v, V::Bool(_)), value),
        Ty::Int => ok(matches!(value.v, V::Int(_)), value),
        Ty::Float => match value.v {
            V::Int(i) => Ok(Value { v: V::Float(i as f64), ..value }),
            V::Float(_) => Ok(value),
            _ => Err(value),
        },
        Ty::String => ok(matches!(value.v, V::Str(_)), value),
        Ty::Lit(s) => ok(matches!(&value.v, V::Str(x) if **x == **s), value),
        Ty::Quantity(dim) => match &value.v {
            V::Int(i) => Ok(Value {
                v: V::Quantity(super::value::Quantity {
                    value: *i as f64,
                    text: i.to_string().into(),
                    milli_suffix: false,
                    dim: *dim,
                }),
                ..value
            }),
            // A quantity takes the dimension it is given (`2` as Cores), never another one (`4Gi` as Cores).
            V::Quantity(q) => match q.dim.join(*dim) {
                Some(joined) if joined == q.dim => Ok(value),
                Some(joined) => {
                    let q = super::value::Quantity { dim: joined, ..q.clone() };
                    Ok(Value { v: V::Quantity(q), ..value })
                }
                None => Err(value),
            },
            _ => Err(value),
        },
        Ty::Duration => match &value.v {
            V::Duration(_) => Ok(value),
            V::Quantity(q) if q.milli_suffix => {
                let minutes = q.value * 1000.0;
                Ok(Value { v: V::Duration((minutes * 60_000.0).round() as i64), ..value })
            }
            _ => Err(value),
        },
        Ty::Percent => ok(matches!(value.v, V::Percent(_)), value),
        Ty::Secret => ok(matches!(value.v, V::Secret(_)), value),
        Ty::Tier => ok(matches!(value.v, V::Tier(_)), value),
        Ty::Region => ok(matches!(value.v, V::Region(_)), value),
        Ty::Stack => ok(matches!(value.v, V::Stack(_)), value),
        Ty::Optional(inner) => match value.v {
            V::None => Ok(value),
            _ => try_conform(ctx, value, inner, at),
        },
        Ty::Union(members) => {
            // The first member whose shape fits decides (no diagnostics from failed attempts).
            for m in members {
                if shape_fits(ctx, &value, m) {
                    return Ok(conform(ctx, value, m, at));
                }
            }
            Err(value)
        }
        Ty::List(inner) | Ty::Map(inner) if **inner == Ty::Any && matches!(value.v, V::List(_) | V::Record(_)) => {
            ok(matches!((ty, &value.v), (Ty::List(_), V::List(_)) | (Ty::Map(_), V::Record(_))), value)
        }
        Ty::List(inner) => match &value.v {
            V::List(items) => match conform_all(ctx, || items.iter(), inner, at) {
                None => Ok(value),
                Some(items) => Ok(Value { v: V::List(Arc::new(items)), ..value }),
            },
            _ => Err(value),
        },
        Ty::Map(inner) => match &value.v {
            V::Record(r) if r.schema.is_none() => match conform_all(ctx, || r.fields.values(), inner, at) {
                None => Ok(value),
                Some(values) => {
                    let fields = r.fields.keys().copied().zip(values).collect();
                    Ok(Value {
                        v: V::Record(Arc::new(Record { schema: None, fields, key_labels: r.key_labels.clone() })),
                        ..value
                    })
                }
            },
            _ => Err(value),
        },
        Ty::Schema(s) => match &value.v {
            V::Record(r) if r.schema.is_none() && ctx.schema_def(*s).shape => Ok(conform_shape(ctx, *s, &value, r, at)),
            V::Record(r) if r.schema.is_none() => {
                let origin = value.origin.unwrap_or(at);
                let inst = instantiate(ctx, *s, None, r.fields.clone(), origin, None, None);
                Ok(inst.labelled(&value.labels).labelled(&r.key_labels))
            }
            V::Record(r) => {
                let fits = r.schema.is_some_and(|actual| {
                    let (db, project) = (ctx.db, ctx.project);
                    *ctx.extends
                        .entry((actual, *s))
                        .or_insert_with(|| crate::signatures::schema_def(db, project, actual).extends(*s))
                });
                ok(fits, value)
            }
            _ => Err(value),
        },
        Ty::Alias(a) => {
            let def = alias_def(ctx.db, ctx.project, *a).clone();
            let v = try_conform(ctx, value, &def.base, at)?;
            // A value that fails its refinement is reported once, here; what is
            // computed from it is poisoned, not reported again.
            if def.refined {
                // A refinement may read stack-dependent names, so a scalar's verdict is
                // kept for this evaluation (one instance in one stack) only.
                let key = scalar_key(&v).map(|k| (*a, k));
                if key.as_ref().is_some_and(|k| ctx.refined.contains(k)) {
                    return Ok(v);
                }
                if !check_refinement(ctx, *a, &v, at) {
                    return Ok(Value::error());
                }
                if let Some(k) = key {
                    ctx.refined.insert(k);
                }
            }
            Ok(v)
        }
    }
}

/// Conforms every item to `ty`. `None` when each came back as it was (the
/// common case: a list of strings declared `[String]`), so the caller keeps
/// the original list or map instead of building a copy.
fn conform_all<'v, I: Iterator<Item = &'v Value>>(
    ctx: &mut Ctx<'_>,
    items: impl Fn() -> I,
    ty: &Ty,
    at: Loc,
) -> Option<Vec<Value>> {
    if items().all(|i| unchanged_fit(ty, i)) {
        return None;
    }
    let mut first_change = None;
    for (i, item) in items().enumerate() {
        let done = conform(ctx, item.clone(), ty, at);
        if !unchanged(item, &done) {
            first_change = Some((i, done));
            break;
        }
    }
    let (i, done) = first_change?;
    let mut out: Vec<Value> = items().take(i).cloned().collect();
    out.push(done);
    for item in items().skip(i + 1) {
        out.push(conform(ctx, item.clone(), ty, at));
    }
    Some(out)
}

/// Whether conforming left a value as it was: the same data behind the same
/// pointers, the same labels and origin.
fn unchanged(before: &Value, after: &Value) -> bool {
    let same_data = match (&before.v, &after.v) {
        (V::Str(a), V::Str(b)) => Arc::ptr_eq(a, b),
        (V::List(a), V::List(b)) => Arc::ptr_eq(a, b),
        (V::Record(a), V::Record(b)) => Arc::ptr_eq(a, b),
        (V::Secret(a), V::Secret(b)) => Arc::ptr_eq(a, b),
        (V::Quantity(a), V::Quantity(b)) => a.dim == b.dim && Arc::ptr_eq(&a.text, &b.text),
        (V::None, V::None) => true,
        (V::Bool(a), V::Bool(b)) => a == b,
        (V::Int(a), V::Int(b)) => a == b,
        (V::Float(a), V::Float(b)) => a.to_bits() == b.to_bits(),
        (V::Duration(a), V::Duration(b)) => a == b,
        (V::Percent(a), V::Percent(b)) => a.to_bits() == b.to_bits(),
        (V::Tier(a), V::Tier(b)) | (V::Region(a), V::Region(b)) | (V::Stack(a), V::Stack(b)) => a == b,
        _ => false,
    };
    same_data && before.origin == after.origin && before.labels.same(&after.labels)
}

/// Whether `v` fits `ty` as it is — a type whose values are never converted
/// (`String`, `Int`, `Bool`, a literal) — so a list or map of them need not be rebuilt.
fn unchanged_fit(ty: &Ty, v: &Value) -> bool {
    match (ty, &v.v) {
        (Ty::Any, _) | (Ty::String, V::Str(_)) | (Ty::Int, V::Int(_)) | (Ty::Bool, V::Bool(_)) => true,
        (Ty::Lit(s), V::Str(x)) => **x == **s,
        (Ty::Quantity(crate::ty::Dim::Any), V::Quantity(_)) => true,
        (Ty::Schema(s), V::Record(r)) => r.schema == Some(*s),
        (Ty::Optional(_), V::None) => true,
        (Ty::Optional(inner), _) => unchanged_fit(inner, v),
        _ => false,
    }
}

/// A record given for a shape (see [`crate::signatures::SchemaDef::shape`]):
/// each field against its declared type, unknown fields and missing required
/// ones reported; the record keeps its fields and their order.
fn conform_shape(ctx: &mut Ctx<'_>, schema: crate::items::ItemId, value: &Value, r: &Record, at: Loc) -> Value {
    let db = ctx.db;
    let def = ctx.schema_def(schema);
    let origin = value.origin.unwrap_or(at);
    let mut fields = super::value::Fields::with_capacity(r.fields.len());
    for (name, v) in r.fields.iter() {
        // Interned names: a pointer comparison per field, no hashing of the text.
        match def.field_names.iter().position(|n| n == name).and_then(|i| def.fields.get_index(i)) {
            Some((_, f)) => {
                let v_at = v.origin.unwrap_or(origin);
                fields.insert(*name, conform(ctx, v.clone(), &f.ty, v_at));
            }
            None => {
                let loc = v.origin.unwrap_or(origin);
                let key = super::instance::record_key_span(db, loc).unwrap_or(loc.span);
                ctx.report(crate::signatures::unknown_field(db, loc.item, &def, name, key));
            }
        }
    }
    let missing: Vec<String> = def
        .field_names
        .iter()
        .zip(def.fields.values())
        .filter(|(n, f)| f.required() && r.fields.get(**n).is_none())
        .map(|(n, _)| format!("`{n}`"))
        .collect();
    if !missing.is_empty() {
        let list = missing.join(", ");
        ctx.report(
            Diag::new(
                Code::MissingField,
                format!("missing required field {list} of `{}`", schema.name(db)),
                origin,
                "incomplete record",
            )
            .with_help(format!("set {list}")),
        );
    }
    let record = Record { schema: Some(schema), fields, key_labels: r.key_labels.clone() };
    Value { v: V::Record(Arc::new(record)), ..value.clone() }
}

/// Whether a value has the outer shape of a type (for picking a union member).
fn shape_fits(ctx: &Ctx<'_>, v: &Value, ty: &Ty) -> bool {
    match (strip_alias(ctx, ty), &v.v) {
        (Ty::Any | Ty::Error, _) => true,
        (Ty::Optional(_), V::None) => true,
        (Ty::Optional(inner), _) => shape_fits(ctx, v, &inner),
        (Ty::Union(ms), _) => ms.iter().any(|m| shape_fits(ctx, v, m)),
        (Ty::None, V::None)
        | (Ty::Bool, V::Bool(_))
        | (Ty::Int, V::Int(_))
        | (Ty::Float, V::Int(_) | V::Float(_))
        | (Ty::String, V::Str(_))
        | (Ty::Quantity(_), V::Int(_))
        | (Ty::Duration, V::Duration(_))
        | (Ty::Percent, V::Percent(_))
        | (Ty::Secret, V::Secret(_))
        | (Ty::List(_), V::List(_))
        | (Ty::Map(_), V::Record(_))
        | (Ty::Schema(_), V::Record(_)) => true,
        (Ty::Duration, V::Quantity(q)) => q.milli_suffix,
        (Ty::Quantity(d), V::Quantity(q)) => q.dim.join(d).is_some(),
        (Ty::Lit(s), V::Str(x)) => **x == *s,
        _ => false,
    }
}

/// A scalar's identity for [`Ctx::refined`] (records and lists are not cached).
/// Cheap to build: an `Arc` clone or a number, never a formatted string.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum ScalarKey {
    Str(Arc<str>),
    Int(i64),
    Bool(bool),
    Quantity(Arc<str>, crate::ty::Dim),
    Duration(i64),
    Percent(u64),
}

fn scalar_key(v: &Value) -> Option<ScalarKey> {
    Some(match &v.v {
        V::Str(s) => ScalarKey::Str(s.clone()),
        V::Int(i) => ScalarKey::Int(*i),
        V::Bool(b) => ScalarKey::Bool(*b),
        V::Quantity(q) => ScalarKey::Quantity(q.text.clone(), q.dim),
        V::Duration(ms) => ScalarKey::Duration(*ms),
        V::Percent(p) => ScalarKey::Percent(p.to_bits()),
        _ => return None,
    })
}

/// Evaluates an alias's `where` with `self` bound to the value; reports E0202 and
/// answers `false` when it fails.
fn check_refinement(ctx: &mut Ctx<'_>, alias: crate::items::ItemId, v: &Value, at: Loc) -> bool {
    let db = ctx.db;
    let env = ctx.env(alias);
    let ItemKind::TypeAlias { refinement: Some(refinement), .. } = &env.code.hir.kind else { return true };
    let (this, cond, message) = (refinement.this, refinement.cond, refinement.message);
    let env = env.bind(this, v.clone());
    let cond_at = env.loc(cond);
    let cond = ctx.eval(cond, &env);
    if let V::Bool(false) = cond.v {
        let message = match message {
            Some(m) => {
                let mv = ctx.eval(m, &env);
                super::builtins::display(&mv).unwrap_or_default()
            }
            None => format!("the value does not satisfy `{}`", alias.name(db)),
        };
        let shown = super::builtins::display(v).unwrap_or_else(|_| v.type_name().to_string());
        let where_ = v.origin.unwrap_or(at);
        let mut d = Diag::new(
            Code::RefinementFailed,
            format!("`{shown}` is not a valid `{}`: {message}", alias.name(db)),
            where_,
            message.clone(),
        )
        .with_label(cond_at, format!("`{}` requires this", alias.name(db)));
        if where_ != at {
            d = d.with_label(at, format!("`{}` expected because of this", alias.name(db)));
        }
        ctx.report(d);
        return false;
    }
    true
}
