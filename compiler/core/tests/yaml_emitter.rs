//! The YAML emitter against its reference, serde-saphyr (the emitter it
//! replaced), on random strings biased toward the tricky ones and on random
//! documents of output values and of `sinfrac eval` nodes:
//!
//! - the text is serde-saphyr's, byte for byte, except for the differences
//!   `docs/language.md` (Output) gives reasons for ([`deliberate`]);
//! - both texts read back (serde-saphyr's reader) as the same data, which is
//!   the data written;
//! - the text is stable: what it reads back as is written the same way again.
//!
//! `tests/tests/yaml_readers.rs` reads the emitter's text with PyYAML (YAML 1.1)
//! and ruamel.yaml (YAML 1.2).

// Honours PROPTEST_CASES, as the other property tests do.
#![allow(clippy::disallowed_methods)]

use std::sync::Arc;

use indexmap::IndexMap;
use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use sinfra_compiler::emit::yaml::{Node, Scalar, Shape, Tree, representable, to_yaml, unit_text};
use sinfra_compiler::eval::value::{Fields, Quantity, Record, SecretRef, V, Value};

// ---------------------------------------------------------------------------
// The reference
// ---------------------------------------------------------------------------

/// An output value as the replaced emitter serialized it.
struct Reference<'a>(&'a Value);

impl Serialize for Reference<'_> {
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
                    seq.serialize_element(&Reference(i))?;
                }
                seq.end()
            }
            V::Record(r) => {
                let mut map = s.serialize_map(None)?;
                for (k, v) in r.fields.iter().filter(|(_, v)| !matches!(v.v, V::None) && representable(v)) {
                    map.serialize_entry(k.as_str(), &Reference(v))?;
                }
                map.end()
            }
            _ => s.serialize_unit(),
        }
    }
}

/// The replaced emitter's text for `docs`, after the same header.
fn reference<T: Serialize>(header: &str, docs: &[T]) -> String {
    let mut options = serde_saphyr::SerializerOptions::default();
    options.prefer_block_scalars = false;
    let mut out = String::new();
    for line in header.lines() {
        out.push_str("# ");
        out.push_str(line);
        out.push('\n');
    }
    for doc in docs {
        out.push_str("---\n");
        let len = out.len();
        serde_saphyr::to_fmt_writer_with_options(&mut out, doc, options.clone()).expect("the reference writes it");
        if out.len() > len && !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// Where the emitter deliberately differs from the reference (docs/language.md,
/// Output): a sign followed by underscores only is quoted (ruamel.yaml reads
/// `-_` as an integer and fails on it).
fn deliberate(s: &str) -> bool {
    matches!(s.as_bytes(), [b'+' | b'-', rest @ ..] if !rest.is_empty() && rest.iter().all(|&c| c == b'_'))
}

/// Whether any string of the tree is a deliberate difference.
fn has_deliberate<T: Tree>(t: &T) -> bool {
    let mut found = false;
    match t.shape() {
        Shape::Scalar(Scalar::Str(s)) => found = deliberate(&s),
        Shape::Scalar(_) => {}
        Shape::Seq => t.items(&mut |i| found |= has_deliberate(i)),
        Shape::Map => t.entries(&mut |k, v| found |= deliberate(k) || has_deliberate(v)),
    }
    found
}

// ---------------------------------------------------------------------------
// Data, as written and as read back
// ---------------------------------------------------------------------------

/// What a document reads back as (maps in order).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Data {
    Null(()),
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Data>),
    Map(IndexMap<String, Data>),
}

impl Data {
    fn node(self) -> Node {
        match self {
            Data::Null(()) => Node::Null,
            Data::Bool(b) => Node::Bool(b),
            Data::Int(i) => Node::Int(i),
            Data::Float(f) => Node::Float(f),
            Data::Str(s) => Node::Str(s),
            Data::Seq(items) => Node::Seq(items.into_iter().map(Data::node).collect()),
            Data::Map(entries) => Node::Map(entries.into_iter().map(|(k, v)| (k, v.node())).collect()),
        }
    }
}

/// Reads a multi-document text back, document by document (the reader's
/// `from_multiple` skips `null` documents). No line inside a document is `---`:
/// such a string is quoted.
fn read(text: &str) -> Result<Vec<Node>, String> {
    let mut options = serde_saphyr::Options::default();
    options.non_finite_float_policy = serde_saphyr::NonFiniteFloatPolicy::PassThrough;
    let mut docs = Vec::new();
    for chunk in format!("\n{text}").split("\n---\n").skip(1) {
        let doc: Data = serde_saphyr::from_str_with_options(chunk, options.clone()).map_err(|e| e.to_string())?;
        docs.push(doc.node());
    }
    Ok(docs)
}

