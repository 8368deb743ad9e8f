//! Position-free places in an item, for the diagnostics of [`super::infer`]:
//! an expression, a pattern, a member or a type by id. [`Anchor::span`]
//! turns them into item-relative spans through the item's source map, which
//! only `check_item` reads.

use sinfra_syntax::Span;

use crate::db::Db;
use crate::diagnostics::Diagnostic;
use crate::hir::{
    ExprId, ItemHir, ItemKind, ItemSourceMap, MemberId, Name, PatId, TypeRef, TypeRefId, item_hir, item_source_map,
};
use crate::loc::{Diag, Loc};

/// A place in the item being checked, by id (or in another item, by location).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Anchor {
    /// The item's declared name.
    ItemName,
    /// Where the item starts (its doc comment included): text inserted here goes before it.
    ItemStart,
    /// The whole schema path of an instance or a policy.
    ItemPath,
    /// A segment of a dotted path.
    Segment(PathOf, usize),
    /// An expression.
    Expr(ExprId),
    /// The field name of `e.f` or `super.f`, given that expression.
    FieldName(ExprId),
    /// `match <scrutinee>`: from the `match` expression's start to the scrutinee's end.
    MatchHead {
        /// The `match` expression.
        whole: ExprId,
        /// Its scrutinee.
        scrutinee: ExprId,
    },
    /// A `match` pattern.
    Pat(PatId),
    /// The key of the record entry whose value is this expression.
    Key(ExprId),
    /// A member, whole.
    Member(MemberId),
    /// A member's name.
    MemberName(MemberId),
    /// A type as written.
    Type(TypeRefId),
    /// A place in another item.
    Elsewhere(Loc),
    /// The name of a member of any item (a schema's field declaration), located
    /// through that item's source map.
    Declared(crate::signatures::MemberRef),
}

/// Which path a [`Anchor::Segment`] is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PathOf {
    /// The schema path of an instance or a policy.
    Item,
    /// The module path of an `import`.
    Import,
    /// A path type.
    Type(TypeRefId),
}

/// A diagnostic anchored by ids.
pub type AnchoredDiag = Diagnostic<Anchor>;

impl Anchor {
    /// Where the anchor is written in `item`, relative to its start.
    pub fn span(self, hir: &ItemHir, map: &ItemSourceMap) -> Span {
        match self {
            Anchor::ItemName => map.name,
            Anchor::ItemStart => Span::new(0, 0),
            Anchor::ItemPath => map.path.unwrap_or(map.name),
            Anchor::Segment(of, index) => segment_span(hir, map, of, index),
            Anchor::Expr(e) => map.expr(e),
            Anchor::FieldName(e) => map.name_of(e),
            Anchor::MatchHead { whole, scrutinee } => Span::new(map.expr(whole).start, map.expr(scrutinee).end),
            Anchor::Pat(p) => map.pat(p),
            Anchor::Key(value) => map.key_span(value),
            Anchor::Member(m) => map.member(m).whole,
            Anchor::MemberName(m) => map.member(m).name,
            Anchor::Type(t) => map.ty(t),
            Anchor::Elsewhere(loc) => loc.span,
            Anchor::Declared(_) => Span::default(),
        }
    }

    /// The anchor as a location: in `item`, or elsewhere.
    pub fn loc(self, db: &dyn Db, item: crate::items::ItemId, hir: &ItemHir, map: &ItemSourceMap) -> Loc {
        match self {
            Anchor::Elsewhere(loc) => loc,
            Anchor::Declared(m) => {
                let owner = item_hir(db, m.owner);
                let span = owner.kind.members().get(m.index).map(|&id| item_source_map(db, m.owner).member(id).name);
                Loc::new(m.owner, span.unwrap_or_default())
            }
            other => Loc::new(item, other.span(hir, map)),
        }
    }
}

/// Maps anchored diagnostics of `item` to locations.
pub fn to_locs<'a>(
    db: &'a dyn Db,
    item: crate::items::ItemId,
    hir: &'a ItemHir,
    map: &'a ItemSourceMap,
    diags: &'a [AnchoredDiag],
) -> impl Iterator<Item = Diag> + 'a {
    diags.iter().map(move |d| d.clone().map_locations(|a| a.loc(db, item, hir, map)))
}

/// A segment of a path: the source map keeps the whole path's span, and a
/// path is written without spaces around its dots, so the first segment
/// starts it and the last ends it.
fn segment_span(hir: &ItemHir, map: &ItemSourceMap, of: PathOf, index: usize) -> Span {
    let (whole, names): (Span, &[Name]) = match of {
        PathOf::Item => match &hir.kind {
            ItemKind::Instance { schema, .. } => (map.path.unwrap_or(map.name), schema),
            ItemKind::Policy { schema: Some(schema), .. } => (map.path.unwrap_or(map.name), schema),
            ItemKind::Schema { extends: Some(base), .. } => (map.path.unwrap_or(map.name), base),
            _ => return map.name,
        },
        // `import std.k8s`: the path ends the item.
        PathOf::Import => match &hir.kind {
            ItemKind::Import { path } => (map.item, path),
            _ => return map.name,
        },
        PathOf::Type(t) => match hir.body.type_ref(t) {
            TypeRef::Path(p) => (map.ty(t), p),
            _ => return map.ty(t),
        },
    };
    let len = |n: &Name| n.as_str().len() as u32;
    match names.get(index) {
        Some(n) if index == 0 && names.len() > 1 => Span::new(whole.start, (whole.start + len(n)).min(whole.end)),
        Some(n) => Span::new(whole.end.saturating_sub(len(n)).max(whole.start), whole.end),
        None => whole,
    }
}
