//! Position-independent signatures: what a schema, a type alias or a
//! function looks like from outside. These are the firewall queries: a body
//! edit that keeps a signature equal re-runs nothing downstream.

use std::sync::Arc;

use indexmap::IndexMap;
use sinfra_syntax::Span;
use sinfra_syntax::ast::{ItemKind, Member};

use crate::db::{Db, Project};
use crate::diagnostics::Code;
use crate::index::project_index;
use crate::items::{ItemId, ItemTag, item_syntax};
use crate::loc::{Diag, Loc};
use crate::resolve::{FileScope, lower_type, path_error};
use crate::ty::Ty;

/// Where a member lives: the declaring item and the member's index in its body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MemberRef {
    /// The schema declaring it.
    pub owner: ItemId,
    /// The index in that schema's body.
    pub index: usize,
}

/// A field of a schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldDef {
    /// Its type.
    pub ty: Ty,
    /// The declaration (in the schema that declared it first).
    pub decl: MemberRef,
    /// The default's member (a declaration with `= …` or a later override), if any.
    pub default: Option<MemberRef>,
    /// Its doc comment.
    pub doc: Option<String>,
    /// Marked `@address`.
    pub address: bool,
    /// The field name's span in the declaring schema.
    pub name_span: Span,
}

impl FieldDef {
    /// Whether an instance must set it.
    pub fn required(&self) -> bool {
        self.default.is_none() && !self.ty.is_optional()
    }
}

/// A schema with its inherited members flattened.
#[derive(Debug, PartialEq, Eq, Default)]
pub struct SchemaDef {
    /// Fields in declaration order, bases first.
    pub fields: IndexMap<String, FieldDef>,
    /// `let` members, bases first.
    pub lets: Vec<MemberRef>,
    /// `check` members, bases first.
    pub checks: Vec<MemberRef>,
    /// The schema and its bases, most derived first.
    pub chain: Vec<ItemId>,
    /// Problems in this schema's own declarations.
    pub diags: Vec<Diag>,
}

impl SchemaDef {
    /// Whether the schema is `base` or extends it.
    pub fn extends(&self, base: ItemId) -> bool {
        self.chain.contains(&base)
    }
}

