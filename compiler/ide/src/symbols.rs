//! Document symbols: the items of a file and their members, as an outline.

use sinfra_compiler::db::SourceFile;
use sinfra_compiler::hir::{Member, item_hir, item_source_map};
use sinfra_compiler::items::{ItemTag, file_items, item_range};
use sinfra_syntax::Span;

use crate::Analysis;

/// What a symbol is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    /// A schema or a type.
    Type,
    /// A function.
    Function,
    /// A constant.
    Constant,
    /// A resource or a service.
    Instance,
    /// A tier, a region, a stack or the platform block.
    Platform,
    /// A policy.
    Policy,
    /// A field or a member `let`.
    Field,
    /// An import.
    Module,
}

/// One entry of the outline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    /// The name shown.
    pub name: String,
    /// What it is.
    pub kind: SymbolKind,
    /// Its whole extent (file coordinates).
    pub span: Span,
    /// Its name (file coordinates).
    pub name_span: Span,
    /// Its members.
    pub children: Vec<Symbol>,
}

/// The outline of `file`.
pub fn symbols(a: &Analysis<'_>, file: SourceFile) -> Vec<Symbol> {
    let db = a.db;
    file_items(db, file)
        .iter()
        .map(|&item| {
            let base = item_range(db, item).start;
            let map = item_source_map(db, item);
            let hir = item_hir(db, item);
            let kind = match item.tag(db) {
                ItemTag::Schema | ItemTag::Type => SymbolKind::Type,
                ItemTag::Fn => SymbolKind::Function,
                ItemTag::Let => SymbolKind::Constant,
                ItemTag::Resource | ItemTag::Service => SymbolKind::Instance,
                ItemTag::Policy => SymbolKind::Policy,
                ItemTag::Import => SymbolKind::Module,
                ItemTag::Tier | ItemTag::Region | ItemTag::Stack | ItemTag::Platform | ItemTag::Error => {
                    SymbolKind::Platform
                }
            };
            let children = hir
                .kind
                .members()
                .iter()
                .filter_map(|&m| {
                    let name = match &hir.body[m] {
                        Member::Field { name, .. } | Member::Assign { name, .. } | Member::Let { name, .. } => *name,
                        _ => return None,
                    };
                    let spans = map.member(m);
                    Some(Symbol {
                        name: name.to_string(),
                        kind: SymbolKind::Field,
                        span: spans.whole.offset_by(base),
                        name_span: spans.name.offset_by(base),
                        children: Vec::new(),
                    })
                })
                .collect();
            let name = match item.name(db).as_str() {
                "" => item.tag(db).keyword().to_string(),
                n => n.to_string(),
            };
            Symbol { name, kind, span: map.item.offset_by(base), name_span: map.name.offset_by(base), children }
        })
        .collect()
}

/// The regions an editor can fold: every item, and every member, of `file`.
pub fn folding(a: &Analysis<'_>, file: SourceFile) -> Vec<Span> {
    let mut out = Vec::new();
    for s in symbols(a, file) {
        out.extend(s.children.iter().map(|c| c.span));
        out.push(s.span);
    }
    out
}

/// The project's items whose name contains `query` (any case), for a workspace-wide search.
pub fn workspace_symbols(a: &Analysis<'_>, query: &str) -> Vec<(String, Symbol)> {
    let db = a.db;
    let query = query.to_lowercase();
    let mut out = Vec::new();
    for &file in a.project.files(db) {
        if file.origin(db) != sinfra_compiler::db::Origin::Project {
            continue;
        }
        for s in symbols(a, file) {
            if s.kind != SymbolKind::Module && s.name.to_lowercase().contains(&query) {
                out.push((file.path(db).clone(), Symbol { children: Vec::new(), ..s }));
            }
        }
    }
    out
}
