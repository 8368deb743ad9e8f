//! What the receiver of `e.` is, for completion, hover and go-to-definition
//! on field names: a schema instance, a module, a tier, a region or a stack.

use sinfra_compiler::hir::resolve::{ContextName, Res, SchemaInScope, resolve_item, schema_in_scope};
use sinfra_compiler::hir::{BindingKind, Expr, ExprId, ItemKind, Name, item_hir};
use sinfra_compiler::index::project_index;
use sinfra_compiler::items::{ItemId, ItemTag};
use sinfra_compiler::signatures::{fn_sig, schema_def, underlying};
use sinfra_compiler::ty::Ty;

use crate::Analysis;

/// What a value is, as far as the editor features need to know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shape {
    /// An instance of this schema.
    Schema(ItemId),
    /// An imported stdlib module.
    Module(Name),
    /// A tier.
    Tier,
    /// A region.
    Region,
    /// A stack.
    Stack,
    /// A secret reference.
    Secret,
}

/// The built-in fields of tiers, regions, stacks and secrets, with their meaning.
pub fn builtin_fields(shape: &Shape) -> &'static [(&'static str, &'static str)] {
    match shape {
        Shape::Tier => &[("name", "the tier's name"), ("protected", "whether the tier is protected")],
        Shape::Region => &[("name", "the cloud's name of the region"), ("id", "the region's name in sinfra")],
        Shape::Stack => &[
            ("name", "the stack's name as a DNS label"),
            ("id", "the stack's name in sinfra"),
            ("namespace", "the stack's Kubernetes namespace"),
            ("cluster", "the stack's cluster"),
            ("tier", "the stack's tier"),
            ("region", "the stack's region"),
        ],
        Shape::Secret => &[("name", "the Secret's name"), ("key", "the key in the Secret")],
        _ => &[],
    }
}

/// The schema an instance item (resource or service) instantiates.
pub fn schema_of_instance(a: &Analysis<'_>, item: ItemId) -> Option<ItemId> {
    match schema_in_scope(a.db, a.project, item, item_hir(a.db, item)) {
        SchemaInScope::Schema(s) => Some(s),
        SchemaInScope::Open | SchemaInScope::None => None,
    }
}

/// The shape of a declared type.
pub fn shape_of_ty(a: &Analysis<'_>, ty: &Ty) -> Option<Shape> {
    match underlying(a.db, a.project, ty, true) {
        Ty::Schema(s) => Some(Shape::Schema(s)),
        Ty::Tier => Some(Shape::Tier),
        Ty::Region => Some(Shape::Region),
        Ty::Stack => Some(Shape::Stack),
        Ty::Secret => Some(Shape::Secret),
        _ => None,
    }
}

/// The type of field `name` of the schema in scope in `item` (or of `schema`).
pub fn field_ty(a: &Analysis<'_>, schema: ItemId, name: &str) -> Option<Ty> {
    schema_def(a.db, a.project, schema).fields.get(name).map(|f| f.ty.clone())
}

/// The shape of expression `expr` of `item`, where it can be told without evaluating.
pub fn shape_of(a: &Analysis<'_>, item: ItemId, expr: ExprId) -> Option<Shape> {
    let db = a.db;
    let hir = item_hir(db, item);
    match hir.body.expr(expr) {
        Expr::Name(_) => match resolve_item(db, a.project, item).get(expr) {
            Res::Item(i) if matches!(i.tag(db), ItemTag::Resource | ItemTag::Service) => {
                schema_of_instance(a, *i).map(Shape::Schema)
            }
            Res::Item(i) if i.tag(db) == ItemTag::Let => {
                let let_hir = item_hir(db, *i);
                match &let_hir.kind {
                    ItemKind::Let { value, .. } => shape_of(a, *i, *value),
                    _ => None,
                }
            }
            Res::Field(n) | Res::Dynamic(n) => {
                let schema = schema_of_instance(a, item)?;
                shape_of_ty(a, &field_ty(a, schema, n)?)
            }
            Res::Module(m) => Some(Shape::Module(*m)),
            Res::Context(ContextName::Tier) => Some(Shape::Tier),
            Res::Context(ContextName::Region) => Some(Shape::Region),
            Res::Context(ContextName::Stack) => Some(Shape::Stack),
            Res::Context(ContextName::Platform) => project_index(db, a.project).global("Platform").map(Shape::Schema),
            _ => None,
        },
        Expr::SelfRef => schema_of_instance(a, item).map(Shape::Schema),
        Expr::Super(name) => {
            let b = sinfra_compiler::super_field::base_field(db, a.project, item, name.as_str()).ok()?;
            shape_of_ty(a, &b.field.ty)
        }
        Expr::Local(b) => {
            let binding = hir.body.binding(*b)?;
            match binding.kind {
                BindingKind::Param => {
                    let ItemKind::Fn { params, .. } = &hir.kind else { return None };
                    let i = params.iter().position(|p| p.binding == *b)?;
                    shape_of_ty(a, &fn_sig(db, a.project, item).params.get(i)?.1)
                }
                BindingKind::Let => hir.body.exprs.values().find_map(|e| match e {
                    Expr::Let { binding, value, .. } if binding == b => shape_of(a, item, *value),
                    _ => None,
                }),
                _ => None,
            }
        }
        Expr::Field(base, name) => match shape_of(a, item, *base)? {
            Shape::Schema(s) => shape_of_ty(a, &field_ty(a, s, name.as_str())?),
            Shape::Module(m) => {
                let member = project_index(db, a.project).member(&m, name.as_str())?;
                match member.tag(db) {
                    ItemTag::Resource | ItemTag::Service => schema_of_instance(a, member).map(Shape::Schema),
                    _ => None,
                }
            }
            Shape::Stack if name.as_str() == "tier" => Some(Shape::Tier),
            Shape::Stack if name.as_str() == "region" => Some(Shape::Region),
            _ => None,
        },
        Expr::At(base, _) => shape_of(a, item, *base),
        Expr::Call(callee, _) => match resolve_item(db, a.project, item).get(*callee) {
            Res::Item(f) if f.tag(db) == ItemTag::Fn => shape_of_ty(a, &fn_sig(db, a.project, *f).ret),
            _ => None,
        },
        _ => None,
    }
}