/// Equality with NaN equal to itself and floats compared by bits.
fn same(a: &Node, b: &Node) -> bool {
    match (a, b) {
        (Node::Float(x), Node::Float(y)) => x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
        (Node::Seq(x), Node::Seq(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Node::Map(x), Node::Map(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((ka, a), (kb, b))| ka == kb && same(a, b))
        }
        _ => a == b,
    }
}

const HEADER: &str = "a header\nin two lines";

/// The emitter's text against the reference's and against the data (see the module docs).
fn check<T: Tree>(docs: &[T], reference: &str) -> Result<(), TestCaseError> {
    let text = to_yaml(HEADER, docs);
    let want: Vec<Node> = docs.iter().map(Node::of_tree).collect();
    let got = read(&text).map_err(|e| TestCaseError::fail(format!("unreadable: {e}\n{text}")))?;
    prop_assert!(
        got.len() == want.len() && got.iter().zip(&want).all(|(g, w)| same(g, w)),
        "read back as {got:?}, written {want:?}:\n{text}"
    );
    let again = to_yaml(HEADER, &got);
    prop_assert_eq!(&again, &text, "not stable");
    if !docs.iter().any(has_deliberate) {
        prop_assert_eq!(&text, reference, "differs from the reference");
        return Ok(());
    }
    // Where the emitters differ on purpose, the reference's text must still read back as the same
    // data (when its reader takes it at all: too long an implicit key is an error).
    if let Ok(theirs) = read(reference) {
        prop_assert!(
            theirs.len() == want.len() && theirs.iter().zip(&want).all(|(g, w)| same(g, w)),
            "the reference reads back as {theirs:?}, written {want:?}"
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

/// Pieces of tricky strings.
#[rustfmt::skip]
const PIECES: &[&str] = &[
    "a", "Z", "api", "-", "?", ":", "#", " ", "  ", "\t", "\n", "\r", "\r\n", ",", "[", "]", "{", "}", "'", "\"",
    "\\", "%", "@", "`", "!", "&", "*", "|", ">", ".", "0", "1", "9", "e", "E", "x", "o", "b", "_", "+", "~", "=",
    "<", "<<", "T", "Z", "\u{a0}", "\u{3000}", "\u{85}", "\u{2028}", "\u{2029}", "\u{feff}", "\u{7f}", "\u{0}",
    "\u{1}", "\u{1b}", "\u{9f}", "\u{fffe}", "é", "☃", "𝄞", "---", "...", ": ", " #", "- ", "? ", "inf", ".inf",
    "nan", ".nan", "0x", "0o", "0b", "2001-12-14", "21:59:43", ":20", "500m", "1Gi", "30s", "25%",
];

/// Words YAML 1.1 or 1.2 readers resolve, in random letter case.
const WORDS: &[&str] = &[
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "=", "<<", "nan", "inf", ".inf", "-.inf",
    "+.inf", ".nan",
];

fn random_case(word: &'static str) -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<bool>(), word.len()).prop_map(move |upper| {
        word.chars().zip(upper).map(|(c, u)| if u { c.to_ascii_uppercase() } else { c }).collect()
    })
}

fn tricky() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::collection::vec(proptest::sample::select(PIECES), 0..6).prop_map(|p| p.concat()),
        2 => proptest::sample::select(WORDS).prop_flat_map(random_case),
        2 => "[-+]?[0-9_]{0,4}(\\.[0-9_.]{0,3})?([eE][-+]?[0-9_]{0,3})?",
        1 => "[-+]?0[xXoObB][-+]?[0-9a-fA-F_]{0,4}",
        1 => "[-+]?[0-9_]{1,3}(:[0-9]{1,2}){1,3}(\\.[0-9_]{0,2})?",
        1 => "[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt \\t]{1,2}[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}([.,][0-9]{0,3})?[ \\t]?(Z|[-+][0-9]{1,2}(:[0-9]{2})?)?)?",
        1 => "[-?:,#&*!|>'\"%@`\\[\\]{}]{0,2}[ a-z:#]{0,4}",
        1 => any::<String>(),
        1 => "\\PC{0,12}",
        1 => "[a-z0-9./:-]{1,30}",
        1 => "[a-z\t]{500,1100}",
    ]
}

fn node() -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![
        Just(Node::Null),
        any::<bool>().prop_map(Node::Bool),
        any::<i64>().prop_map(Node::Int),
        any::<f64>().prop_map(Node::Float),
        tricky().prop_map(Node::Str),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Node::Seq),
            proptest::collection::vec((tricky(), inner), 0..5).prop_map(|e| Node::Map(e.into_iter().collect())),
        ]
    })
}

