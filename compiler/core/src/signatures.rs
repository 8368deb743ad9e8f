//! Position-independent signatures: what a schema, a type alias or a
//! function looks like from outside. These are the firewall queries: a body
//! edit that keeps a signature equal re-runs nothing downstream.

use std::sync::Arc;

use indexmap::IndexMap;
use sinfra_syntax::Span;

use crate::db::{Db, Project};
use crate::diagnostics::Code;
use crate::hir::types::item_types;
use crate::hir::{ItemKind, Member, item_hir};
use crate::index::project_index;
use crate::items::{ItemId, ItemTag};
use crate::loc::{Diag, Loc};
use crate::resolve::FileScope;
use crate::ty::Ty;

/// Where a member lives: the declaring item and the member's index in its body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MemberRef {
    /// The schema declaring it.
    pub owner: ItemId,
    /// The index in that schema's body.
    pub index: usize,
}

/// A field of a schema. Position-free: where it is declared is a [`MemberRef`],
/// located (and documented) through the declaring item's source map.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldDef {
    /// Its type.
    pub ty: Ty,
    /// The declaration (in the schema that declared it first).
    pub decl: MemberRef,
    /// The default's member (a declaration with `= …` or a later override), if any.
    pub default: Option<MemberRef>,
    /// Marked `@address`.
    pub address: bool,
}

impl FieldDef {
    /// Whether an instance must set it.
    pub fn required(&self) -> bool {
        self.default.is_none() && !self.ty.is_optional()
    }
}

/// A schema with its inherited members flattened. Position-free: typing
/// whitespace inside a schema leaves it equal, so its instances are not
/// evaluated again; the problems of its declaration are
/// `check::signature_diagnostics`'.
#[derive(Debug, PartialEq, Eq, Default)]
pub struct SchemaDef {
    /// Fields in declaration order, bases first.
    pub fields: IndexMap<String, FieldDef>,
    /// The fields' names, interned, in the same order (the evaluator's record keys).
    pub field_names: Vec<crate::hir::Name>,
    /// `let` members, bases first.
    pub lets: Vec<MemberRef>,
    /// `check` members, bases first.
    pub checks: Vec<MemberRef>,
    /// The schema and its bases, most derived first.
    pub chain: Vec<ItemId>,
    /// A *shape*: no field has a default, and there are no `let`s or `check`s
    /// (the generated Kubernetes types). A record given for a shape is checked
    /// field by field and keeps its own fields, in its own order: nothing is
    /// computed or filled in (reading a field it leaves out gives `none`).
    pub shape: bool,
}

impl SchemaDef {
    /// Whether the schema is `base` or extends it.
    pub fn extends(&self, base: ItemId) -> bool {
        self.chain.contains(&base)
    }
}

/// The `///` doc comment of a member (a field's, for hover and completion).
pub fn member_doc(db: &dyn Db, m: MemberRef) -> Option<String> {
    let hir = item_hir(db, m.owner);
    let id = *hir.kind.members().get(m.index)?;
    crate::hir::item_source_map(db, m.owner).member(id).doc.as_deref().map(str::to_string)
}

/// The schemas `item` extends, most derived first, stopping before a cycle
/// or at what is not a schema (reported by `check::signature_diagnostics`).
pub fn schema_chain(db: &dyn Db, project: Project, item: ItemId) -> Vec<ItemId> {
    let index = project_index(db, project);
    let mut chain = vec![item];
    let mut current = item;
    // Iterative, without recursive queries: a cycle is a diagnostic, not a salsa cycle.
    loop {
        let hir = item_hir(db, current);
        let ItemKind::Schema { extends: Some(base), .. } = &hir.kind else { break };
        let scope = FileScope::new(db, index, current.file(db));
        match scope.path(base).ok() {
            Some(b) if b.tag(db) == ItemTag::Schema && !chain.contains(&b) => {
                chain.push(b);
                current = b;
            }
            _ => break,
        }
    }
    chain
}

