//! What `super.f` denotes: in a schema that `extends` another, the base
//! schema's value of field `f` for the same instance. One answer for the
//! static check (types and errors), the evaluator (which expression to run)
//! and the editor (where to jump).

use crate::db::{Db, Project};
use crate::diagnostics::{Code, Diagnostic};
use crate::hir::{ItemKind, item_hir};
use crate::items::ItemId;
use crate::signatures::{FieldDef, MemberRef, schema_def};

/// The base's field `super.f` reads.
#[derive(Clone, Debug, PartialEq)]
pub struct BaseField {
    /// The schema `super` names: the direct base of the schema the code is in.
    pub base: ItemId,
    /// The field as the base sees it (its type, declaration and default).
    pub field: FieldDef,
    /// The member giving the base's value: its declaration's default or an
    /// override; `None` for an optional field without one (its value is `none`).
    pub value: Option<MemberRef>,
}

/// Why `super.f` denotes nothing.
#[derive(Clone, Debug, PartialEq)]
pub enum SuperError {
    /// Written outside a schema (in a function, an instance, a policy…).
    NotInSchema,
    /// Written in schema `schema`, which extends nothing.
    NoBase {
        /// The schema.
        schema: ItemId,
    },
    /// The base has no field of that name.
    UnknownField {
        /// The base schema.
        base: ItemId,
        /// The closest field name of the base, if one is close.
        suggestion: Option<String>,
    },
    /// The base declares a required field without a value (instances must set it).
    NoValue {
        /// The base schema.
        base: ItemId,
        /// The field's declaration.
        decl: MemberRef,
    },
}

/// Resolves `super.<name>` written in `item`.
pub fn base_field(db: &dyn Db, project: Project, item: ItemId, name: &str) -> Result<BaseField, SuperError> {
    if !matches!(item_hir(db, item).kind, ItemKind::Schema { .. }) {
        return Err(SuperError::NotInSchema);
    }
    let chain = schema_def(db, project, item).chain.clone();
    let Some(&base) = chain.get(1) else { return Err(SuperError::NoBase { schema: item }) };
    let def = schema_def(db, project, base);
    let Some(field) = def.fields.get(name) else {
        let suggestion = crate::resolve::did_you_mean(name, def.fields.keys().map(String::as_str));
        return Err(SuperError::UnknownField { base, suggestion: suggestion.map(str::to_string) });
    };
    match field.default {
        None if !field.ty.is_optional() => Err(SuperError::NoValue { base, decl: field.decl }),
        value => Ok(BaseField { base, field: field.clone(), value }),
    }
}

impl SuperError {
    /// The diagnostic for `super.<name>`: `whole` is the expression, `name_at` its field name.
    pub fn diagnostic<L: Clone>(&self, db: &dyn Db, name: &str, whole: L, name_at: L) -> Diagnostic<L> {
        match self {
            SuperError::NotInSchema => Diagnostic::new(
                Code::MisplacedItem,
                "`super` is only available in a schema that extends another",
                whole,
                "not inside a schema",
            )
            .with_help(format!(
                "`super.{name}` reads the base schema's `{name}`; declare `schema Name extends Base {{ … }}` and write it there"
            )),
            SuperError::NoBase { schema } => Diagnostic::new(
                Code::MisplacedItem,
                format!("`super` in schema `{}`, which extends nothing", schema.name(db)),
                whole,
                "no base schema",
            )
            .with_help(format!("declare the base: `schema {} extends Base {{ … }}`", schema.name(db))),
            SuperError::UnknownField { base, suggestion } => {
                let base = base.name(db);
                let d = Diagnostic::new(
                    Code::UnknownField,
                    format!("unknown field `{name}` in base schema `{base}`"),
                    name_at.clone(),
                    format!("`{base}` has no field `{name}`"),
                );
                match suggestion {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")).with_fix(
                        format!("replace `{name}` with `{s}`"),
                        name_at,
                        s.clone(),
                    ),
                    None => d.with_help(format!("`super` reaches the fields of `{base}` only")),
                }
            }
            SuperError::NoValue { base, .. } => Diagnostic::new(
                Code::MissingField,
                format!("`super.{name}` has no value: `{}` declares `{name}` without a default", base.name(db)),
                name_at,
                "no value in the base",
            )
            .with_help(format!("give `{name}` a default in `{}`, or compute the value here", base.name(db))),
        }
    }
}
