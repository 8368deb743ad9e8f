//! Every name of an item resolved once, kept in a query result.
//!
//! Locals are bound during lowering ([`Expr::Local`]); this resolves the
//! rest. Order: the fields and member `let`s of the instance in scope
//! (skipped by a callee: `image = image("api")` calls the builtin), then the
//! context names, then the file's own stdlib module, the project's globals
//! and the prelude, imported modules and builtins.

use std::sync::Arc;

use la_arena::ArenaMap;
use rustc_hash::FxHashSet;

use super::{Expr, ExprId, ItemHir, ItemKind, Member, Name, item_hir};
use crate::db::{Db, Project};
use crate::eval::builtins::Builtin;
use crate::index::project_index;
use crate::items::{ItemId, ItemTag};
use crate::resolve::{FileScope, Global};

use crate::signatures::schema_def;

/// The names every instance body, schema and policy can read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContextName {
    /// `tier`: the stack's tier.
    Tier,
    /// `region`: the stack's region.
    Region,
    /// `stack`: the stack.
    Stack,
    /// `name`: the instance's name as a DNS label.
    Name,
    /// `protected`: whether the instance is protected.
    Protected,
    /// `platform`: the platform block in this stack.
    Platform,
    /// `project`: the project's name and settings.
    Project,
}

impl ContextName {
    /// Every context name, for completion and did-you-mean.
    pub const ALL: [ContextName; 7] = [
        ContextName::Tier,
        ContextName::Region,
        ContextName::Stack,
        ContextName::Name,
        ContextName::Protected,
        ContextName::Platform,
        ContextName::Project,
    ];

    /// The name as written.
    pub fn as_str(self) -> &'static str {
        match self {
            ContextName::Tier => "tier",
            ContextName::Region => "region",
            ContextName::Stack => "stack",
            ContextName::Name => "name",
            ContextName::Protected => "protected",
            ContextName::Platform => "platform",
            ContextName::Project => "project",
        }
    }

    /// The context name spelled `text`.
    pub fn from_name(text: &str) -> Option<ContextName> {
        ContextName::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// What a name denotes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Res {
    /// A field or member `let` of the instance being built.
    Field(Name),
    /// In a policy over every service: a field of the service being checked if
    /// it has one, else what the name denotes globally (decided per service).
    Dynamic(Name),
    /// A context name.
    Context(ContextName),
    /// An item (function, constant, resource, service, tier, region, stack…).
    Item(ItemId),
    /// An imported stdlib module.
    Module(Name),
    /// A builtin function.
    Builtin(Builtin),
    /// Nothing of this name is visible (reported by the checker).
    Unresolved,
}

/// The resolution of every [`Expr::Name`] of one item.
#[derive(Debug, PartialEq, Default)]
pub struct Resolutions {
    names: ArenaMap<ExprId, Res>,
}

impl Resolutions {
    /// What the name expression `expr` denotes ([`Res::Unresolved`] for other expressions).
    pub fn get(&self, expr: ExprId) -> &Res {
        static UNRESOLVED: Res = Res::Unresolved;
        self.names.get(expr).unwrap_or(&UNRESOLVED)
    }

    /// Every resolved name expression.
    pub fn iter(&self) -> impl Iterator<Item = (ExprId, &Res)> {
        self.names.iter()
    }
}

/// The fields an item's code sees unqualified.
#[derive(Debug, Default)]
pub struct FieldScope {
    /// Field and member `let` names.
    pub names: FxHashSet<Name>,
    /// A policy over every service: any field of the service checked is visible.
    pub open: bool,
}

/// Whose fields `item`'s code sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaInScope {
    /// This schema's (a schema itself, an instance's or a policy's schema, the platform block's `Platform`).
    Schema(ItemId),
    /// Any service's: a policy without a schema.
    Open,
    /// None (functions, constants; a schema path that names no schema).
    None,
}

