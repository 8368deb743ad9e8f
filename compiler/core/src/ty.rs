//! Types as the checker and the evaluator see them.

use std::fmt;

use crate::db::Db;
use crate::items::ItemId;

/// What a quantity measures. A literal's suffix decides: `m` is milli-cores,
/// `k M G T P E` and `Ki Mi Gi Ti Pi Ei` are bytes, a plain number is either.
/// `+`, `-` and comparisons need equal dimensions (or `Any`); `*` by a number keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Dim {
    /// Either (a plain number, or a computed value of unknown dimension).
    #[default]
    Any,
    /// CPU cores: `250m`, `2`.
    Cores,
    /// Bytes: `512Mi`, `1G`.
    Bytes,
}

impl Dim {
    /// The type's name: `Quantity`, `Cores`, `Bytes`.
    pub fn type_name(self) -> &'static str {
        match self {
            Dim::Any => "Quantity",
            Dim::Cores => "Cores",
            Dim::Bytes => "Bytes",
        }
    }

    /// The dimension two quantities combine to, if they can.
    pub fn join(self, other: Dim) -> Option<Dim> {
        match (self, other) {
            (Dim::Any, d) | (d, Dim::Any) => Some(d),
            (a, b) if a == b => Some(a),
            _ => None,
        }
    }

    /// The dimension a unit suffix gives a quantity literal (`None`: not a quantity unit).
    pub fn of_unit(unit: &str) -> Option<Dim> {
        match unit {
            "m" => Some(Dim::Cores),
            "k" | "M" | "G" | "T" | "P" | "E" | "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei" => Some(Dim::Bytes),
            _ => None,
        }
    }

    /// How to write a value of this dimension, for a quantity `text` of another one.
    pub fn help(self, text: &str) -> Option<String> {
        match self {
            Dim::Cores => Some("CPU is written in cores: `2`, `1500m` (`m` is a thousandth of a core)".to_string()),
            Dim::Bytes if text.ends_with('m') => {
                let n = text.trim_end_matches('m');
                Some(format!("memory is written in bytes: `{n}Mi` or `{n}M` (`m` means milli, not mega)"))
            }
            Dim::Bytes => Some("memory is written in bytes: `512Mi`, `2Gi`".to_string()),
            Dim::Any => None,
        }
    }

    /// How a value of this dimension is described in messages.
    pub fn describe(self) -> &'static str {
        match self {
            Dim::Any => "a quantity",
            Dim::Cores => "a CPU quantity",
            Dim::Bytes => "a memory quantity",
        }
    }
}

/// A type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    /// Opts out of checking.
    Any,
    /// The type of an erroneous expression (already reported): compatible with everything.
    Error,
    /// The type of `none`.
    None,
    /// `Bool`
    Bool,
    /// `Int`
    Int,
    /// `Float`
    Float,
    /// `String`
    String,
    /// A quantity of a dimension: `Quantity` (any), `Cores` (`500m`, `2`), `Bytes` (`1Gi`, `512M`).
    Quantity(Dim),
    /// `Duration`: `30s`
    Duration,
    /// `Percent`: `25%`
    Percent,
    /// `Secret`: a reference to a Kubernetes Secret key
    Secret,
    /// A declared tier.
    Tier,
    /// A declared region.
    Region,
    /// A declared stack.
    Stack,
    /// A literal string type: `"TCP"`.
    Lit(String),
    /// `[T]`
    List(Box<Ty>),
    /// `{String: T}`
    Map(Box<Ty>),
    /// `T?`
    Optional(Box<Ty>),
    /// `A | B`
    Union(Vec<Ty>),
    /// An instance of a schema.
    Schema(ItemId),
    /// A named (possibly refined) type: `Port`.
    Alias(ItemId),
}

impl Ty {
    /// The primitive type named `name`, if it is one.
    pub fn primitive(name: &str) -> Option<Ty> {
        Some(match name {
            "Any" => Ty::Any,
            "Bool" => Ty::Bool,
            "Int" => Ty::Int,
            "Float" => Ty::Float,
            "String" => Ty::String,
            "Quantity" => Ty::Quantity(Dim::Any),
            "Cores" => Ty::Quantity(Dim::Cores),
            "Bytes" => Ty::Quantity(Dim::Bytes),
            "Duration" => Ty::Duration,
            "Percent" => Ty::Percent,
            "Secret" => Ty::Secret,
            "Tier" => Ty::Tier,
            "Region" => Ty::Region,
            "Stack" => Ty::Stack,
            _ => return None,
        })
    }

    /// The names of the primitive types (for did-you-mean).
    pub const PRIMITIVES: &'static [&'static str] = &[
        "Any", "Bool", "Int", "Float", "String", "Quantity", "Cores", "Bytes", "Duration", "Percent", "Secret", "Tier",
        "Region", "Stack",
    ];

    /// Whether values of this type may be `none`.
    pub fn is_optional(&self) -> bool {
        match self {
            Ty::Optional(_) | Ty::None | Ty::Any | Ty::Error => true,
            Ty::Union(ts) => ts.iter().any(Ty::is_optional),
            _ => false,
        }
    }

    /// A displayable form.
    pub fn display<'a>(&'a self, db: &'a dyn Db) -> TyDisplay<'a> {
        TyDisplay { ty: self, db }
    }
}

/// A type with the database needed to name schemas.
pub struct TyDisplay<'a> {
    ty: &'a Ty,
    db: &'a dyn Db,
}

impl fmt::Display for TyDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let db = self.db;
        match self.ty {
            Ty::Any => f.write_str("Any"),
            Ty::Error => f.write_str("{unknown}"),
            Ty::None => f.write_str("none"),
            Ty::Bool => f.write_str("Bool"),
            Ty::Int => f.write_str("Int"),
            Ty::Float => f.write_str("Float"),
            Ty::String => f.write_str("String"),
            Ty::Quantity(d) => f.write_str(d.type_name()),
            Ty::Duration => f.write_str("Duration"),
            Ty::Percent => f.write_str("Percent"),
            Ty::Secret => f.write_str("Secret"),
            Ty::Tier => f.write_str("Tier"),
            Ty::Region => f.write_str("Region"),
            Ty::Stack => f.write_str("Stack"),
            Ty::Lit(s) => write!(f, "{s:?}"),
            Ty::List(t) => write!(f, "[{}]", t.display(db)),
            Ty::Map(t) => write!(f, "{{String: {}}}", t.display(db)),
            Ty::Optional(t) => write!(f, "{}?", t.display(db)),
            Ty::Union(ts) => {
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" | ")?;
                    }
                    write!(f, "{}", t.display(db))?;
                }
                Ok(())
            }
            Ty::Schema(i) | Ty::Alias(i) => f.write_str(i.name(db)),
        }
    }
}
