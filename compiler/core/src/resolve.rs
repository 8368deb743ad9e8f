//! The names a file sees (its stdlib module, the project's globals and the
//! prelude, imported modules, builtins), dotted paths, and did-you-mean.
//! Resolving each name of an item — locals, fields and context names first —
//! is `hir::resolve`'s, once per item.

use crate::db::{Db, Origin, SourceFile};
use crate::eval::builtins;
use crate::hir::Name;
use crate::index::{Index, file_imports};
use crate::items::{ItemId, ItemTag};
use crate::stdlib;

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
    fn sees_module(&self, module: &str) -> bool {
        self.imports.iter().any(|i| i == module) || self.module == Some(module)
    }

    /// Resolves a dotted path to an item (`Limits`, `k8s.WebService`).
    pub fn path(&self, segments: &[Name]) -> Result<ItemId, PathError> {
        match segments {
            [one] => match self.global(one.as_str()) {
                Some(Global::Item(i)) => Ok(i),
                _ => Err(PathError::Unknown(0)),
            },
            [module, member] => {
                if !self.sees_module(module) {
                    return Err(if stdlib::is_importable(module.as_str()) {
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
