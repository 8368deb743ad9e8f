//! Values to YAML documents, written directly from the evaluated values into
//! one buffer by a purpose-written emitter for the subset sinfra produces:
//! block mappings and sequences, `null`, booleans, integers, floats, and
//! strings plain or quoted exactly when a YAML 1.1 or 1.2 reader would read
//! them as something else (`no`, `on`, `1_000`, `2024-01-01`, `0o17`…).
//! The rules, and where they come from, are in `docs/language.md` (Output);
//! the output is serde-saphyr's (the emitter this replaced) byte for byte,
//! except where that document says why not.
//!
//! - [`tree`]: what is written (output values, and [`Node`] for `sinfrac eval`);
//! - [`emitter`]: the block layout;
//! - [`scalar`]: how each scalar is written;
//! - [`resolve`]: the spellings readers resolve to something other than a string.

mod emitter;
mod resolve;
mod scalar;
mod tree;

use indexmap::IndexMap;
use serde::Serialize;

pub use tree::{Scalar, Shape, Tree, representable, unit_text};

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

/// Documents as one multi-document YAML text (each after `---`), after a
/// comment header: the one place YAML is written, for output files (output
/// values) and for `sinfrac eval` ([`Node`]s).
pub fn to_yaml<'a, T: Tree + 'a>(header: &str, docs: impl IntoIterator<Item = &'a T>) -> String {
    let mut out = String::with_capacity(4096);
    push_comment(&mut out, header);
    push_documents(&mut out, docs);
    out
}

/// Appends documents (each after `---`) to `out`.
pub fn push_documents<'a, T: Tree + 'a>(out: &mut String, docs: impl IntoIterator<Item = &'a T>) {
    for doc in docs {
        emitter::document(out, doc);
    }
}

/// Appends `text` as YAML comment lines (`# …`), one per line. A character a
/// comment cannot hold (a control character other than tab, a line or
/// paragraph separator, a BOM) is written as its Rust escape (`\u{2028}`).
pub fn push_comment(out: &mut String, text: &str) {
    for line in text.lines() {
        out.push_str("# ");
        for c in line.chars() {
            if c != '\t' && scalar::needs_escape(c) {
                out.extend(c.escape_unicode());
            } else {
                out.push(c);
            }
        }
        out.push('\n');
    }
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
        let text = to_yaml("h", &[doc]);
        for (i, w) in words.iter().enumerate() {
            let line = text.lines().find(|l| l.starts_with(&format!("k{i}:"))).unwrap();
            let value = line.split_once(": ").map(|x| x.1).unwrap_or("");
            assert!(value.starts_with('"') || value.starts_with('\''), "`{w}` must be quoted, got `{line}`");
        }
    }
}