/// The flattened signature of a schema.
#[salsa::tracked(returns(ref))]
pub fn schema_def(db: &dyn Db, project: Project, item: ItemId) -> Arc<SchemaDef> {
    let index = project_index(db, project);
    let mut def = SchemaDef::default();
    // Walk the `extends` chain without recursive queries, so a cycle is a diagnostic, not a salsa cycle.
    let mut chain = vec![item];
    let mut current = item;
    loop {
        let syntax = item_syntax(db, current);
        let ItemKind::Schema(decl) = &syntax.ast.kind else { break };
        let Some(base_path) = &decl.extends else { break };
        let scope = FileScope::new(db, index, current.file(db));
        match scope.path_item(base_path) {
            Ok(base) if base.tag(db) == ItemTag::Schema => {
                if chain.contains(&base) {
                    if current == item || chain.first() == Some(&item) && base == item {
                        let path: Vec<&str> = chain.iter().map(|i| i.name(db).as_str()).collect();
                        def.diags.push(
                            Diag::new(
                                Code::Cycle,
                                format!("schema `{}` extends itself", item.name(db)),
                                Loc::new(current, base_path.span),
                                "this closes the cycle",
                            )
                            .with_note(format!(
                                "cycle: {} → {}",
                                path.join(" → "),
                                base.name(db)
                            )),
                        );
                    }
                    break;
                }
                chain.push(base);
                current = base;
            }
            Ok(other) => {
                if current == item {
                    def.diags.push(Diag::new(
                        Code::TypeMismatch,
                        format!("`{}` is a {}, not a schema", base_path.text(), other.tag(db).describe()),
                        Loc::new(item, base_path.span),
                        "a schema can only extend a schema",
                    ));
                }
                break;
            }
            Err(e) => {
                if current == item {
                    def.diags.push(path_error(&scope, item, base_path, e, "schema"));
                }
                break;
            }
        }
    }
    // Flatten, bases first.
    for &owner in chain.iter().rev() {
        let syntax = item_syntax(db, owner);
        let ItemKind::Schema(decl) = &syntax.ast.kind else { continue };
        let scope = FileScope::new(db, index, owner.file(db));
        let mut sink = Vec::new();
        for (i, member) in decl.body.members.iter().enumerate() {
            let at = MemberRef { owner, index: i };
            match member {
                Member::FieldDecl(f) => {
                    let ty = lower_type(db, &scope, owner, &f.ty, &mut sink);
                    for attr in &f.attrs {
                        if attr.name != "address" {
                            sink.push(Diag::new(
                                Code::MisplacedItem,
                                format!("unknown attribute `@{}`", attr.name),
                                Loc::new(owner, attr.span),
                                "the only field attribute is `@address`",
                            ));
                        }
                    }
                    let field = FieldDef {
                        ty,
                        decl: at,
                        default: f.default.as_ref().map(|_| at),
                        doc: f.doc.clone(),
                        address: f.attrs.iter().any(|a| a.name == "address"),
                        name_span: f.name.span,
                    };
                    if owner == item
                        && let Some(prev) = def.fields.get(&f.name.name)
                        && prev.decl.owner == item
                    {
                        sink.push(
                            Diag::new(
                                Code::DuplicateDefinition,
                                format!("field `{}` is declared twice", f.name.name),
                                Loc::new(owner, f.name.span),
                                "declared again here",
                            )
                            .with_label(Loc::new(owner, prev.name_span), "first declared here"),
                        );
                    }
                    def.fields.insert(f.name.name.clone(), field);
                }
                Member::Assign(a) => match def.fields.get_mut(&a.name.name) {
                    Some(field) => field.default = Some(at),
                    None => {
                        if owner == item {
                            sink.push(unknown_field(db, item, &def, &a.name.name, a.name.span));
                        }
                    }
                },
                Member::Let(..) => def.lets.push(at),
                Member::Check(_) => def.checks.push(at),
                Member::Error(_) => {}
            }
        }
        if owner == item {
            def.diags.extend(sink);
        }
    }
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
    /// Problems in its declaration.
    pub diags: Vec<Diag>,
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
    let index = project_index(db, project);
    let syntax = item_syntax(db, item);
    let mut diags = Vec::new();
    let ItemKind::TypeAlias(decl) = &syntax.ast.kind else {
        return Arc::new(AliasDef { base: Ty::Error, refined: false, diags });
    };
    let scope = FileScope::new(db, index, item.file(db));
    let mut base = lower_type(db, &scope, item, &decl.ty, &mut diags);
    if base == Ty::Alias(item) {
        diags.push(Diag::new(Code::Cycle, "a type cannot be defined as itself", Loc::new(item, decl.ty.span), "here"));
        base = Ty::Error;
    }
    Arc::new(AliasDef { base, refined: decl.refinement.is_some(), diags })
}

/// A function's signature.
#[derive(Debug, PartialEq, Eq)]
pub struct FnSig {
    /// Parameter names and types.
    pub params: Vec<(String, Ty)>,
    /// The result type.
    pub ret: Ty,
    /// Problems in its declaration.
    pub diags: Vec<Diag>,
}

/// The signature of a `fn` item.
#[salsa::tracked(returns(ref))]
pub fn fn_sig(db: &dyn Db, project: Project, item: ItemId) -> Arc<FnSig> {
    let index = project_index(db, project);
    let syntax = item_syntax(db, item);
    let mut diags = Vec::new();
    let ItemKind::Fn(decl) = &syntax.ast.kind else {
        return Arc::new(FnSig { params: Vec::new(), ret: Ty::Error, diags });
    };
    let scope = FileScope::new(db, index, item.file(db));
    let params =
        decl.params.iter().map(|p| (p.name.name.clone(), lower_type(db, &scope, item, &p.ty, &mut diags))).collect();
    let ret = lower_type(db, &scope, item, &decl.ret, &mut diags);
    Arc::new(FnSig { params, ret, diags })
}
