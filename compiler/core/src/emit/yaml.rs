//! Values to YAML documents. serde-saphyr quotes every string a YAML 1.1
//! reader (Kubernetes' go-yaml lineage, PyYAML) would turn into a boolean,
//! number or date — `no`, `on`, `1_000`, `2024-01-01` — which serde_yaml
//! emits bare.

use indexmap::IndexMap;
use serde::Serialize;

use crate::eval::builtins::{format_duration, format_float};
use crate::eval::value::{V, Value};

/// A YAML node: what output documents are made of.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Node {
    /// `null`
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in insertion order.
    Map(IndexMap<String, Node>),
}

/// The text of a unit value (`500m`, `30s`, `25%`), which YAML gets as a string.
fn unit_text(v: &V) -> Option<String> {
    match v {
        V::Quantity(q) => Some(q.text.to_string()),
        V::Duration(ms) => Some(format_duration(*ms)),
        V::Percent(p) => Some(format!("{}%", format_float(*p))),
        _ => None,
    }
}

/// Converts any value for display (`sinfrac eval`): tiers, regions and
/// stacks by name, secrets as `{secret: name, key: key}`.
pub fn to_display_node(v: &Value, names: &dyn Fn(&V) -> Option<String>) -> Node {
    match &v.v {
        V::Secret(s) => Node::Map(
            [("secret".to_string(), Node::Str(s.name.clone())), ("key".to_string(), Node::Str(s.key.clone()))]
                .into_iter()
                .collect(),
        ),
        V::List(items) => Node::Seq(items.iter().map(|i| to_display_node(i, names)).collect()),
        V::Record(r) => Node::Map(r.fields.iter().map(|(k, v)| (k.to_string(), to_display_node(v, names))).collect()),
        V::Tier(_) | V::Region(_) | V::Stack(_) | V::Func(_) | V::Builtin(_) | V::Module(_) => {
            Node::Str(names(&v.v).unwrap_or_default())
        }
        V::Error => Node::Str("<error>".to_string()),
        V::None => Node::Null,
        V::Bool(b) => Node::Bool(*b),
        V::Int(i) => Node::Int(*i),
        V::Float(f) => Node::Float(*f),
        V::Str(s) => Node::Str(s.to_string()),
        other => Node::Str(unit_text(other).unwrap_or_default()),
    }
}

/// Emitter options: plain scalars instead of folded blocks for long strings
/// (image digests, URLs), everything else serde-saphyr's YAML 1.1-safe defaults.
fn options() -> serde_saphyr::SerializerOptions {
    let mut o = serde_saphyr::SerializerOptions::default();
    o.prefer_block_scalars = false;
    o
}

/// An output value serialized directly (no intermediate tree): `none` fields
/// are left out; quantities, durations and percentages are strings.
pub struct OutputValue<'a>(pub &'a Value);

impl Serialize for OutputValue<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match &self.0.v {
            V::None => s.serialize_unit(),
            V::Bool(b) => s.serialize_bool(*b),
            V::Int(i) => s.serialize_i64(*i),
            V::Float(f) => s.serialize_f64(*f),
            V::Str(x) => s.serialize_str(x),
            V::Quantity(q) => s.serialize_str(&q.text),
            other @ (V::Duration(_) | V::Percent(_)) => s.serialize_str(&unit_text(other).unwrap_or_default()),
            V::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for i in items.iter().filter(|i| representable(i)) {
                    seq.serialize_element(&OutputValue(i))?;
                }
                seq.end()
            }
            V::Record(r) => {
                let mut map = s.serialize_map(None)?;
                for (k, v) in r.fields.iter().filter(|(_, v)| !matches!(v.v, V::None) && representable(v)) {
                    map.serialize_entry(k, &OutputValue(v))?;
                }
                map.end()
            }
            _ => s.serialize_unit(),
        }
    }
}

/// Whether a value has a YAML form.
pub fn representable(v: &Value) -> bool {
    !matches!(
        v.v,
        V::Tier(_) | V::Region(_) | V::Stack(_) | V::Secret(_) | V::Func(_) | V::Builtin(_) | V::Module(_) | V::Error
    )
}

/// Serializes output values as one multi-document YAML text, after a comment header.
pub fn values_to_yaml(header: &str, docs: &[&Value]) -> Result<String, String> {
    let docs: Vec<OutputValue<'_>> = docs.iter().map(|d| OutputValue(d)).collect();
    to_yaml(header, &docs)
}

/// Appends `text` as YAML comment lines (`# …`).
pub fn push_comment(out: &mut String, text: &str) {
    for line in text.lines() {
        out.push_str("# ");
        out.push_str(line);
        out.push('\n');
    }
}

/// Serializes documents as one multi-document YAML text, after a comment header:
/// the one place YAML is written, for output files and for `sinfrac eval`.
pub fn to_yaml<T: Serialize>(header: &str, docs: &[T]) -> Result<String, String> {
    let mut out = String::with_capacity(2048 * docs.len().max(1));
    push_comment(&mut out, header);
    for doc in docs {
        out.push_str("---\n");
        let len = out.len();
        serde_saphyr::to_fmt_writer_with_options(&mut out, doc, options()).map_err(|e| e.to_string())?;
        if out.len() > len && !out.ends_with('\n') {
            out.push('\n');
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_11_words_are_quoted() {
        let words =
            ["no", "yes", "on", "off", "y", "n", "1_000", "2001-12-14", "1:20", "=", "<<", "null", "~", "0x10", ""];
        let doc =
            Node::Map(words.iter().enumerate().map(|(i, w)| (format!("k{i}"), Node::Str(w.to_string()))).collect());
        let text = to_yaml("h", &[doc]).unwrap();
        for (i, w) in words.iter().enumerate() {
            let line = text.lines().find(|l| l.starts_with(&format!("k{i}:"))).unwrap();
            let value = line.split_once(": ").map(|x| x.1).unwrap_or("");
            assert!(value.starts_with('"') || value.starts_with('\''), "`{w}` must be quoted, got `{line}`");
        }
    }
}
