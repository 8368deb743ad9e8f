//! Operators: unary, binary (short-circuit `&&`/`||`, `??`, comparisons,
//! arithmetic on numbers, strings, lists, maps, quantities with dimensions,
//! durations and percentages).

use std::sync::Arc;

use crate::hir::{BinaryOp, ExprId, UnaryOp};

use super::builtins;
use super::ctx::{Ctx, Env};
use super::value::{Quantity, Record, V, Value};
use crate::diagnostics::Code;
use crate::loc::Loc;

impl Ctx<'_> {
    pub(super) fn unary(&mut self, op: UnaryOp, v: Value, at: Loc) -> Value {
        let labels = v.labels.clone();
        let out = match (op, &v.v) {
            (_, V::Error) => V::Error,
            (UnaryOp::Neg, V::Int(i)) => V::Int(i.wrapping_neg()),
            (UnaryOp::Neg, V::Float(f)) => V::Float(-f),
            (UnaryOp::Not, V::Bool(b)) => V::Bool(!b),
            _ => {
                let sym = if op == UnaryOp::Neg { "-" } else { "!" };
                return self.error(
                    Code::TypeMismatch,
                    format!("`{sym}` cannot be applied to {}", v.type_name()),
                    at,
                    format!("this is {}", v.type_name()),
                );
            }
        };
        Value { v: out, labels, origin: Some(at) }
    }

    /// `a op r`, `a` already evaluated.
    pub(super) fn eval_binary(&mut self, op: BinaryOp, a: Value, r: ExprId, env: &Env, at: Loc) -> Value {
        match op {
            BinaryOp::And | BinaryOp::Or => {
                let short = op == BinaryOp::Or;
                return match a.v {
                    V::Bool(b) if b == short => a,
                    V::Bool(_) => {
                        let b = self.eval(r, env);
                        match b.v {
                            V::Bool(_) | V::Error => b.labelled(&a.labels),
                            _ => self.type_error_binary(op, &a, &b, at),
                        }
                    }
                    V::Error => Value::error(),
                    _ => {
                        let b = Value::new(V::Bool(true), None);
                        self.type_error_binary(op, &a, &b, at)
                    }
                };
            }
            BinaryOp::Coalesce => {
                return match a.v {
                    V::None => self.eval(r, env).labelled(&a.labels),
                    _ => a,
                };
            }
            _ => {}
        }
        let b = self.eval(r, env);
        if a.is_error() || b.is_error() {
            return Value::error();
        }
        let labels = a.labels.union(&b.labels);
        let out = match op {
            BinaryOp::Eq => Some(V::Bool(builtins::values_equal(&a, &b))),
            BinaryOp::Ne => Some(V::Bool(!builtins::values_equal(&a, &b))),
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => compare(&a.v, &b.v).map(|ord| {
                V::Bool(match op {
                    BinaryOp::Lt => ord.is_lt(),
                    BinaryOp::Le => ord.is_le(),
                    BinaryOp::Gt => ord.is_gt(),
                    _ => ord.is_ge(),
                })
            }),
            _ => match arith(op, &a.v, &b.v) {
                Ok(v) => v,
                Err(ArithError::Eval(msg)) => return self.error(Code::EvaluationError, msg, at, "here"),
                Err(ArithError::Dimensions(msg)) => {
                    return self.error(Code::InvalidUnit, msg, at, "CPU and memory do not add up");
                }
            },
        };
        match out {
            Some(v) => Value { v, labels, origin: Some(at) },
            None => self.type_error_binary(op, &a, &b, at),
        }
    }

    pub(super) fn type_error_binary(&mut self, op: BinaryOp, a: &Value, b: &Value, at: Loc) -> Value {
        self.error(
            Code::TypeMismatch,
            format!("`{}` cannot be applied to {} and {}", op.symbol(), a.type_name(), b.type_name()),
            at,
            format!("{} {} {}", a.type_name(), op.symbol(), b.type_name()),
        )
    }
}

fn compare(a: &V, b: &V) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (V::Int(x), V::Int(y)) => Some(x.cmp(y)),
        (V::Int(x), V::Float(y)) => (*x as f64).partial_cmp(y),
        (V::Float(x), V::Int(y)) => x.partial_cmp(&(*y as f64)),
        (V::Float(x), V::Float(y)) => x.partial_cmp(y),
        (V::Str(x), V::Str(y)) => Some(x.cmp(y)),
        (V::Quantity(x), V::Quantity(y)) => x.value.partial_cmp(&y.value),
        (V::Duration(x), V::Duration(y)) => Some(x.cmp(y)),
        (V::Percent(x), V::Percent(y)) => x.partial_cmp(y),
        _ => None,
    }
}

