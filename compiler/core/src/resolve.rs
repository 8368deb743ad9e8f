//! Name lookup rules shared by the checker and the evaluator.
//!
//! Order: locals, then the fields of the instance being built, then the
//! context names (`tier`, `region`, `stack`, `name`, `protected`, `platform`,
//! `project`), then the file's own stdlib module, the project's globals and
//! the prelude, imported modules, and builtins.

use sinfra_syntax::ast::{Path, TypeExpr, TypeExprKind};

use crate::db::{Db, Origin, SourceFile};
use crate::diagnostics::Code;
use crate::eval::builtins;
use crate::index::{Index, file_imports};
use crate::items::{ItemId, ItemTag};
use crate::loc::{Diag, Loc};
use crate::stdlib;
use crate::ty::Ty;

/// The names a file can see.
#[derive(Clone, Copy)]
pub struct FileScope<'a> {
    /// The project index.
    pub index: &'a Index,
    /// The modules the file imports.
    pub imports: &'a [String],
    /// The stdlib module the file is, if it is one (its items are visible unqualified).
    pub module: Option<&'static str>,
}

/// What a global name refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Global {
    /// An item.
    Item(ItemId),
    /// An imported stdlib module.
    Module(String),
    /// A builtin function.
    Builtin(builtins::Builtin),
}

/// The context names available in instance bodies and schemas.
pub const CONTEXT_NAMES: &[&str] = &["tier", "region", "stack", "name", "protected", "platform", "project"];

impl<'a> FileScope<'a> {
    /// The scope of `file`.
    pub fn new(db: &'a dyn Db, index: &'a Index, file: SourceFile) -> FileScope<'a> {
        let module = match file.origin(db) {
            Origin::Stdlib => stdlib::module_of_path(file.path(db)),
            Origin::Project => None,
        };
        FileScope { index, imports: file_imports(db, file).as_slice(), module }
    }

    /// Resolves a global name.
    pub fn global(&self, name: &str) -> Option<Global> {
        if let Some(m) = self.module
            && let Some(item) = self.index.member(m, name)
        {
            return Some(Global::Item(item));
        }
        if let Some(item) = self.index.global(name) {
            return Some(Global::Item(item));
        }
        if self.imports.iter().any(|i| i == name) {
            return Some(Global::Module(name.to_string()));
        }
        builtins::Builtin::from_name(name).map(Global::Builtin)
    }

    /// Every global name visible (for did-you-mean).
    pub fn candidates(&self) -> Vec<String> {
        let mut names: Vec<String> = self.index.globals.keys().cloned().collect();
        if let Some(m) = self.module
            && let Some(items) = self.index.modules.get(m)
        {
            names.extend(items.keys().cloned());
        }
        names.extend(self.imports.iter().cloned());
        names.extend(builtins::Builtin::ALL.iter().map(|b| b.name().to_string()));
        names.extend(CONTEXT_NAMES.iter().map(|s| s.to_string()));
        names
    }

    /// Whether `module.member` paths may name `module` here (imported, or the file's own module).
    pub fn sees_module(&self, module: &str) -> bool {
        self.imports.iter().any(|i| i == module) || self.module == Some(module)
    }

    /// Resolves a dotted path to an item (`Limits`, `k8s.WebService`).
    pub fn path_item(&self, path: &Path) -> Result<ItemId, PathError> {
        let segments: Vec<&str> = path.segments.iter().map(|s| s.name.as_str()).collect();
        self.path_names(&segments)
    }

    /// Resolves a dotted path given as its segments.
    pub fn path_names(&self, segments: &[&str]) -> Result<ItemId, PathError> {
        match segments {
            [one] => match self.global(one) {
                Some(Global::Item(i)) => Ok(i),
                _ => Err(PathError::Unknown(0)),
            },
            [module, member] => {
                if !self.sees_module(module) {
                    return Err(if self.index.modules.contains_key(*module) {
                        PathError::NotImported(module.to_string())
                    } else {
                        PathError::Unknown(0)
                    });
                }
                self.index.member(module, member).ok_or(PathError::Unknown(1))
            }
            _ => Err(PathError::Unknown(0)),
        }
    }
}

/// Why a path did not resolve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathError {
    /// Segment `n` names nothing.
    Unknown(usize),
    /// A stdlib module used without its `import`.
    NotImported(String),
}

