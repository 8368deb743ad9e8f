//! Go to definition and find references: what a name under the cursor
//! denotes, followed through the resolutions, never through text search.

use sinfra_compiler::db::{Origin, SourceFile};
use sinfra_compiler::hir::resolve::{Res, resolve_item};
use sinfra_compiler::hir::{Expr, ItemKind, Member, Pat, TypeRef, item_hir, item_source_map};
use sinfra_compiler::index::project_index;
use sinfra_compiler::items::{ItemId, file_items, item_range};
use sinfra_compiler::resolve::FileScope;
use sinfra_compiler::signatures::{MemberRef, schema_def};

use crate::locate::{Located, Target, locate};
use crate::types::{Shape, schema_of_instance, shape_of};
use crate::{Analysis, FileSpan};

/// What a name denotes, for navigation and hover.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Denoted {
    /// An item.
    Item(ItemId),
    /// A member of a schema: a field declaration or a `let` (or an instance's own `let`).
    Member(MemberRef),
    /// A local binding of the item being looked at.
    Local(sinfra_compiler::hir::BindingId),
    /// A builtin function.
    Builtin(sinfra_compiler::eval::builtins::Builtin),
    /// A context name.
    Context(sinfra_compiler::hir::resolve::ContextName),
    /// A stdlib module.
    Module(sinfra_compiler::hir::Name),
    /// A built-in field of a tier, region, stack or secret.
    BuiltinField(Shape, &'static str),
}

/// The member `name` (a field or a `let`) of `schema`, or an instance's own `let`.
pub(crate) fn member_of(a: &Analysis<'_>, scope_item: ItemId, schema: Option<ItemId>, name: &str) -> Option<MemberRef> {
    let db = a.db;
    let own = item_hir(db, scope_item);
    for (i, &m) in own.kind.members().iter().enumerate() {
        if let Member::Let { name: n, .. } = &own.body[m]
            && n.as_str() == name
        {
            return Some(MemberRef { owner: scope_item, index: i });
        }
    }
    let def = schema_def(db, a.project, schema?);
    if let Some(f) = def.fields.get(name) {
        return Some(f.decl);
    }
    def.lets.iter().copied().find(|m| {
        let h = item_hir(db, m.owner);
        h.kind.members().get(m.index).and_then(|&id| h.body[id].name()).is_some_and(|n| n.as_str() == name)
    })
}

fn by_name(a: &Analysis<'_>, name: &str) -> Option<ItemId> {
    let index = project_index(a.db, a.project);
    index.tiers.get(name).or_else(|| index.stacks.get(name)).or_else(|| index.regions.get(name)).copied()
}