/// The schema whose fields are in scope in `item`'s code.
pub fn schema_in_scope(db: &dyn Db, project: Project, item: ItemId, hir: &ItemHir) -> SchemaInScope {
    let index = project_index(db, project);
    let schema_of = |path: &[Name]| {
        let scope = FileScope::new(db, index, item.file(db));
        match scope.path(path) {
            Ok(i) if i.tag(db) == ItemTag::Schema => SchemaInScope::Schema(i),
            _ => SchemaInScope::None,
        }
    };
    match &hir.kind {
        ItemKind::Schema { .. } => SchemaInScope::Schema(item),
        ItemKind::Instance { schema, .. } => schema_of(schema),
        ItemKind::Policy { schema: Some(schema), .. } => schema_of(schema),
        ItemKind::Policy { schema: None, .. } => SchemaInScope::Open,
        ItemKind::Platform { .. } => match index.global("Platform").filter(|s| s.tag(db) == ItemTag::Schema) {
            Some(s) => SchemaInScope::Schema(s),
            None => SchemaInScope::None,
        },
        _ => SchemaInScope::None,
    }
}

/// The fields visible in `item`'s code: a schema's own and inherited fields
/// and lets; an instance's schema's, plus its own lets; a policy's schema's
/// (open when it has none), plus its own lets; the platform block's `Platform`.
pub fn field_scope(db: &dyn Db, project: Project, item: ItemId, hir: &ItemHir) -> FieldScope {
    let mut fields = FieldScope::default();
    let add_schema = |fields: &mut FieldScope, schema: ItemId| {
        let def = schema_def(db, project, schema);
        fields.names.extend(def.fields.keys().map(|k| Name::new(k)));
        for m in &def.lets {
            let owner = item_hir(db, m.owner);
            if let Some(Member::Let { name, .. }) = owner.kind.members().get(m.index).map(|&id| &owner.body[id]) {
                fields.names.insert(*name);
            }
        }
    };
    match schema_in_scope(db, project, item, hir) {
        SchemaInScope::Schema(s) => add_schema(&mut fields, s),
        SchemaInScope::Open => fields.open = true,
        SchemaInScope::None => {}
    }
    let own_lets = hir.kind.members().iter().filter_map(|&m| match &hir.body[m] {
        Member::Let { name, .. } => Some(*name),
        _ => None,
    });
    fields.names.extend(own_lets);
    fields
}

/// Resolves every name of `item` once.
#[salsa::tracked(returns(ref))]
pub fn resolve_item(db: &dyn Db, project: Project, item: ItemId) -> Arc<Resolutions> {
    let hir = item_hir(db, item);
    let index = project_index(db, project);
    let scope = FileScope::new(db, index, item.file(db));
    let fields = field_scope(db, project, item, hir);
    let callees: FxHashSet<ExprId> = hir
        .body
        .exprs
        .values()
        .filter_map(|e| match e {
            Expr::Call(callee, _) => Some(*callee),
            _ => None,
        })
        .collect();
    let mut names = ArenaMap::default();
    for (id, expr) in hir.body.exprs.iter() {
        let Expr::Name(name) = expr else { continue };
        let callee = callees.contains(&id);
        let res = if !callee && fields.names.contains(name) {
            Res::Field(*name)
        } else if !callee && fields.open {
            Res::Dynamic(*name)
        } else if let Some(c) = ContextName::from_name(name.as_str()) {
            Res::Context(c)
        } else {
            global(&scope, *name)
        };
        names.insert(id, res);
    }
    Arc::new(Resolutions { names })
}

/// What `name` denotes among the file's globals (items, modules, builtins).
pub fn global(scope: &FileScope<'_>, name: Name) -> Res {
    match scope.global(name.as_str()) {
        Some(Global::Item(i)) => Res::Item(i),
        Some(Global::Module(m)) => Res::Module(Name::new(&m)),
        Some(Global::Builtin(b)) => Res::Builtin(b),
        None => Res::Unresolved,
    }
}