fn value() -> impl Strategy<Value = Value> {
    let v = |v: V| Value::new(v, None);
    let leaf = prop_oneof![
        Just(v(V::None)),
        any::<bool>().prop_map(move |b| v(V::Bool(b))),
        any::<i64>().prop_map(move |i| v(V::Int(i))),
        any::<f64>().prop_map(move |f| v(V::Float(f))),
        tricky().prop_map(move |s| v(V::Str(Arc::from(s)))),
        tricky().prop_map(move |t| v(V::Quantity(Quantity {
            value: 1.0,
            text: Arc::from(t),
            milli_suffix: false,
            dim: Default::default()
        }))),
        any::<i64>().prop_map(move |ms| v(V::Duration(ms))),
        any::<f64>().prop_map(move |p| v(V::Percent(p))),
        Just(v(V::Tier(0))),
        Just(v(V::Error)),
        Just(v(V::Secret(Arc::new(SecretRef { name: "db".into(), key: "password".into() })))),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(move |items| v(V::List(Arc::new(items)))),
            proptest::collection::vec((tricky(), inner), 0..5).prop_map(move |e| {
                let fields: Fields = e.into_iter().collect();
                v(V::Record(Arc::new(Record::plain(fields))))
            }),
        ]
    })
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

#[test]
fn deliberate_differences_are_the_documented_ones() {
    let docs = [Node::Map([("-_".to_string(), Node::Str("+__".into()))].into_iter().collect())];
    assert_eq!(to_yaml("", &docs), "---\n\"-_\": \"+__\"\n");
    assert_eq!(reference("", &docs), "---\n-_: +__\n");
    assert!(docs.iter().all(has_deliberate));
}

/// Keys longer than YAML's 1,024 characters for an implicit key are explicit
/// (`? key`, then `: value`), in both emitters, whatever the value.
#[test]
fn long_keys_match_the_reference() {
    let values = [
        Node::Int(1),
        Node::Str("no".into()),
        Node::Map(Default::default()),
        Node::Seq(vec![]),
        Node::Seq(vec![Node::Int(1), Node::Seq(vec![Node::Null]), Node::Map([("a".into(), Node::Null)].into())]),
        Node::Map([("a".into(), Node::Seq(vec![Node::Int(1)])), ("b".into(), Node::Map(Default::default()))].into()),
    ];
    for key in ["k".repeat(1024), "k".repeat(1025), "é".repeat(1025), "\t".repeat(511), "\t".repeat(512)] {
        for value in &values {
            let map = Node::Map([(key.clone(), value.clone()), ("next".to_string(), Node::Int(2))].into());
            let docs = [map.clone(), Node::Seq(vec![map.clone()]), Node::Map([("in".to_string(), map)].into())];
            let ours = to_yaml("", &docs);
            assert_eq!(ours, reference("", &docs), "key of {} characters", key.chars().count());
            let got = read(&ours).unwrap_or_else(|e| panic!("{e}\n{ours}"));
            assert!(got.iter().zip(&docs).all(|(g, w)| same(g, w)), "{got:?}\n{ours}");
        }
    }
}

/// Cases per property: `default`, or `PROPTEST_CASES` for a longer run.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(512)))]

    /// One tricky string as a value, a key and an item.
    #[test]
    fn tricky_strings_match_the_reference(s in tricky()) {
        let doc = Node::Map(
            [
                ("value".to_string(), Node::Str(s.clone())),
                (s.clone(), Node::Str("key".into())),
                ("items".to_string(), Node::Seq(vec![Node::Str(s.clone()), Node::Seq(vec![Node::Str(s.clone())])])),
            ]
            .into_iter()
            .collect(),
        );
        let docs = [doc, Node::Str(s)];
        check(&docs, &reference(HEADER, &docs))?;
    }

    /// Documents of nodes (`sinfrac eval`).
    #[test]
    fn node_documents_match_the_reference(docs in proptest::collection::vec(node(), 1..4)) {
        check(&docs, &reference(HEADER, &docs))?;
    }

    /// Documents of output values: `none` fields left out, values without a YAML form
    /// filtered, quantities, durations and percentages as strings.
    #[test]
    fn value_documents_match_the_reference(docs in proptest::collection::vec(value(), 1..4)) {
        let theirs: Vec<Reference<'_>> = docs.iter().map(Reference).collect();
        check(&docs, &reference(HEADER, &theirs))?;
    }

    /// Floats, alone (any bit pattern's shortest spelling).
    #[test]
    fn floats_match_the_reference(f in any::<f64>(), bits in any::<u64>()) {
        let docs = [Node::Seq(vec![Node::Float(f), Node::Float(f64::from_bits(bits))])];
        check(&docs, &reference(HEADER, &docs))?;
    }
}