/// The closest candidate to `name`, for "did you mean".
pub fn did_you_mean<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, c)| *score > 0.8 && *c != name)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

/// Reports a path that did not resolve.
pub fn path_error(scope: &FileScope<'_>, item: ItemId, path: &Path, err: PathError, what: &str) -> Diag {
    match err {
        PathError::NotImported(module) => Diag::new(
            Code::UnknownModule,
            format!("module `{module}` is not imported"),
            Loc::new(item, path.segments[0].span),
            "used here without `import`",
        )
        .with_help(format!("add `import std.{module}` at the top of the file")),
        PathError::Unknown(seg) => {
            let ident = &path.segments[seg.min(path.segments.len() - 1)];
            let candidates: Vec<String> = if seg == 0 {
                let mut c = scope.candidates();
                c.extend(Ty::PRIMITIVES.iter().map(|s| s.to_string()));
                c
            } else {
                scope.index.modules.get(&path.segments[0].name).map(|m| m.keys().cloned().collect()).unwrap_or_default()
            };
            let mut d = Diag::new(
                Code::UnknownName,
                format!("unknown {what} `{}`", path.text()),
                Loc::new(item, ident.span),
                format!("no {what} of this name"),
            );
            if let Some(s) = did_you_mean(&ident.name, candidates.iter().map(String::as_str)) {
                d = d.with_help(format!("did you mean `{s}`?")).with_fix(
                    format!("replace with `{s}`"),
                    Loc::new(item, ident.span),
                    s,
                );
            }
            d
        }
    }
}

/// Lowers a type expression; unknown names are reported and become [`Ty::Error`].
pub fn lower_type(db: &dyn Db, scope: &FileScope<'_>, item: ItemId, t: &TypeExpr, diags: &mut Vec<Diag>) -> Ty {
    match &t.kind {
        TypeExprKind::Path(path) => {
            if let [one] = path.segments.as_slice()
                && let Some(p) = Ty::primitive(&one.name)
            {
                return p;
            }
            match scope.path_item(path) {
                Ok(target) => match target.tag(db) {
                    ItemTag::Schema => Ty::Schema(target),
                    ItemTag::Type => Ty::Alias(target),
                    _ => {
                        diags.push(Diag::new(
                            Code::TypeMismatch,
                            format!("`{}` is a {}, not a type", path.text(), target.tag(db).describe()),
                            Loc::new(item, path.span),
                            "expected a type here",
                        ));
                        Ty::Error
                    }
                },
                Err(e) => {
                    diags.push(path_error(scope, item, path, e, "type"));
                    Ty::Error
                }
            }
        }
        TypeExprKind::List(inner) => Ty::List(Box::new(lower_type(db, scope, item, inner, diags))),
        TypeExprKind::Map(k, v) => {
            let key = lower_type(db, scope, item, k, diags);
            if !matches!(key, Ty::String | Ty::Error) {
                diags.push(Diag::new(
                    Code::TypeMismatch,
                    "map keys must be `String`",
                    Loc::new(item, k.span),
                    "not `String`",
                ));
            }
            Ty::Map(Box::new(lower_type(db, scope, item, v, diags)))
        }
        TypeExprKind::Optional(inner) => Ty::Optional(Box::new(lower_type(db, scope, item, inner, diags))),
        TypeExprKind::Union(ts) => Ty::Union(ts.iter().map(|t| lower_type(db, scope, item, t, diags)).collect()),
        TypeExprKind::StrLit(s) => Ty::Lit(s.clone()),
        TypeExprKind::Error => Ty::Error,
    }
}

impl ItemTag {
    /// A noun for messages.
    pub fn describe(self) -> &'static str {
        match self {
            ItemTag::Import => "import",
            ItemTag::Platform => "platform",
            ItemTag::Tier => "tier",
            ItemTag::Region => "region",
            ItemTag::Stack => "stack",
            ItemTag::Let => "constant",
            ItemTag::Fn => "function",
            ItemTag::Schema => "schema",
            ItemTag::Type => "type",
            ItemTag::Resource => "resource",
            ItemTag::Service => "service",
            ItemTag::Policy => "policy",
            ItemTag::Error => "item",
        }
    }
}
