//! The one walker: the direct sub-expressions of an expression. Whole-body
//! passes that need no order iterate the arena instead; passes that need
//! the tree recurse through this.

use super::{Expr, ExprId, StrPart};

/// Calls `f` on each direct sub-expression of `expr`, in source order.
pub fn child_exprs(expr: &Expr, mut f: impl FnMut(ExprId)) {
    match expr {
        Expr::Missing
        | Expr::Int(_)
        | Expr::Float(_)
        | Expr::Unit { .. }
        | Expr::Bool(_)
        | Expr::None
        | Expr::SelfRef
        | Expr::Super(_)
        | Expr::Local(_)
        | Expr::Name(_) => {}
        Expr::Str(parts) => parts.iter().for_each(|p| {
            if let StrPart::Interp(e) = p {
                f(*e)
            }
        }),
        Expr::Field(e, _) | Expr::At(e, _) | Expr::Unary(_, e) => f(*e),
        Expr::Index(a, b) | Expr::Binary(_, a, b) => {
            f(*a);
            f(*b);
        }
        Expr::Call(callee, args) => {
            f(*callee);
            args.iter().copied().for_each(f);
        }
        Expr::List(items) => items.iter().copied().for_each(f),
        Expr::Record(entries) => entries.iter().for_each(|e| f(e.value)),
        Expr::ListComp(c) => {
            f(c.iter);
            c.cond.into_iter().for_each(&mut f);
            f(c.element);
        }
        Expr::MapComp(key, c) => {
            f(c.iter);
            c.cond.into_iter().for_each(&mut f);
            f(*key);
            f(c.element);
        }
        Expr::If(c, a, b) => {
            f(*c);
            f(*a);
            f(*b);
        }
        Expr::Match(scrutinee, arms) => {
            f(*scrutinee);
            arms.iter().for_each(|a| f(a.body));
        }
        Expr::Let { value, body, .. } => {
            f(*value);
            f(*body);
        }
    }
}
