//! Block layout: mappings and sequences in block style, indented by two
//! spaces, a sequence under a key at the key's column (`key:` then `- a`),
//! the first entry of a collection in a sequence on the dash's line
//! (`- name: a`, `- - a`), empty collections as `{}` and `[]`.
//!
//! A key longer than 1,024 characters as written is an explicit key (`? key`
//! then `: value`, or `:` and a sequence on the next lines): YAML limits
//! implicit keys to 1,024 characters.

use std::fmt::Write as _;

use super::scalar;
use super::tree::{Scalar, Shape, Tree};

/// The longest implicit key YAML allows, in characters as written.
const MAX_IMPLICIT_KEY: usize = 1024;

/// Where a node starts.
#[derive(Clone, Copy)]
enum At {
    /// On a line already begun (the document's start, after `- ` or `: `);
    /// its later lines at this column.
    Inline(usize),
    /// After `key:`, the key at this column.
    Value(usize),
}

/// Appends one document: `---`, then the node, every line ended.
pub fn document<T: Tree + ?Sized>(out: &mut String, doc: &T) {
    out.push_str("---\n");
    node(out, doc, At::Inline(0));
}

fn node<T: Tree + ?Sized>(out: &mut String, n: &T, at: At) {
    match n.shape() {
        Shape::Seq => {
            let column = match at {
                At::Inline(c) | At::Value(c) => c,
            };
            let mut first = true;
            n.items(&mut |item| {
                line_start(out, &mut first, at, column);
                out.push_str("- ");
                node(out, item, At::Inline(column + 2));
            });
            if first {
                empty(out, "[]", at);
            }
        }
        Shape::Map => {
            let column = match at {
                At::Inline(c) => c,
                At::Value(c) => c + 2,
            };
            let mut first = true;
            n.entries(&mut |key, value| {
                line_start(out, &mut first, at, column);
                entry(out, key, value, column);
            });
            if first {
                empty(out, "{}", at);
            }
        }
        Shape::Scalar(scalar) => {
            if let At::Value(_) = at {
                out.push(' ');
            }
            push_scalar(out, scalar);
            out.push('\n');
        }
    }
}

/// Starts the line of a collection's entry: the first stays on the line
/// begun, or goes to the next line after `key:`; the others are indented.
fn line_start(out: &mut String, first: &mut bool, at: At, column: usize) {
    match (std::mem::take(first), at) {
        (true, At::Inline(_)) => return,
        (true, At::Value(_)) => out.push('\n'),
        (false, _) => {}
    }
    indent(out, column);
}

fn empty(out: &mut String, text: &str, at: At) {
    if let At::Value(_) = at {
        out.push(' ');
    }
    out.push_str(text);
    out.push('\n');
}

fn entry<T: Tree + ?Sized>(out: &mut String, key: &str, value: &T, column: usize) {
    let start = out.len();
    scalar::push_str(out, key, scalar::key_style(key));
    let written = &out[start..];
    if written.len() > MAX_IMPLICIT_KEY && written.chars().count() > MAX_IMPLICIT_KEY {
        out.insert_str(start, "? ");
        out.push('\n');
        indent(out, column);
        out.push(':');
        // A sequence starts on the next line at the key's column, as after an
        // implicit key; anything else on the `:` line, as after a dash.
        if let Shape::Seq = value.shape() {
            node(out, value, At::Value(column));
        } else {
            out.push(' ');
            node(out, value, At::Inline(column + 2));
        }
    } else {
        out.push(':');
        node(out, value, At::Value(column));
    }
}

fn push_scalar(out: &mut String, s: Scalar<'_>) {
    match s {
        Scalar::Null => out.push_str("null"),
        Scalar::Bool(b) => out.push_str(if b { "true" } else { "false" }),
        Scalar::Int(i) => {
            // Writing to a String cannot fail.
            let _ = write!(out, "{i}");
        }
        Scalar::Float(f) => scalar::push_float(out, f),
        Scalar::Str(s) => scalar::push_str(out, &s, scalar::value_style(&s)),
    }
}

fn indent(out: &mut String, column: usize) {
    const SPACES: &str = "                                                                ";
    let mut n = column;
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::yaml::Node;

    fn map(entries: &[(&str, Node)]) -> Node {
        Node::Map(entries.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
    }

    fn text(n: &Node) -> String {
        let mut out = String::new();
        document(&mut out, n);
        out
    }

    fn s(x: &str) -> Node {
        Node::Str(x.to_string())
    }

    #[test]
    fn block_layout() {
        let doc = map(&[
            ("kind", s("Deployment")),
            ("labels", map(&[("app", s("api")), ("tier", s("prod"))])),
            (
                "containers",
                Node::Seq(vec![
                    map(&[("name", s("api")), ("args", Node::Seq(vec![s("-v"), Node::Int(2)]))]),
                    Node::Seq(vec![s("a"), Node::Seq(vec![s("b")]), s("c")]),
                    Node::Seq(vec![]),
                    Node::Map(Default::default()),
                    Node::Null,
                ]),
            ),
            ("empty", Node::Seq(vec![])),
            ("none", Node::Map(Default::default())),
            ("ratio", Node::Float(0.5)),
            ("on", Node::Bool(true)),
        ]);
        assert_eq!(
            text(&doc),
            "---\nkind: Deployment\nlabels:\n  app: api\n  tier: prod\ncontainers:\n- name: api\n  args:\n  - -v\n  - 2\n\
             - - a\n  - - b\n  - c\n- []\n- {}\n- null\nempty: []\nnone: {}\nratio: 0.5\n\"on\": true\n"
        );
    }

    #[test]
    fn top_level_shapes() {
        assert_eq!(text(&Node::Map(Default::default())), "---\n{}\n");
        assert_eq!(text(&Node::Seq(vec![])), "---\n[]\n");
        assert_eq!(text(&s("no")), "---\n\"no\"\n");
        assert_eq!(text(&Node::Seq(vec![map(&[("a", Node::Int(1)), ("b", Node::Null)])])), "---\n- a: 1\n  b: null\n");
    }

    #[test]
    fn long_keys_are_explicit() {
        let long = "k".repeat(MAX_IMPLICIT_KEY + 1);
        let doc = map(&[
            (&long, Node::Seq(vec![s("a"), s("b")])),
            ("x", map(&[(&long, map(&[("a", Node::Int(1)), ("b", Node::Int(2))])), (&long[1..], s("v"))])),
        ]);
        assert_eq!(
            text(&doc),
            format!("---\n? {long}\n:\n- a\n- b\nx:\n  ? {long}\n  : a: 1\n    b: 2\n  {}: v\n", &long[1..])
        );
        // Escapes count: 200 tabs are 400 characters as written, 1,000 are 2,000.
        let tabs = map(&[(&"\t".repeat(200), Node::Null), (&"\t".repeat(1000), Node::Null)]);
        let t = text(&tabs);
        assert!(t.starts_with("---\n\"\\t"), "{t}");
        assert!(t.contains("\n? \"\\t"), "{t}");
    }
}
