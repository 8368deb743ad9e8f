//! Runtime values, with the labels that carry tier and secret provenance.

use std::sync::Arc;

use crate::hir::Name;
use crate::items::ItemId;

/// An insertion-ordered map with a fast hasher (records are hashed a lot; order makes output deterministic).
pub type FxIndexMap<K, V> = indexmap::IndexMap<K, V, rustc_hash::FxBuildHasher>;
use crate::loc::Loc;

/// Where a value's data came from, for the tier and secret rules.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Label {
    /// Derived from a resource instance.
    Instance {
        /// The instance's tier (`None`: a shared resource).
        tier: Option<usize>,
        /// The instance's stack (`None`: a shared resource).
        stack: Option<usize>,
        /// The resource.
        resource: ItemId,
        /// The expression that brought the value in.
        origin: Loc,
        /// The expression that selected the instance (`cache@latest`): stays put
        /// while `origin` follows the value into helpers.
        source: Loc,
        /// When `source` lies in a helper: the call, in the code being
        /// evaluated, that led into it.
        via: Option<Loc>,
    },
    /// Derived from a secret.
    Secret {
        /// The expression that brought the secret in.
        origin: Loc,
    },
}

impl Label {
    /// The expression that brought the value in.
    pub fn origin(&self) -> Loc {
        match self {
            Label::Instance { origin, .. } | Label::Secret { origin } => *origin,
        }
    }

    fn with_origin(&self, origin: Loc) -> Label {
        match self {
            Label::Instance { tier, stack, resource, source, via, .. } => {
                Label::Instance { tier: *tier, stack: *stack, resource: *resource, origin, source: *source, via: *via }
            }
            Label::Secret { .. } => Label::Secret { origin },
        }
    }
}

/// A set of labels; empty for most values, so it costs one pointer.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Labels(Option<Arc<Vec<Label>>>);

impl Labels {
    /// One label.
    pub fn one(label: Label) -> Labels {
        Labels(Some(Arc::new(vec![label])))
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// A set of these labels (duplicates removed).
    pub fn from_vec(mut labels: Vec<Label>) -> Labels {
        if labels.is_empty() {
            return Labels::default();
        }
        let mut seen = Vec::with_capacity(labels.len());
        labels.retain(|l| {
            if seen.contains(l) {
                false
            } else {
                seen.push(l.clone());
                true
            }
        });
        Labels(Some(Arc::new(labels)))
    }

    /// The labels without secret labels (a secret's name is not secret; whether a value is a secret isn't either).
    pub fn without_secrets(&self) -> Labels {
        Labels::from_vec(self.iter().filter(|l| !matches!(l, Label::Secret { .. })).cloned().collect())
    }

    /// The labels.
    pub fn iter(&self) -> impl Iterator<Item = &Label> {
        self.0.iter().flat_map(|v| v.iter())
    }

    /// Whether both are the same set object (or both empty): a cheap identity, not set equality.
    pub fn same(&self, other: &Labels) -> bool {
        match (&self.0, &other.0) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// The union of two sets.
    pub fn union(&self, other: &Labels) -> Labels {
        match (&self.0, &other.0) {
            (None, _) => other.clone(),
            (_, None) => self.clone(),
            (Some(a), Some(b)) if Arc::ptr_eq(a, b) => self.clone(),
            (Some(a), Some(b)) => {
                let mut v: Vec<Label> = a.to_vec();
                for l in b.iter() {
                    if !v.contains(l) {
                        v.push(l.clone());
                    }
                }
                Labels(Some(Arc::new(v)))
            }
        }
    }

    /// The labels whose origin is `from`, moved to `to` (a field access widens `cache` to `cache.host`).
    pub fn reorigin(&self, from: Loc, to: Loc) -> Labels {
        match &self.0 {
            None => Labels::default(),
            Some(v) => Labels(Some(Arc::new(
                v.iter().map(|l| if l.origin() == from { l.with_origin(to) } else { l.clone() }).collect(),
            ))),
        }
    }
}

/// A reference to a key of a Kubernetes Secret.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SecretRef {
    /// The Secret's name.
    pub name: String,
    /// The key in it.
    pub key: String,
}

/// A quantity: `500m`, `1Gi`, `2`. Compared by value, printed as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Quantity {
    /// The value in base units.
    pub value: f64,
    /// The canonical text (`500m`).
    pub text: Arc<str>,
    /// Written with the `m` suffix, which means minutes for a `Duration`.
    pub milli_suffix: bool,
    /// What it measures.
    pub dim: crate::ty::Dim,
}

