//! Parsing as a query, and item identities.
//!
//! `parse` is `no_eq` (every edit changes spans). `file_items` names the
//! items of a file by kind, name and ordinal, so an item keeps its id when
//! it moves or its body changes; `item_range` says where it is. The HIR
//! (`crate::hir`) lowers each item once from this parse.

use sinfra_syntax::ast::ItemKind;
use sinfra_syntax::{Parse, Span};

use crate::db::{Db, SourceFile};

/// Parses a file (with recovery: always a tree).
#[salsa::tracked(returns(ref), no_eq)]
pub fn parse(db: &dyn Db, file: SourceFile) -> Parse {
    sinfra_syntax::parse(file.text(db))
}

/// The kind tag of an item, part of its identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ItemTag {
    /// `import`
    Import,
    /// `platform`
    Platform,
    /// `tier`
    Tier,
    /// `region`
    Region,
    /// `stack`
    Stack,
    /// `let`
    Let,
    /// `fn`
    Fn,
    /// `schema`
    Schema,
    /// `type`
    Type,
    /// `resource`
    Resource,
    /// `service`
    Service,
    /// `policy`
    Policy,
    /// unparseable
    Error,
}

impl ItemTag {
    /// The keyword that declares items of this kind.
    pub fn keyword(self) -> &'static str {
        match self {
            ItemTag::Import => "import",
            ItemTag::Platform => "platform",
            ItemTag::Tier => "tier",
            ItemTag::Region => "region",
            ItemTag::Stack => "stack",
            ItemTag::Let => "let",
            ItemTag::Fn => "fn",
            ItemTag::Schema => "schema",
            ItemTag::Type => "type",
            ItemTag::Resource => "resource",
            ItemTag::Service => "service",
            ItemTag::Policy => "policy",
            ItemTag::Error => "item",
        }
    }

    fn of(kind: &ItemKind) -> ItemTag {
        match kind {
            ItemKind::Import(_) => ItemTag::Import,
            ItemKind::Platform(_) => ItemTag::Platform,
            ItemKind::Tier(_) => ItemTag::Tier,
            ItemKind::Region(_) => ItemTag::Region,
            ItemKind::Stack(_) => ItemTag::Stack,
            ItemKind::Let(_) => ItemTag::Let,
            ItemKind::Fn(_) => ItemTag::Fn,
            ItemKind::Schema(_) => ItemTag::Schema,
            ItemKind::TypeAlias(_) => ItemTag::Type,
            ItemKind::Resource(_) => ItemTag::Resource,
            ItemKind::Service(_) => ItemTag::Service,
            ItemKind::Policy(_) => ItemTag::Policy,
            ItemKind::Error => ItemTag::Error,
        }
    }
}

pub use item_id::ItemId;

/// A module of its own: salsa generates undocumented constructors for interned structs.
#[allow(missing_docs)]
mod item_id {
    use super::ItemTag;
    use crate::db::SourceFile;

    /// The identity of an item: its file, kind, name and the how-many-th item of
    /// that kind and name it is in the file (so duplicates stay distinct).
    /// Position-independent: moving or editing an item keeps its id.
    // `no_lifetime` lets item ids live inside values, labels and diagnostics
    // without threading the database lifetime through the whole evaluator.
    // Slots are never reclaimed (`revisions = usize::MAX`), which keeps ids valid
    // for the database's life: the number of distinct items is small.
    #[salsa::interned(debug, unsafe(no_lifetime), revisions = usize::MAX)]
    pub struct ItemId {
        /// The file declaring it.
        #[returns(copy)]
        pub file: SourceFile,
        /// Its kind.
        #[returns(copy)]
        pub tag: ItemTag,
        /// Its name (`""` for `platform`, the dotted path for `import`).
        #[returns(ref)]
        pub name: String,
        /// Occurrence of this (kind, name) in the file, from 0.
        #[returns(copy)]
        pub ordinal: u32,
    }
}

/// The items of a file, in source order.
#[salsa::tracked(returns(ref))]
pub fn file_items(db: &dyn Db, file: SourceFile) -> Vec<ItemId> {
    let parse = parse(db, file);
    let mut seen: rustc_hash::FxHashMap<(ItemTag, String), u32> = rustc_hash::FxHashMap::default();
    parse
        .file
        .items
        .iter()
        .map(|item| {
            let tag = ItemTag::of(&item.kind);
            let name = match &item.kind {
                ItemKind::Import(i) => i.path.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join("."),
                _ => item.name().map(|n| n.name.clone()).unwrap_or_default(),
            };
            let count = seen.entry((tag, name.clone())).or_insert(0);
            let ordinal = *count;
            *count += 1;
            ItemId::new(db, file, tag, name, ordinal)
        })
        .collect()
}

/// Where an item's text starts in its file (doc comment included), and ends.
#[salsa::tracked(returns(copy))]
pub fn item_range(db: &dyn Db, item: ItemId) -> Span {
    let file = item.file(db);
    let parse = parse(db, file);
    let index = file_items(db, file).iter().position(|i| *i == item);
    match index.and_then(|i| Some((parse.item_start_with_doc(i)?, parse.file.items.get(i)?))) {
        Some((start, ast)) => Span::new(start, ast.span.end),
        None => Span::default(),
    }
}
