//! Field-level differences between two versions of a document, by YAML path
//! (`spec.replicas`, `spec.template.spec.containers[0].image`,
//! `metadata.labels["app.kubernetes.io/name"]`).

use serde_json::Value as Json;

/// One changed field: its path, and its value before and after (`None`: absent).
#[derive(Clone, Debug, PartialEq)]
pub struct FieldChange {
    /// The YAML path.
    pub path: String,
    /// The old value.
    pub old: Option<Json>,
    /// The new value.
    pub new: Option<Json>,
    /// Where the new value is computed (`services/api.sinfra:7`), when known.
    pub source: Option<String>,
}

/// The fields that differ between `old` and `new`, in document order (maps by key, lists by index).
pub fn fields(old: &Json, new: &Json) -> Vec<FieldChange> {
    let mut out = Vec::new();
    walk(String::new(), Some(old), Some(new), &mut out);
    out
}

fn walk(path: String, old: Option<&Json>, new: Option<&Json>, out: &mut Vec<FieldChange>) {
    match (old, new) {
        (Some(a), Some(b)) if a == b => {}
        (Some(Json::Object(a)), Some(Json::Object(b))) => {
            let keys = a.keys().chain(b.keys().filter(|k| !a.contains_key(*k)));
            for k in keys {
                walk(key_path(&path, k), a.get(k), b.get(k), out);
            }
        }
        (Some(Json::Array(a)), Some(Json::Array(b))) => {
            for i in 0..a.len().max(b.len()) {
                walk(format!("{path}[{i}]"), a.get(i), b.get(i), out);
            }
        }
        _ => out.push(FieldChange { path, old: old.cloned(), new: new.cloned(), source: None }),
    }
}

use sinfra_compiler::emit::provenance::key_path;

/// A value on one line: scalars as YAML would show them, structures as compact JSON, long ones cut.
pub fn show(value: Option<&Json>) -> String {
    const MAX: usize = 80;
    let text = match value {
        None => return "(absent)".to_string(),
        Some(Json::String(s)) => Json::String(s.clone()).to_string(),
        Some(v) => v.to_string(),
    };
    if text.chars().count() > MAX {
        let cut: String = text.chars().take(MAX - 1).collect();
        format!("{cut}…")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths() {
        let old = json!({"spec": {"replicas": 3, "c": [{"image": "a:1"}]}, "metadata": {"labels": {"app.kubernetes.io/name": "x"}}});
        let new = json!({"spec": {"replicas": 6, "c": [{"image": "a:2"}, {"image": "b"}]}, "metadata": {"labels": {}}});
        let got: Vec<String> = fields(&old, &new)
            .iter()
            .map(|c| format!("{}: {} → {}", c.path, show(c.old.as_ref()), show(c.new.as_ref())))
            .collect();
        assert_eq!(
            got,
            [
                "metadata.labels[\"app.kubernetes.io/name\"]: \"x\" → (absent)",
                "spec.c[0].image: \"a:1\" → \"a:2\"",
                "spec.c[1]: (absent) → {\"image\":\"b\"}",
                "spec.replicas: 3 → 6",
            ]
        );
    }
}