/// A record: a schema instance, a record literal or a map.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Record {
    /// The schema it is an instance of.
    pub schema: Option<ItemId>,
    /// Its fields, in order.
    pub fields: Fields,
    /// The labels of its computed keys (`{ [k] = v for k in … }`): a key built
    /// from another tier's or a secret's value carries them into `keys()`,
    /// `for k, v in …` and the output.
    pub key_labels: Labels,
}

impl Record {
    /// A map or record literal without a schema.
    pub fn plain(fields: Fields) -> Record {
        Record { schema: None, fields, key_labels: Labels::default() }
    }
}

/// The fields of a record, in insertion order, keyed by interned names (a
/// key is 8 bytes and compared by pointer; no key string is copied per
/// record). Most records have a handful of fields: a vector searched linearly
/// is one allocation and no hashing; a hash index is added once a record
/// grows past [`Fields::INDEXED`] entries.
#[derive(Clone, Debug, Default)]
pub struct Fields {
    entries: Vec<(Name, Value)>,
    index: Option<Box<rustc_hash::FxHashMap<Name, usize>>>,
}

impl PartialEq for Fields {
    fn eq(&self, other: &Fields) -> bool {
        self.entries == other.entries
    }
}

impl Fields {
    /// Size from which lookups use a hash index.
    pub const INDEXED: usize = 64;

    /// Empty, with room for `n` fields.
    pub fn with_capacity(n: usize) -> Fields {
        Fields { entries: Vec::with_capacity(n), index: None }
    }

    fn position(&self, key: Name) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(&key).copied(),
            None => self.entries.iter().position(|(k, _)| *k == key),
        }
    }

    fn position_of(&self, key: impl FieldKey) -> Option<usize> {
        match &self.index {
            // A key never interned is in no record.
            Some(_) => self.position(key.name()?),
            None => self.entries.iter().position(|(k, _)| key.is(*k)),
        }
    }

    /// The value of `key` (a [`Name`], compared by pointer, or text, compared as text).
    pub fn get(&self, key: impl FieldKey) -> Option<&Value> {
        self.position_of(key).map(|i| &self.entries[i].1)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: impl FieldKey) -> bool {
        self.position_of(key).is_some()
    }

    /// Sets `key`, keeping its position when it exists; returns the old value.
    pub fn insert(&mut self, key: impl Into<Name>, value: Value) -> Option<Value> {
        let key = key.into();
        if let Some(i) = self.position(key) {
            return Some(std::mem::replace(&mut self.entries[i].1, value));
        }
        if let Some(index) = &mut self.index {
            index.insert(key, self.entries.len());
        } else if self.entries.len() >= Self::INDEXED {
            let mut index: rustc_hash::FxHashMap<Name, usize> =
                self.entries.iter().enumerate().map(|(i, (k, _))| (*k, i)).collect();
            index.insert(key, self.entries.len());
            self.index = Some(Box::new(index));
        }
        self.entries.push((key, value));
        None
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Fields in order.
    pub fn iter(&self) -> impl Iterator<Item = (&Name, &Value)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// Keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &Name> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// Values in order.
    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.entries.iter().map(|(_, v)| v)
    }
}

