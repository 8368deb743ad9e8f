//! Item-relative locations, and their translation to file positions.
//!
//! Queries below the item firewall speak in [`Loc`]s (an item and a span
//! relative to the item's start), so that their results stay equal when text
//! above the item changes. Only the final aggregation turns them into
//! absolute [`Location`]s.

use sinfra_syntax::Span;

use crate::db::Db;
use crate::diagnostics::{Diagnostic, Location};
use crate::items::{ItemId, item_range};

/// A span inside one item, relative to the item's start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Loc {
    /// The item.
    pub item: ItemId,
    /// The span, relative to the start of the item's text.
    pub span: Span,
}

impl Loc {
    /// A location in `item`.
    pub fn new(item: ItemId, span: Span) -> Loc {
        Loc { item, span }
    }

    /// The absolute location.
    pub fn resolve(self, db: &dyn Db) -> Location {
        let base = item_range(db, self.item).start;
        Location { path: self.item.file(db).path(db).clone(), span: self.span.offset_by(base) }
    }
}

/// A diagnostic located inside items.
pub type Diag = Diagnostic<Loc>;

/// Resolves every location of item-relative diagnostics.
pub fn resolve_all(db: &dyn Db, diags: impl IntoIterator<Item = Diag>) -> Vec<Diagnostic> {
    diags.into_iter().map(|d| d.map_locations(|l| l.resolve(db))).collect()
}
