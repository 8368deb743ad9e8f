//! Static types, for the mistakes that need no evaluation: what the checker
//! knows of a value's type ([`STy`]), the result of an operator, and whether
//! a value fits where it is given.
//!
//! The types are deliberately partial: a type it does not know is
//! [`STy::Unknown`] and never reported, so every report is a definite mistake.
//! The rules mirror the evaluator's (`eval/operators.rs`, `eval/conform.rs`).
//! [`super::infer`] applies them to an item's HIR.

use std::sync::Arc;

use crate::db::{Db, Project};
use crate::hir::BinaryOp;
use crate::items::ItemId;
use crate::signatures::underlying;
use crate::ty::{Dim, Ty};

/// What the checker knows of a value's type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum STy {
    /// Not known statically: never reported.
    Unknown,
    /// `Int`
    Int,
    /// `Float`
    Float,
    /// `Bool`
    Bool,
    /// `String`
    Str,
    /// A quantity of a dimension.
    Quantity(Dim),
    /// `Duration`
    Duration,
    /// `Percent`
    Percent,
    /// A list.
    List,
    /// An instance of a schema.
    Schema(ItemId),
    /// A declared tier.
    Tier,
    /// A declared region.
    Region,
    /// A declared stack.
    Stack,
    /// One of the members of a literal union (`"TCP" | "UDP"`).
    Literals(Arc<[Box<str>]>),
    /// `Bool?`: a `Bool` or `none` (unknown to operators; a `match` decides on the `Bool`s).
    OptionalBool,
}

impl STy {
    /// The type's name in messages.
    pub fn name(&self) -> &'static str {
        match self {
            STy::Unknown => "{unknown}",
            STy::Int => "Int",
            STy::Float => "Float",
            STy::Bool | STy::OptionalBool => "Bool",
            STy::Str | STy::Literals(_) => "String",
            STy::Quantity(d) => d.type_name(),
            STy::Duration => "Duration",
            STy::Percent => "Percent",
            STy::List => "list",
            STy::Schema(_) => "schema instance",
            STy::Tier => "Tier",
            STy::Region => "Region",
            STy::Stack => "Stack",
        }
    }

    fn is_number(&self) -> bool {
        matches!(self, STy::Int | STy::Float)
    }

    /// The type as operators and conversions see it: tiers, regions, stacks and
    /// literal unions (and `Bool?`) only decide `match`es, so they are unknown there.
    pub fn operand(&self) -> STy {
        match self {
            STy::Tier | STy::Region | STy::Stack | STy::Literals(_) | STy::OptionalBool => STy::Unknown,
            other => other.clone(),
        }
    }

    /// Whether values of this type carry a unit (quantities, durations, percentages).
    pub fn has_unit(&self) -> bool {
        matches!(self, STy::Quantity(_) | STy::Duration | STy::Percent)
    }

    /// The type of a unit literal (`m` is milli-cores or minutes: unknown until its use decides).
    pub fn of_unit(unit: &str) -> STy {
        match unit {
            "ms" | "s" | "h" => STy::Duration,
            "%" => STy::Percent,
            "m" => STy::Unknown,
            u => Dim::of_unit(u).map(STy::Quantity).unwrap_or(STy::Unknown),
        }
    }

    /// What a declared type says statically. An optional type may be `none`
    /// (unknown), except for what a `match` decides on: tiers, regions, stacks,
    /// literal unions and `Bool`s keep their domain.
    pub fn of_declared(db: &dyn Db, project: Project, ty: &Ty) -> STy {
        match underlying(db, project, ty, false) {
            Ty::Int => STy::Int,
            Ty::Float => STy::Float,
            Ty::Bool => STy::Bool,
            Ty::String => STy::Str,
            Ty::Quantity(d) => STy::Quantity(d),
            Ty::Duration => STy::Duration,
            Ty::Percent => STy::Percent,
            Ty::List(_) => STy::List,
            Ty::Schema(s) => STy::Schema(s),
            _ => domain_of(db, project, ty),
        }
    }
}

