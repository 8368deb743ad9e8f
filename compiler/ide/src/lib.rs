//! Editor features over the compiler's queries, as plain data: byte offsets
//! in files named by their project path, text for labels and Markdown for
//! hovers. The language server turns these into LSP; nothing here knows it.
//!
//! Every feature starts from [`locate`]: the item under an offset and the
//! innermost HIR node there, found through the item's source map.

mod actions;
mod completion;
mod definition;
mod hover;
mod inlay;
mod locate;
mod signature;
mod symbols;
mod tokens;
mod types;

use sinfra_compiler::db::{Database, Project, SourceFile};
use sinfra_syntax::Span;

pub use actions::{Fix, fixes};
pub use completion::{Completion, CompletionKind, completions, typed_prefix};
pub use definition::{RenameError, definition, prepare_rename, references, rename};
pub use hover::hover;
pub use inlay::{HintKind, InlayHint, inlay_hints};
pub use locate::{Located, Target, locate};
pub use signature::{SignatureHelp, signature_help};
pub use symbols::{Symbol, SymbolKind, folding, symbols, workspace_symbols};
pub use tokens::{SemanticToken, TokenKind, semantic_tokens};

/// A place in a file: its project path (`std/k8s.sinfra` for the standard
/// library) and a byte span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileSpan {
    /// Project-relative path.
    pub path: String,
    /// Byte span in that file.
    pub span: Span,
}

/// The database and project a feature runs on.
#[derive(Clone, Copy)]
pub struct Analysis<'a> {
    /// The database (a snapshot on a worker thread).
    pub db: &'a Database,
    /// The project.
    pub project: Project,
}

impl<'a> Analysis<'a> {
    /// An analysis of `project`.
    pub fn new(db: &'a Database, project: Project) -> Analysis<'a> {
        Analysis { db, project }
    }

    /// The file with project path `path`.
    pub fn file(&self, path: &str) -> Option<SourceFile> {
        self.project.files(self.db).iter().copied().find(|f| f.path(self.db) == path)
    }
}

/// Member `m` of `item`'s HIR.
fn hir_member(
    db: &Database,
    item: sinfra_compiler::items::ItemId,
    m: sinfra_compiler::hir::MemberId,
) -> Option<&sinfra_compiler::hir::Member> {
    let hir = sinfra_compiler::hir::item_hir(db, item);
    Some(hir.body.member(m))
}