/// What the node at `loc` denotes.
pub fn denoted(a: &Analysis<'_>, loc: &Located) -> Option<Denoted> {
    let db = a.db;
    let item = loc.item;
    let hir = item_hir(db, item);
    let scope = || FileScope::new(db, project_index(db, a.project), item.file(db));
    match loc.target? {
        Target::ItemName => Some(Denoted::Item(item)),
        Target::Binding(b) => Some(Denoted::Local(b)),
        Target::Path => {
            let path = match &hir.kind {
                ItemKind::Instance { schema, .. } => schema.clone(),
                ItemKind::Policy { schema: Some(schema), .. } => schema.clone(),
                ItemKind::Schema { extends: Some(base), .. } => base.clone(),
                _ => return None,
            };
            scope().path(&path).ok().map(Denoted::Item)
        }
        Target::Selector(i) => {
            let names = match &hir.kind {
                ItemKind::Instance { selector, .. } | ItemKind::Policy { selector, .. } => selector.as_deref()?,
                _ => return None,
            };
            by_name(a, names.get(i)?).map(Denoted::Item)
        }
        Target::Key(value) => sinfra_compiler::check::infer::infer_item(db, a.project, item)
            .entry_fields
            .get(value)
            .copied()
            .map(Denoted::Member),
        Target::Pat(p) => match &hir.body[p] {
            Pat::Name(n) => by_name(a, n).map(Denoted::Item),
            _ => None,
        },
        Target::Type(t) => match &hir.body[t] {
            TypeRef::Path(path) => scope().path(path).ok().map(Denoted::Item),
            _ => None,
        },
        Target::Member(m) => {
            let name = hir.body[m].name()?;
            match &hir.body[m] {
                Member::Field { .. } | Member::Let { .. } => {
                    let index = hir.kind.members().iter().position(|&x| x == m)?;
                    Some(Denoted::Member(MemberRef { owner: item, index }))
                }
                _ => member_of(a, item, schema_of_instance(a, item), &name).map(Denoted::Member),
            }
        }
        Target::FieldName(e) => match &hir.body[e] {
            Expr::Field(base, name) => match shape_of(a, item, *base)? {
                Shape::Schema(s) => member_of(a, s, Some(s), name).map(Denoted::Member),
                Shape::Module(m) => project_index(db, a.project).member(&m, name).map(Denoted::Item),
                shape => crate::types::builtin_fields(&shape)
                    .iter()
                    .find(|(n, _)| *n == name.as_str())
                    .map(|(n, _)| Denoted::BuiltinField(shape.clone(), n)),
            },
            Expr::At(_, sel) => by_name(a, sel).map(Denoted::Item),
            // `super.f`: the base's member giving its value of `f`.
            Expr::Super(name) => sinfra_compiler::super_field::base_field(db, a.project, item, name.as_str())
                .ok()
                .map(|b| Denoted::Member(b.value.unwrap_or(b.field.decl))),
            _ => None,
        },
        Target::Expr(e) => match &hir.body[e] {
            Expr::Local(b) => Some(Denoted::Local(*b)),
            Expr::Name(name) => match resolve_item(db, a.project, item).get(e) {
                Res::Item(i) => Some(Denoted::Item(*i)),
                Res::Field(_) | Res::Dynamic(_) => {
                    member_of(a, item, schema_of_instance(a, item), name).map(Denoted::Member)
                }
                Res::Builtin(b) => Some(Denoted::Builtin(*b)),
                Res::Context(c) => Some(Denoted::Context(*c)),
                Res::Module(m) => Some(Denoted::Module(*m)),
                Res::Unresolved => None,
            },
            Expr::SelfRef => schema_of_instance(a, item).map(Denoted::Item),
            // The `super` keyword: the base schema.
            Expr::Super(name) => sinfra_compiler::super_field::base_field(db, a.project, item, name.as_str())
                .ok()
                .map(|b| Denoted::Item(b.base)),
            _ => None,
        },
    }
}

/// Where something denoted is declared.
pub(crate) fn declaration(a: &Analysis<'_>, at_item: ItemId, d: &Denoted) -> Option<FileSpan> {
    let db = a.db;
    let (item, span) = match d {
        Denoted::Item(i) => (*i, item_source_map(db, *i).name),
        Denoted::Member(m) => {
            let hir = item_hir(db, m.owner);
            let id = *hir.kind.members().get(m.index)?;
            (m.owner, item_source_map(db, m.owner).member(id).name)
        }
        Denoted::Local(b) => (at_item, item_source_map(db, at_item).binding(*b)),
        Denoted::Module(m) => {
            let file = a.file(&format!("std/{m}.sinfra"))?;
            return Some(FileSpan { path: file.path(db).clone(), span: sinfra_syntax::Span::new(0, 0) });
        }
        _ => return None,
    };
    let base = item_range(db, item).start;
    Some(FileSpan { path: item.file(db).path(db).clone(), span: span.offset_by(base) })
}

/// Where the name at `offset` of `file` is declared.
pub fn definition(a: &Analysis<'_>, file: SourceFile, offset: u32) -> Option<FileSpan> {
    let loc = locate(a, file, offset)?;
    let d = denoted(a, &loc)?;
    declaration(a, loc.item, &d)
}

