//! An instance's `manifest_defaults` laid under each of its output documents:
//! how every object of a service — the stdlib's own, `extra_manifests`, and
//! those a project schema appends with `manifests = super.manifests + […]` —
//! gets the same metadata. The core only merges records; what the defaults
//! are (labels, protection annotations) is the stdlib's business.

use std::sync::Arc;

use super::value::{Record, V, Value};

/// The name of the schema field whose value is laid under every output document.
pub const MANIFEST_DEFAULTS: &str = "manifest_defaults";

/// `manifests` with `defaults` laid under each document (see [`lay_under`]).
pub fn apply(manifests: &Value, defaults: &Value) -> Value {
    let (V::List(docs), V::Record(_)) = (&manifests.v, &defaults.v) else { return manifests.clone() };
    let docs: Vec<Value> = docs.iter().map(|d| lay_under(d, defaults)).collect();
    Value { v: V::List(Arc::new(docs)), labels: manifests.labels.clone(), origin: manifests.origin }
}

/// `doc` completed by `defaults`, recursively: a key `doc` lacks (or sets to
/// `none`) takes the default, two records merge, anything else keeps `doc`'s
/// value. A default of `none` adds nothing. Values other than records are
/// returned as they are.
pub fn lay_under(doc: &Value, defaults: &Value) -> Value {
    let (V::Record(d), V::Record(base)) = (&doc.v, &defaults.v) else { return doc.clone() };
    let mut fields = d.fields.clone();
    let mut changed = false;
    for (key, default) in base.fields.iter() {
        if matches!(default.v, V::None) {
            continue;
        }
        let merged = match d.fields.get(*key) {
            None => default.clone(),
            Some(v) if matches!(v.v, V::None) => default.clone(),
            Some(v) => {
                let m = lay_under(v, default);
                if m == *v {
                    continue;
                }
                m
            }
        };
        fields.insert(*key, merged);
        changed = true;
    }
    if !changed {
        return doc.clone();
    }
    let record = Record { schema: d.schema, fields, key_labels: d.key_labels.clone() };
    Value { v: V::Record(Arc::new(record)), labels: doc.labels.clone(), origin: doc.origin }
}