/// The finite domain of a declared type (through `?`), as a type.
fn domain_of(db: &dyn Db, project: Project, ty: &Ty) -> STy {
    match underlying(db, project, ty, true) {
        Ty::Tier => STy::Tier,
        Ty::Region => STy::Region,
        Ty::Stack => STy::Stack,
        Ty::Bool => STy::OptionalBool,
        Ty::Lit(s) => STy::Literals(Arc::from([s.into_boxed_str()])),
        Ty::Union(members) => {
            let mut lits: Vec<Box<str>> = Vec::new();
            for m in &members {
                match domain_of(db, project, m) {
                    STy::Literals(l) => lits.extend(l.iter().cloned()),
                    _ => return STy::Unknown,
                }
            }
            STy::Literals(lits.into())
        }
        _ => STy::Unknown,
    }
}

/// Why an operator cannot apply.
#[derive(Debug, PartialEq)]
pub enum OpError {
    /// `+`/`-` on quantities of two dimensions (CPU and memory).
    Dimensions(Dim, Dim),
    /// No rule applies to these operand types.
    Mismatch,
}

/// The result of `a op b`, mirroring the evaluator's rules.
pub fn binary(op: BinaryOp, a: &STy, b: &STy) -> Result<STy, OpError> {
    use BinaryOp::*;
    use STy as T;
    let (a, b) = (a.operand(), b.operand());
    if op == Coalesce {
        return Ok(T::Unknown);
    }
    if matches!(op, Eq | Ne) {
        return Ok(T::Bool);
    }
    if a == T::Unknown || b == T::Unknown {
        return Ok(match op {
            Lt | Le | Gt | Ge | And | Or => T::Bool,
            _ => T::Unknown,
        });
    }
    let out = match (op, &a, &b) {
        (And | Or, T::Bool, T::Bool) => T::Bool,
        (Lt | Le | Gt | Ge, x, y) if x.is_number() && y.is_number() => T::Bool,
        (Lt | Le | Gt | Ge, T::Str, T::Str)
        | (Lt | Le | Gt | Ge, T::Duration, T::Duration)
        | (Lt | Le | Gt | Ge, T::Percent, T::Percent) => T::Bool,
        (Lt | Le | Gt | Ge, T::Quantity(x), T::Quantity(y)) if x.join(*y).is_some() => T::Bool,
        (Add | Sub | Mul | Div | Rem, T::Int, T::Int) => T::Int,
        (Add | Sub | Mul | Div, x, y) if x.is_number() && y.is_number() => T::Float,
        (Add, T::Str, T::Str) => T::Str,
        (Add, T::List, T::List) => T::List,
        (Add | Sub, T::Quantity(x), T::Quantity(y)) => match x.join(*y) {
            Some(d) => T::Quantity(d),
            None => return Err(OpError::Dimensions(*x, *y)),
        },
        (Mul, T::Quantity(d), T::Int) | (Mul, T::Int, T::Quantity(d)) => T::Quantity(*d),
        (Add | Sub, T::Duration, T::Duration) => T::Duration,
        (Mul, T::Duration, T::Int) | (Mul, T::Int, T::Duration) => T::Duration,
        (Add | Sub, T::Percent, T::Percent) => T::Percent,
        _ => return Err(OpError::Mismatch),
    };
    Ok(out)
}

/// Whether a value of static type `found` can be given where `expected` is declared.
pub fn fits(found: &STy, expected: &STy) -> bool {
    match (found.operand(), expected.operand()) {
        (STy::Unknown, _) | (_, STy::Unknown) => true,
        (STy::Int, STy::Float | STy::Quantity(_)) => true,
        (STy::Quantity(a), STy::Quantity(b)) => a.join(b).is_some(),
        (a, b) => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_follow_the_evaluator() {
        assert_eq!(binary(BinaryOp::Add, &STy::Int, &STy::Bool), Err(OpError::Mismatch));
        assert_eq!(binary(BinaryOp::Mul, &STy::Int, &STy::Quantity(Dim::Bytes)), Ok(STy::Quantity(Dim::Bytes)));
        assert_eq!(
            binary(BinaryOp::Add, &STy::Quantity(Dim::Bytes), &STy::Quantity(Dim::Cores)),
            Err(OpError::Dimensions(Dim::Bytes, Dim::Cores))
        );
        // Domains are opaque to operators: never reported.
        assert_eq!(binary(BinaryOp::Lt, &STy::Tier, &STy::Int), Ok(STy::Bool));
        assert!(fits(&STy::Tier, &STy::Str));
    }
}