/// Why an operator failed on values of fitting shapes.
enum ArithError {
    /// Overflow, division by zero.
    Eval(String),
    /// Quantities of different dimensions (CPU and memory).
    Dimensions(String),
}

fn arith(op: BinaryOp, a: &V, b: &V) -> Result<Option<V>, ArithError> {
    use BinaryOp::*;
    let overflow = || ArithError::Eval(format!("integer overflow in `{}`", op.symbol()));
    Ok(Some(match (op, a, b) {
        (Add, V::Int(x), V::Int(y)) => V::Int(x.checked_add(*y).ok_or_else(overflow)?),
        (Sub, V::Int(x), V::Int(y)) => V::Int(x.checked_sub(*y).ok_or_else(overflow)?),
        (Mul, V::Int(x), V::Int(y)) => V::Int(x.checked_mul(*y).ok_or_else(overflow)?),
        (Div | Rem, V::Int(_), V::Int(0)) => return Err(ArithError::Eval("division by zero".into())),
        (Div, V::Int(x), V::Int(y)) => V::Int(x.checked_div(*y).ok_or_else(overflow)?),
        (Rem, V::Int(x), V::Int(y)) => V::Int(x.checked_rem(*y).ok_or_else(overflow)?),
        (Add | Sub | Mul | Div, V::Int(_) | V::Float(_), V::Int(_) | V::Float(_)) => {
            let (x, y) = (as_f64(a), as_f64(b));
            if op == Div && y == 0.0 {
                return Err(ArithError::Eval("division by zero".into()));
            }
            V::Float(match op {
                Add => x + y,
                Sub => x - y,
                Mul => x * y,
                _ => x / y,
            })
        }
        (Add, V::Str(x), V::Str(y)) => V::Str(format!("{x}{y}").into()),
        (Add, V::List(x), V::List(y)) => V::List(Arc::new(x.iter().chain(y.iter()).cloned().collect())),
        (Add, V::Record(x), V::Record(y)) => {
            let mut fields = x.fields.clone();
            for (k, v) in &y.fields {
                fields.insert(*k, v.clone());
            }
            V::Record(Arc::new(Record { schema: None, fields, key_labels: x.key_labels.union(&y.key_labels) }))
        }
        (Add | Sub, V::Quantity(x), V::Quantity(y)) => {
            let Some(dim) = x.dim.join(y.dim) else {
                return Err(ArithError::Dimensions(format!(
                    "`{}` cannot combine {} (`{}`) with {} (`{}`)",
                    op.symbol(),
                    x.dim.describe(),
                    x.text,
                    y.dim.describe(),
                    y.text
                )));
            };
            let v = if op == Add { x.value + y.value } else { x.value - y.value };
            V::Quantity(quantity_from_value(v, dim))
        }
        (Mul, V::Quantity(x), V::Int(n)) | (Mul, V::Int(n), V::Quantity(x)) => {
            V::Quantity(quantity_from_value(x.value * *n as f64, x.dim))
        }
        (Add, V::Duration(x), V::Duration(y)) => V::Duration(x.saturating_add(*y)),
        (Sub, V::Duration(x), V::Duration(y)) => V::Duration(x.saturating_sub(*y)),
        (Mul, V::Duration(x), V::Int(n)) | (Mul, V::Int(n), V::Duration(x)) => V::Duration(x.saturating_mul(*n)),
        (Add, V::Percent(x), V::Percent(y)) => V::Percent(x + y),
        (Sub, V::Percent(x), V::Percent(y)) => V::Percent(x - y),
        _ => return Ok(None),
    }))
}

fn as_f64(v: &V) -> f64 {
    match v {
        V::Int(i) => *i as f64,
        V::Float(f) => *f,
        _ => 0.0,
    }
}

/// A quantity computed by arithmetic, printed in the most natural unit of its
/// dimension (binary suffixes only for bytes, milli only for fractions).
fn quantity_from_value(v: f64, dim: crate::ty::Dim) -> Quantity {
    let text = if v.fract() == 0.0 {
        let i = v as i64;
        let units = [("Gi", 1i64 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)];
        units
            .iter()
            .filter(|_| dim != crate::ty::Dim::Cores)
            .find(|(_, m)| i != 0 && i % m == 0)
            .map(|(u, m)| format!("{}{u}", i / m))
            .unwrap_or_else(|| i.to_string())
    } else {
        format!("{}m", (v * 1000.0).round() as i64)
    };
    Quantity { value: v, text: text.into(), milli_suffix: false, dim }
}
