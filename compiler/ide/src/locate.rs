//! From a byte offset to the item and the HIR node under it.

use sinfra_compiler::db::SourceFile;
use sinfra_compiler::hir::{BindingId, ExprId, ItemSourceMap, MemberId, PatId, TypeRefId, item_source_map};
use sinfra_compiler::items::{ItemId, file_items, item_range};
use sinfra_syntax::Span;

use crate::Analysis;

/// What lies under an offset inside an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The innermost expression.
    Expr(ExprId),
    /// The name part of `e.f` or the selector of `e@s` (the id is the whole expression).
    FieldName(ExprId),
    /// The name of a local binding where it is introduced.
    Binding(BindingId),
    /// The name of a member (a field declaration, an assignment, a `let`).
    Member(MemberId),
    /// The item's own name.
    ItemName,
    /// The schema path of an instance or policy, or the base of `extends`.
    Path,
    /// The `n`th name of the item's `@` selector.
    Selector(usize),
    /// A type as written.
    Type(TypeRefId),
    /// A `match` pattern.
    Pat(PatId),
    /// The key of a record entry (the id is the entry's value).
    Key(ExprId),
}

/// The item under an offset and what in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Located {
    /// The item.
    pub item: ItemId,
    /// Where the item starts in its file (item-relative spans + this = file spans).
    pub base: u32,
    /// The offset, relative to the item.
    pub offset: u32,
    /// The node there, if any.
    pub target: Option<Target>,
}

impl Located {
    /// A span of the item, in file coordinates.
    pub fn absolute(&self, span: Span) -> Span {
        span.offset_by(self.base)
    }
}

fn at(span: Span, offset: u32) -> bool {
    span.start <= offset && offset <= span.end && span != Span::default()
}

fn innermost<I: Copy>(spans: impl Iterator<Item = (I, Span)>, offset: u32) -> Option<I> {
    spans.filter(|(_, s)| at(*s, offset)).min_by_key(|(_, s)| s.len()).map(|(i, _)| i)
}

/// The item and node at byte `offset` of `file`.
pub fn locate(a: &Analysis<'_>, file: SourceFile, offset: u32) -> Option<Located> {
    let db = a.db;
    let item = file_items(db, file).iter().copied().find(|&i| {
        let r = item_range(db, i);
        r.start <= offset && offset <= r.end
    })?;
    let base = item_range(db, item).start;
    let offset = offset - base;
    let map = item_source_map(db, item);
    Some(Located { item, base, offset, target: target_at(map, offset) })
}

fn target_at(map: &ItemSourceMap, offset: u32) -> Option<Target> {
    if let Some(m) = innermost(map.members.iter().map(|(id, s)| (id, s.name)), offset) {
        return Some(Target::Member(m));
    }
    if let Some(b) = innermost(map.bindings.iter().map(|(id, s)| (id, *s)), offset) {
        return Some(Target::Binding(b));
    }
    if at(map.name, offset) {
        return Some(Target::ItemName);
    }
    if map.path.is_some_and(|p| at(p, offset)) {
        return Some(Target::Path);
    }
    if let Some(i) = map.selector.iter().position(|s| at(*s, offset)) {
        return Some(Target::Selector(i));
    }
    if let Some(p) = innermost(map.pats.iter().map(|(id, s)| (id, *s)), offset) {
        return Some(Target::Pat(p));
    }
    if let Some(t) = innermost(map.types.iter().map(|(id, s)| (id, *s)), offset) {
        return Some(Target::Type(t));
    }
    if let Some(k) = innermost(map.keys(), offset) {
        return Some(Target::Key(k));
    }
    let expr = map.expr_at(offset)?;
    // `e.f` and `e@s`: on the name part, the name is meant.
    let name_part = map.name_of(expr);
    if at(name_part, offset) {
        return Some(Target::FieldName(expr));
    }
    Some(Target::Expr(expr))
}
