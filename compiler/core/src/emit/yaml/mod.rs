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

    fn value_text(n: Node) -> String {
        let text = to_yaml("", [&Node::Map([("k".to_string(), n)].into_iter().collect())]);
        text.strip_prefix("---\nk: ").and_then(|t| t.strip_suffix('\n')).unwrap_or(&text).to_string()
    }

    /// Strings docs/language.md says are quoted.
    #[rustfmt::skip]
    const QUOTED: &[&str] = &[
        "", "y", "yEs", "n", "No", "on", "OFF", "true", "false", "null", "~", "nan", "inf", "=", "<<", "1_000",
        "0o17", "0x1F", "1e3", ".5", "1.2.3", ".inf", ".nan", "1:20", "-_", "2001-12-14", "2001-12-14 21:59:43.10 -5",
        ",a", ":a", "[a", "{a", "#a", "&a", "*a", "!a", "|a", ">a", "'a", "\"a", "%a", "@a", "`a", "-", "- a", "?",
        "? a", "---", "... a", " a", "a ", "a: b", "a #b", "a:", "\u{1}", "a\nb", "a\u{2028}b", "\u{feff}a",
    ];

    /// The examples of docs/language.md, "How values are written".
    #[test]
    fn the_documented_examples() {
        for (f, want) in
            [(2.0, "2.0"), (0.5, "0.5"), (1e20, "1.0e+20"), (1.5e-7, "1.5e-7"), (f64::NEG_INFINITY, "-.inf")]
        {
            assert_eq!(value_text(Node::Float(f)), want);
        }
        for s in QUOTED {
            let text = value_text(Node::Str(s.to_string()));
            assert!(text.starts_with(['"', '\'']), "{s:?} written as {text}");
        }
        for (s, want) in [(".", "'.'"), ("#", "'#'"), ("-", "'-'")] {
            assert_eq!(value_text(Node::Str(s.to_string())), want);
        }
        for s in ["api", "a:b", "a#b", "-a", "?a", "a, b", "500m", "ghcr.io/acme/api:1.4.2"] {
            assert_eq!(value_text(Node::Str(s.to_string())), s);
        }
        let keys = Node::Map(["a:b", "a,b", "a[0]", "a}"].map(|k| (k.to_string(), Node::Null)).into_iter().collect());
        assert_eq!(to_yaml("", [&keys]), "---\n\"a:b\": null\n\"a,b\": null\n\"a[0]\": null\n\"a}\": null\n");
    }

    #[test]
    fn comments_hold_only_what_a_comment_can() {
        let mut out = String::new();
        push_comment(&mut out, "from a\u{2028}b.sinfra\tx\r\nstack: \u{1}\u{feff}");
        assert_eq!(out, "# from a\\u{2028}b.sinfra\tx\n# stack: \\u{1}\\u{feff}\n");
    }
}