/// Every place that names what the name at `offset` of `file` denotes, the
/// declaration first. Items only reach across files; locals stay in their item.
pub fn references(a: &Analysis<'_>, file: SourceFile, offset: u32) -> Vec<FileSpan> {
    let db = a.db;
    let Some(loc) = locate(a, file, offset) else { return Vec::new() };
    let Some(target) = denoted(a, &loc) else { return Vec::new() };
    let mut out: Vec<FileSpan> = declaration(a, loc.item, &target).into_iter().collect();
    let items: Vec<ItemId> = match &target {
        Denoted::Local(_) => vec![loc.item],
        _ => a
            .project
            .files(db)
            .iter()
            .filter(|f| f.origin(db) == Origin::Project || matches!(target, Denoted::Item(i) if i.file(db) == **f))
            .flat_map(|&f| file_items(db, f).iter().copied())
            .collect(),
    };
    for item in items {
        let map = item_source_map(db, item);
        let base = item_range(db, item).start;
        let path = item.file(db).path(db).clone();
        // Every node of the item that denotes the target: expressions, members, paths, types, patterns.
        let mut spans: Vec<sinfra_syntax::Span> = Vec::new();
        let candidates = map
            .exprs
            .iter()
            .map(|(e, s)| {
                let span = if map.name_of(e) != sinfra_syntax::Span::default() { map.name_of(e) } else { s.to_owned() };
                (Target::Expr(e), Target::FieldName(e), span)
            })
            .collect::<Vec<_>>();
        for (t, name_t, span) in candidates {
            for t in [t, name_t] {
                let l = Located { item, base, offset: span.start, target: Some(t) };
                if denoted(a, &l).as_ref() == Some(&target) && !spans.contains(&span) {
                    spans.push(span);
                }
            }
        }
        let others = map
            .members
            .iter()
            .map(|(m, s)| (Target::Member(m), s.name))
            .chain(map.types.iter().map(|(t, s)| (Target::Type(t), *s)))
            .chain(map.pats.iter().map(|(p, s)| (Target::Pat(p), *s)))
            .chain(map.keys().map(|(k, s)| (Target::Key(k), s)))
            .chain(map.path.map(|p| (Target::Path, p)))
            .chain(map.selector.iter().enumerate().map(|(i, s)| (Target::Selector(i), *s)))
            .collect::<Vec<_>>();
        for (t, span) in others {
            let l = Located { item, base, offset: span.start, target: Some(t) };
            if denoted(a, &l).as_ref() == Some(&target) && !spans.contains(&span) {
                spans.push(span);
            }
        }
        for span in spans {
            let fs = FileSpan { path: path.clone(), span: span.offset_by(base) };
            if !out.contains(&fs) {
                out.push(fs);
            }
        }
    }
    out
}

/// Why a rename is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RenameError {
    /// Nothing renameable under the cursor.
    NothingHere,
    /// The name is declared in the standard library (or is a builtin or context name).
    NotYours(String),
    /// The new name is not an identifier.
    InvalidName(String),
}

impl std::fmt::Display for RenameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenameError::NothingHere => f.write_str("nothing to rename here"),
            RenameError::NotYours(what) => write!(f, "{what} cannot be renamed"),
            RenameError::InvalidName(n) => write!(f, "`{n}` is not a name: use letters, digits and `_`"),
        }
    }
}

/// What a rename at `offset` would rename: its current name's span (file coordinates).
pub fn prepare_rename(a: &Analysis<'_>, file: SourceFile, offset: u32) -> Result<FileSpan, RenameError> {
    let loc = locate(a, file, offset).ok_or(RenameError::NothingHere)?;
    let target = denoted(a, &loc).ok_or(RenameError::NothingHere)?;
    let decl = match &target {
        Denoted::Item(_) | Denoted::Member(_) | Denoted::Local(_) => declaration(a, loc.item, &target),
        Denoted::Builtin(b) => return Err(RenameError::NotYours(format!("the builtin `{}`", b.name()))),
        Denoted::Context(c) => return Err(RenameError::NotYours(format!("the context name `{}`", c.as_str()))),
        Denoted::Module(m) => return Err(RenameError::NotYours(format!("the module `{m}`"))),
        Denoted::BuiltinField(_, n) => return Err(RenameError::NotYours(format!("the built-in field `{n}`"))),
    }
    .ok_or(RenameError::NothingHere)?;
    if decl.path.starts_with("std/") {
        return Err(RenameError::NotYours("a name of the standard library".to_string()));
    }
    // The span under the cursor that names it.
    references(a, file, offset)
        .into_iter()
        .find(|r| r.path == *file.path(a.db) && r.span.start <= offset && offset <= r.span.end)
        .ok_or(RenameError::NothingHere)
}

/// The edits renaming what is at `offset` to `new_name`: every reference, the declaration included.
pub fn rename(a: &Analysis<'_>, file: SourceFile, offset: u32, new_name: &str) -> Result<Vec<FileSpan>, RenameError> {
    prepare_rename(a, file, offset)?;
    let valid = new_name.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && new_name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if !valid {
        return Err(RenameError::InvalidName(new_name.to_string()));
    }
    Ok(references(a, file, offset))
}
