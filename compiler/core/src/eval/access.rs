//! Field access (`e.f`, with the fields of tiers, regions, stacks, secrets and
//! modules) and indexing (`e[i]`).

use super::ctx::Ctx;
use super::value::{Label, Labels, V, Value};
use crate::diagnostics::Code;
use crate::loc::{Diag, Loc};
use crate::resolve::did_you_mean;

impl Ctx<'_> {
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
                // A record given for a shape leaves out the fields it does not set.
                None if r
                    .schema
                    .is_some_and(|s| crate::signatures::schema_def(db, self.project, s).fields.contains_key(name)) =>
                {
                    Value::new(V::None, Some(at))
                }
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
                    if let Some(s) = did_you_mean(name, r.fields.keys().map(|k| k.as_str())) {
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
        if !(self.keep_origins && out.origin.is_some()) {
            out.origin = Some(at);
        }
        out
    }

    pub(super) fn no_field(&mut self, ty: &str, name: &str, fields: &[&str], at: Loc) -> Value {
        let mut d = Diag::new(Code::UnknownField, format!("`{ty}` has no field `{name}`"), at, "unknown field")
            .with_note(format!("the fields of `{ty}` are: {}", fields.join(", ")));
        if let Some(s) = did_you_mean(name, fields.iter().copied()) {
            d = d.with_help(format!("did you mean `{s}`?")).with_fix(format!("replace with `{s}`"), at, s);
        }
        self.report(d);
        Value::error()
    }

    pub(super) fn index_value(&mut self, base: Value, idx: Value, at: Loc) -> Value {
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
}