impl<'a> IntoIterator for &'a Fields {
    type Item = (&'a Name, &'a Value);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (Name, Value)>, fn(&'a (Name, Value)) -> (&'a Name, &'a Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

impl<K: Into<Name>> FromIterator<(K, Value)> for Fields {
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(iter: I) -> Fields {
        let iter = iter.into_iter();
        let mut f = Fields::with_capacity(iter.size_hint().0);
        for (k, v) in iter {
            f.insert(k, v);
        }
        f
    }
}

/// What a record can be searched by: an interned [`Name`] (compared by
/// pointer) or text (compared as text, never interned: a lookup must not grow
/// the interner).
pub trait FieldKey: Copy {
    /// Whether `name` is this key.
    fn is(self, name: Name) -> bool;
    /// The key as a name, if one exists.
    fn name(self) -> Option<Name>;
}

impl FieldKey for Name {
    fn is(self, name: Name) -> bool {
        self == name
    }
    fn name(self) -> Option<Name> {
        Some(self)
    }
}

impl FieldKey for &Name {
    fn is(self, name: Name) -> bool {
        *self == name
    }
    fn name(self) -> Option<Name> {
        Some(*self)
    }
}

impl FieldKey for &str {
    fn is(self, name: Name) -> bool {
        name.as_str() == self
    }
    fn name(self) -> Option<Name> {
        Name::existing(self)
    }
}

impl FieldKey for &String {
    fn is(self, name: Name) -> bool {
        name.as_str() == self.as_str()
    }
    fn name(self) -> Option<Name> {
        Name::existing(self)
    }
}

impl FieldKey for &Arc<str> {
    fn is(self, name: Name) -> bool {
        name.as_str() == &**self
    }
    fn name(self) -> Option<Name> {
        Name::existing(self)
    }
}

/// The shapes of values.
#[derive(Clone, Debug, PartialEq)]
pub enum V {
    /// `none`
    None,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(Arc<str>),
    /// A quantity.
    Quantity(Quantity),
    /// A duration in milliseconds.
    Duration(i64),
    /// A percentage.
    Percent(f64),
    /// A secret reference.
    Secret(Arc<SecretRef>),
    /// A list.
    List(Arc<Vec<Value>>),
    /// A record or map.
    Record(Arc<Record>),
    /// A tier (index into the platform's tiers).
    Tier(usize),
    /// A region.
    Region(usize),
    /// A stack.
    Stack(usize),
    /// A user function.
    Func(ItemId),
    /// A builtin function.
    Builtin(super::builtins::Builtin),
    /// An imported module.
    Module(Arc<str>),
    /// The result of an error (already reported): poisons what it touches, silently.
    Error,
}

/// A value with its labels and the expression that produced it.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    /// The data.
    pub v: V,
    /// Tier and secret provenance.
    pub labels: Labels,
    /// The expression that produced it.
    pub origin: Option<Loc>,
}

impl Value {
    /// A value without labels.
    pub fn new(v: V, origin: Option<Loc>) -> Value {
        Value { v, labels: Labels::default(), origin }
    }

    /// The poison value.
    pub fn error() -> Value {
        Value::new(V::Error, None)
    }

    /// A string.
    pub fn str(s: impl Into<Arc<str>>, origin: Option<Loc>) -> Value {
        Value::new(V::Str(s.into()), origin)
    }

    /// Whether it is the poison value.
    pub fn is_error(&self) -> bool {
        matches!(self.v, V::Error)
    }

    /// The same value with more labels.
    pub fn labelled(mut self, labels: &Labels) -> Value {
        self.labels = self.labels.union(labels);
        self
    }

    /// A short name of the value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match &self.v {
            V::None => "none",
            V::Bool(_) => "Bool",
            V::Int(_) => "Int",
            V::Float(_) => "Float",
            V::Str(_) => "String",
            V::Quantity(q) => q.dim.type_name(),
            V::Duration(_) => "Duration",
            V::Percent(_) => "Percent",
            V::Secret(_) => "Secret",
            V::List(_) => "list",
            V::Record(r) if r.schema.is_some() => "schema instance",
            V::Record(_) => "record",
            V::Tier(_) => "Tier",
            V::Region(_) => "Region",
            V::Stack(_) => "Stack",
            V::Func(_) | V::Builtin(_) => "function",
            V::Module(_) => "module",
            V::Error => "{unknown}",
        }
    }

    /// Every label of the value and of everything inside it.
    pub fn deep_labels(&self, out: &mut Vec<Label>) {
        out.extend(self.labels.iter().cloned());
        match &self.v {
            V::List(items) => items.iter().for_each(|i| i.deep_labels(out)),
            V::Record(r) => {
                out.extend(r.key_labels.iter().cloned());
                r.fields.values().for_each(|f| f.deep_labels(out))
            }
            _ => {}
        }
    }

    /// The union of the value's labels and of everything inside it.
    pub fn all_labels(&self) -> Labels {
        let mut deep = Vec::new();
        self.deep_labels(&mut deep);
        Labels::from_vec(deep)
    }
}