/// The flattened signature of a schema.
#[salsa::tracked(returns(ref))]
pub fn schema_def(db: &dyn Db, project: Project, item: ItemId) -> Arc<SchemaDef> {
    let chain = schema_chain(db, project, item);
    let mut def = SchemaDef::default();
    // Flatten, bases first.
    for &owner in chain.iter().rev() {
        let hir = item_hir(db, owner);
        if !matches!(hir.kind, ItemKind::Schema { .. }) {
            continue;
        }
        let types = item_types(db, project, owner);
        for (index, &m) in hir.kind.members().iter().enumerate() {
            let at = MemberRef { owner, index };
            match &hir.body[m] {
                Member::Field { attrs, name, ty, default } => {
                    let field = FieldDef {
                        ty: types.get(*ty).clone(),
                        decl: at,
                        default: default.map(|_| at),
                        address: attrs.iter().any(|a| a.as_str() == "address"),
                    };
                    def.fields.insert(name.to_string(), field);
                }
                Member::Assign { name, .. } => {
                    if let Some(field) = def.fields.get_mut(name.as_str()) {
                        field.default = Some(at);
                    }
                }
                Member::Let { .. } => def.lets.push(at),
                Member::Check { .. } => def.checks.push(at),
                Member::Error => {}
            }
        }
    }
    def.field_names = def.fields.keys().map(|k| crate::hir::Name::new(k)).collect();
    def.shape = def.lets.is_empty() && def.checks.is_empty() && def.fields.values().all(|f| f.default.is_none());
    def.chain = chain;
    Arc::new(def)
}

/// An "unknown field" diagnostic with a did-you-mean and a fix.
pub fn unknown_field(db: &dyn Db, at_item: ItemId, def: &SchemaDef, name: &str, span: Span) -> Diag {
    let schema = def.chain.first().map(|s| s.name(db).clone()).unwrap_or_default();
    let mut d = Diag::new(
        Code::UnknownField,
        format!("unknown field `{name}` in `{schema}`"),
        Loc::new(at_item, span),
        format!("`{schema}` has no field `{name}`"),
    );
    match crate::resolve::did_you_mean(name, def.fields.keys().map(String::as_str)) {
        Some(s) => {
            d = d.with_help(format!("did you mean `{s}`?")).with_fix(
                format!("replace `{name}` with `{s}`"),
                Loc::new(at_item, span),
                s,
            )
        }
        None => {
            let fields: Vec<&str> = def.fields.keys().map(String::as_str).collect();
            d = d.with_note(format!("the fields of `{schema}` are: {}", fields.join(", ")));
        }
    }
    d
}

/// A type alias: its underlying type and whether it is refined.
#[derive(Debug, PartialEq, Eq)]
pub struct AliasDef {
    /// The underlying type.
    pub base: Ty,
    /// Has a `where` refinement.
    pub refined: bool,
}

/// The type under `ty`'s aliases (`Cpu` → `Cores`), and under `T?` too when
/// `through_optional`. Alias chains are bounded (a cycle of aliases is E0308).
pub fn underlying(db: &dyn Db, project: Project, ty: &Ty, through_optional: bool) -> Ty {
    let mut t = ty.clone();
    for _ in 0..16 {
        match t {
            Ty::Alias(a) => t = alias_def(db, project, a).base.clone(),
            Ty::Optional(inner) if through_optional => t = *inner,
            other => return other,
        }
    }
    Ty::Error
}

/// The signature of a `type` item.
#[salsa::tracked(returns(ref))]
pub fn alias_def(db: &dyn Db, project: Project, item: ItemId) -> Arc<AliasDef> {
    let hir = item_hir(db, item);
    let ItemKind::TypeAlias { ty, refinement } = &hir.kind else {
        return Arc::new(AliasDef { base: Ty::Error, refined: false });
    };
    let mut base = item_types(db, project, item).get(*ty).clone();
    if base == Ty::Alias(item) {
        base = Ty::Error; // reported by `check::signature_diagnostics`
    }
    Arc::new(AliasDef { base, refined: refinement.is_some() })
}

/// A function's signature.
#[derive(Debug, PartialEq, Eq)]
pub struct FnSig {
    /// Parameter names and types.
    pub params: Vec<(String, Ty)>,
    /// The result type.
    pub ret: Ty,
}

/// The signature of a `fn` item.
#[salsa::tracked(returns(ref))]
pub fn fn_sig(db: &dyn Db, project: Project, item: ItemId) -> Arc<FnSig> {
    let hir = item_hir(db, item);
    let ItemKind::Fn { params, ret, .. } = &hir.kind else {
        return Arc::new(FnSig { params: Vec::new(), ret: Ty::Error });
    };
    let types = item_types(db, project, item);
    let params = params.iter().map(|p| (hir.body[p.binding].name.to_string(), types.get(p.ty).clone())).collect();
    Arc::new(FnSig { params, ret: types.get(*ret).clone() })
}
