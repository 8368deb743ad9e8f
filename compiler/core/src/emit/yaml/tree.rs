//! What the emitter writes: a tree of scalars, sequences and mappings. The
//! evaluated values of output documents are one (written directly, no
//! intermediate tree), and so are `sinfrac eval`'s [`Node`]s.

use std::borrow::Cow;

use super::Node;
use crate::eval::builtins::{format_duration, format_float};
use crate::eval::value::{V, Value};

/// A node as the emitter sees it.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape<'a> {
    /// A scalar.
    Scalar(Scalar<'a>),
    /// A sequence: its items come from [`Tree::items`].
    Seq,
    /// A mapping: its entries come from [`Tree::entries`].
    Map,
}

/// A scalar.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar<'a> {
    /// `null`
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(Cow<'a, str>),
}

/// A tree the emitter can write.
pub trait Tree {
    /// What this node is.
    fn shape(&self) -> Shape<'_>;
    /// Calls `each` with the items of a sequence, in order (nothing for other shapes).
    fn items(&self, each: &mut dyn FnMut(&Self));
    /// Calls `each` with the entries of a mapping, in order (nothing for other shapes).
    fn entries(&self, each: &mut dyn FnMut(&str, &Self));
}

impl Node {
    /// The data any tree stands for, as the emitter is meant to write it (for
    /// comparing what a reader reads back with what was written).
    pub fn of_tree<T: Tree>(t: &T) -> Node {
        match t.shape() {
            Shape::Scalar(Scalar::Null) => Node::Null,
            Shape::Scalar(Scalar::Bool(b)) => Node::Bool(b),
            Shape::Scalar(Scalar::Int(i)) => Node::Int(i),
            Shape::Scalar(Scalar::Float(f)) => Node::Float(f),
            Shape::Scalar(Scalar::Str(s)) => Node::Str(s.into_owned()),
            Shape::Seq => {
                let mut items = Vec::new();
                t.items(&mut |i| items.push(Node::of_tree(i)));
                Node::Seq(items)
            }
            Shape::Map => {
                let mut entries = indexmap::IndexMap::new();
                t.entries(&mut |k, v| {
                    entries.insert(k.to_string(), Node::of_tree(v));
                });
                Node::Map(entries)
            }
        }
    }
}

impl Tree for Node {
    fn shape(&self) -> Shape<'_> {
        match self {
            Node::Null => Shape::Scalar(Scalar::Null),
            Node::Bool(b) => Shape::Scalar(Scalar::Bool(*b)),
            Node::Int(i) => Shape::Scalar(Scalar::Int(*i)),
            Node::Float(f) => Shape::Scalar(Scalar::Float(*f)),
            Node::Str(s) => Shape::Scalar(Scalar::Str(Cow::Borrowed(s))),
            Node::Seq(_) => Shape::Seq,
            Node::Map(_) => Shape::Map,
        }
    }

    fn items(&self, each: &mut dyn FnMut(&Self)) {
        if let Node::Seq(items) = self {
            items.iter().for_each(each);
        }
    }

    fn entries(&self, each: &mut dyn FnMut(&str, &Self)) {
        if let Node::Map(entries) = self {
            entries.iter().for_each(|(k, v)| each(k, v));
        }
    }
}

/// An output value: `none` fields are left out, values without a YAML form
/// (tiers, functions, secrets…) are filtered out of lists and records (and
/// are `null` elsewhere), quantities, durations and percentages are strings.
impl Tree for Value {
    fn shape(&self) -> Shape<'_> {
        let scalar = match &self.v {
            V::List(_) => return Shape::Seq,
            V::Record(_) => return Shape::Map,
            V::None => Scalar::Null,
            V::Bool(b) => Scalar::Bool(*b),
            V::Int(i) => Scalar::Int(*i),
            V::Float(f) => Scalar::Float(*f),
            V::Str(s) => Scalar::Str(Cow::Borrowed(s)),
            V::Quantity(q) => Scalar::Str(Cow::Borrowed(&q.text)),
            other @ (V::Duration(_) | V::Percent(_)) => Scalar::Str(Cow::Owned(unit_text(other).unwrap_or_default())),
            V::Secret(_)
            | V::Tier(_)
            | V::Region(_)
            | V::Stack(_)
            | V::Func(_)
            | V::Builtin(_)
            | V::Module(_)
            | V::Error => Scalar::Null,
        };
        Shape::Scalar(scalar)
    }

    fn items(&self, each: &mut dyn FnMut(&Self)) {
        if let V::List(items) = &self.v {
            items.iter().filter(|i| representable(i)).for_each(each);
        }
    }

    fn entries(&self, each: &mut dyn FnMut(&str, &Self)) {
        if let V::Record(r) = &self.v {
            for (k, v) in r.fields.iter() {
                if !matches!(v.v, V::None) && representable(v) {
                    each(k.as_str(), v);
                }
            }
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

/// The text of a unit value (`500m`, `30s`, `25%`), which YAML gets as a string.
pub fn unit_text(v: &V) -> Option<String> {
    match v {
        V::Quantity(q) => Some(q.text.to_string()),
        V::Duration(ms) => Some(format_duration(*ms)),
        V::Percent(p) => Some(format!("{}%", format_float(*p))),
        _ => None,
    }
}
