//! Builtin functions: their implementations (the list, signatures and what
//! each reads are in [`Builtin`]), and the scalar parsers and validators they
//! share with the rest of the compiler.

use std::sync::Arc;

use super::value::{Labels, Quantity, Record, SecretRef, V, Value};

mod signature;

pub use signature::{Builtin, Param, Reads, Signature};

/// Why a builtin call failed.
pub type CallError = String;

/// Calls a builtin that reads nothing but its arguments (`image` is handled by
/// the evaluator, which knows the versions file).
pub fn call(builtin: Builtin, args: &[Value]) -> Result<V, CallError> {
    use V::*;
    // The glob brings `V::Builtin` into scope: name the enum explicitly.
    use signature::Builtin as B;
    let name = builtin.name();
    let s = |i: usize| -> Result<&str, CallError> {
        match &args[i].v {
            Str(s) => Ok(s),
            _ => Err(format!("`{name}` expects a String as argument {}, found {}", i + 1, args[i].type_name())),
        }
    };
    Ok(match builtin {
        B::Secret => {
            let secret_name = s(0)?.to_string();
            if secret_name.is_empty() {
                return Err("a Secret name cannot be empty".to_string());
            }
            if !is_dns_subdomain(&secret_name) {
                return Err(format!("`{secret_name}` is not a valid Kubernetes Secret name (DNS-1123 subdomain)"));
            }
            let key = if args.len() > 1 { s(1)?.to_string() } else { "value".to_string() };
            Secret(Arc::new(SecretRef { name: secret_name, key }))
        }
        B::IsSecret => Bool(matches!(args[0].v, Secret(_))),
        B::Len => Int(match &args[0].v {
            Str(s) => s.chars().count() as i64,
            List(l) => l.len() as i64,
            Record(r) => r.fields.len() as i64,
            _ => return Err(format!("`len` expects a String, list or map, found {}", args[0].type_name())),
        }),
        B::Keys => match &args[0].v {
            Record(r) => List(Arc::new(
                r.fields.keys().map(|k| Value::str(k.as_str(), Option::None).labelled(&r.key_labels)).collect(),
            )),
            _ => return Err(format!("`keys` expects a map, found {}", args[0].type_name())),
        },
        B::Values => match &args[0].v {
            Record(r) => List(Arc::new(r.fields.values().cloned().collect())),
            _ => return Err(format!("`values` expects a map, found {}", args[0].type_name())),
        },
        B::Contains => Bool(match &args[0].v {
            Str(h) => h.contains(s(1)?),
            List(l) => l.iter().any(|v| values_equal(v, &args[1])),
            Record(r) => r.fields.contains_key(s(1)?),
            _ => return Err(format!("`contains` expects a String, list or map, found {}", args[0].type_name())),
        }),
        B::Join => match &args[0].v {
            List(l) => {
                let sep = s(1)?;
                let parts: Result<Vec<String>, CallError> = l.iter().map(display).collect();
                Str(parts?.join(sep).into())
            }
            _ => return Err(format!("`join` expects a list, found {}", args[0].type_name())),
        },
        B::Lower => Str(s(0)?.to_lowercase().into()),
        B::Upper => Str(s(0)?.to_uppercase().into()),
        B::Replace => Str(s(0)?.replace(s(1)?, s(2)?).into()),
        B::StartsWith => Bool(s(0)?.starts_with(s(1)?)),
        B::EndsWith => Bool(s(0)?.ends_with(s(1)?)),
        B::Split => List(Arc::new(s(0)?.split(s(1)?).map(|p| Value::str(p, Option::None)).collect())),
        B::Range => match args[0].v {
            Int(n) if (0..=100_000).contains(&n) => {
                List(Arc::new((0..n).map(|i| Value::new(Int(i), Option::None)).collect()))
            }
            Int(n) => {
                return Err(format!(
                    "`range({n})`: the count must be between 0 and 100000 (the limit); \
                     iterate over the data itself, or over smaller ranges"
                ));
            }
            _ => return Err(format!("`range` expects an Int, found {}", args[0].type_name())),
        },
        B::Merge => match (&args[0].v, &args[1].v) {
            (Record(a), Record(b)) => {
                let mut fields = a.fields.clone();
                for (k, v) in &b.fields {
                    fields.insert(*k, v.clone());
                }
                Record(Arc::new(super::value::Record {
                    schema: Option::None,
                    fields,
                    key_labels: a.key_labels.union(&b.key_labels),
                }))
            }
            (None, Record(_)) => args[1].v.clone(),
            (Record(_), None) => args[0].v.clone(),
            _ => {
                return Err(format!(
                    "`merge` expects two maps, found {} and {}",
                    args[0].type_name(),
                    args[1].type_name()
                ));
            }
        },
        B::IsDnsLabel => Bool(is_dns_label(s(0)?)),
        B::IsDnsSubdomain => Bool(is_dns_subdomain(s(0)?)),
        B::IsImageRef => Bool(is_image_ref(s(0)?)),
        B::IsPinned => Bool(is_pinned(s(0)?)),
        B::ToString => Str(display(&args[0])?.into()),
        B::Millis => match &args[0].v {
            Quantity(q) => Int((q.value * 1000.0).round() as i64),
            Duration(ms) => Int(*ms),
            _ => return Err(format!("`millis` expects a Quantity or Duration, found {}", args[0].type_name())),
        },
        B::Seconds => match &args[0].v {
            Duration(ms) => Int(ms / 1000),
            _ => return Err(format!("`seconds` expects a Duration, found {}", args[0].type_name())),
        },
        B::Image => return Err("`image` is evaluated by the evaluator".to_string()),
    })
}

/// The labels a builtin's result carries. Every builtin's result is made of
/// its arguments, so it carries their labels: a structural result (`merge`,
/// `values`, `keys`) the arguments' own labels and its elements keep theirs;
/// a scalar or a freshly built list (`join`, `len`, `split`, `contains`, …) the
/// labels of everything inside the arguments. `is_secret` drops secret labels
/// (whether a value is a secret is not secret); `secret` adds its own label in the evaluator.
pub fn result_labels(builtin: Builtin, args: &[Value]) -> Labels {
    match builtin {
        Builtin::Merge | Builtin::Values => args.iter().fold(Labels::default(), |acc, a| acc.union(&a.labels)),
        Builtin::Keys => args.iter().fold(Labels::default(), |acc, a| {
            let keys = match &a.v {
                V::Record(r) => r.key_labels.clone(),
                _ => Labels::default(),
            };
            acc.union(&a.labels).union(&keys)
        }),
        Builtin::IsSecret => args.iter().fold(Labels::default(), |acc, a| acc.union(&a.all_labels().without_secrets())),
        _ => args.iter().fold(Labels::default(), |acc, a| acc.union(&a.all_labels())),
    }
}

/// Structural equality (quantities by value).
pub fn values_equal(a: &Value, b: &Value) -> bool {
    match (&a.v, &b.v) {
        (V::Quantity(x), V::Quantity(y)) => x.value == y.value,
        (V::Int(x), V::Float(y)) | (V::Float(y), V::Int(x)) => (*x as f64) == *y,
        (V::List(x), V::List(y)) => x.len() == y.len() && x.iter().zip(y.iter()).all(|(a, b)| values_equal(a, b)),
        (V::Record(x), V::Record(y)) => {
            x.fields.len() == y.fields.len()
                && x.fields.iter().all(|(k, v)| y.fields.get(k).is_some_and(|w| values_equal(v, w)))
        }
        (x, y) => x == y,
    }
}

/// The text of a scalar in string interpolation.
pub fn display(v: &Value) -> Result<String, CallError> {
    Ok(match &v.v {
        V::Str(s) => s.to_string(),
        V::Int(i) => i.to_string(),
        V::Float(f) => format_float(*f),
        V::Bool(b) => b.to_string(),
        V::Quantity(q) => q.text.to_string(),
        V::Duration(ms) => format_duration(*ms),
        V::Percent(p) => format!("{}%", format_float(*p)),
        V::Secret(s) => format!("<secret {}/{}>", s.name, s.key),
        other => {
            return Err(format!("a {} cannot be turned into a string", Value::new(other.clone(), None).type_name()));
        }
    })
}

/// A float without a trailing `.0` when it is whole.
pub fn format_float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 { format!("{}", f as i64) } else { format!("{f}") }
}

/// `30000` ms → `30s`; `90000` → `90s`; `3600000` → `1h`.
pub fn format_duration(ms: i64) -> String {
    if ms % 3_600_000 == 0 && ms != 0 {
        format!("{}h", ms / 3_600_000)
    } else if ms % 60_000 == 0 && ms != 0 && ms % 1000 == 0 && ms >= 600_000 {
        format!("{}m", ms / 60_000)
    } else if ms % 1000 == 0 {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

/// What a unit literal denotes.
#[derive(Clone, Debug, PartialEq)]
pub enum UnitValue {
    /// A quantity.
    Quantity(Quantity),
    /// A duration in milliseconds.
    Duration(i64),
    /// A percentage.
    Percent(f64),
}

/// The units a literal may carry.
pub const UNITS: &[&str] =
    &["m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "ms", "s", "h", "%"];

/// Interprets `number` + `unit`; `m` is a milli-quantity (the evaluator turns it into minutes for a `Duration`).
pub fn unit_value(number: &str, unit: &str) -> Option<UnitValue> {
    let n: f64 = number.parse().ok()?;
    let text: Arc<str> = format!("{number}{unit}").into();
    let dim = if unit == "m" { crate::ty::Dim::Cores } else { crate::ty::Dim::Bytes };
    let q = |mult: f64| {
        UnitValue::Quantity(Quantity { value: n * mult, text: text.clone(), milli_suffix: unit == "m", dim })
    };
    Some(match unit {
        "m" => q(0.001),
        "k" => q(1e3),
        "M" => q(1e6),
        "G" => q(1e9),
        "T" => q(1e12),
        "P" => q(1e15),
        "E" => q(1e18),
        "Ki" => q(1024.0),
        "Mi" => q(1024f64.powi(2)),
        "Gi" => q(1024f64.powi(3)),
        "Ti" => q(1024f64.powi(4)),
        "Pi" => q(1024f64.powi(5)),
        "Ei" => q(1024f64.powi(6)),
        "ms" => UnitValue::Duration(n.round() as i64),
        "s" => UnitValue::Duration((n * 1000.0).round() as i64),
        "h" => UnitValue::Duration((n * 3_600_000.0).round() as i64),
        "%" => UnitValue::Percent(n),
        _ => return None,
    })
}

/// A DNS-1123 label: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
pub fn is_dns_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// A DNS-1123 subdomain: dot-separated labels, at most 253 characters.
pub fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns_label)
}

/// An image reference: `[registry/]path[:tag][@sha256:hex]`, lowercase path.
pub fn is_image_ref(s: &str) -> bool {
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (s, None),
    };
    if let Some(d) = digest {
        let Some(hex) = d.strip_prefix("sha256:") else { return false };
        if hex.len() != 64 || !hex.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()) {
            return false;
        }
    }
    // A tag follows the last `:` after the last `/` (a registry may have a port).
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    if let Some(t) = tag
        && (t.is_empty()
            || t.len() > 128
            || !t.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
            || t.starts_with(['.', '-']))
    {
        return false;
    }
    !name.is_empty()
        && name.split('/').enumerate().all(|(i, seg)| {
            !seg.is_empty()
                && (i == 0 && seg.contains(['.', ':'])
                    || seg
                        .bytes()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'.' | b'_' | b'-')))
        })
}

/// Whether an image reference is pinned: a digest, or a tag other than `latest`.
pub fn is_pinned(s: &str) -> bool {
    if s.contains("@sha256:") {
        return true;
    }
    let last_slash = s.rfind('/').map_or(0, |i| i + 1);
    match s[last_slash..].rfind(':') {
        Some(i) => &s[last_slash + i + 1..] != "latest",
        None => false,
    }
}

/// An empty record value.
pub fn empty_record() -> V {
    V::Record(Arc::new(Record::default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validators() {
        assert!(is_dns_label("user-api"));
        assert!(!is_dns_label("User"));
        assert!(!is_dns_label("-a"));
        assert!(is_image_ref("ghcr.io/acme/api:1.2.3"));
        assert!(is_image_ref("localhost:5000/api@sha256:".to_owned().add64().as_str()));
        assert!(!is_image_ref("Acme/API"));
        assert!(is_pinned("r/api:1.0"));
        assert!(!is_pinned("r/api:latest"));
        assert!(!is_pinned("r/api"));
    }

    trait Add64 {
        fn add64(self) -> String;
    }
    impl Add64 for String {
        fn add64(self) -> String {
            self + &"a".repeat(64)
        }
    }

    #[test]
    fn units() {
        let UnitValue::Quantity(q) = unit_value("1", "Gi").unwrap() else { panic!() };
        assert_eq!(q.value, 1073741824.0);
        assert_eq!(unit_value("30", "s"), Some(UnitValue::Duration(30_000)));
        assert_eq!(unit_value("5", "min"), None);
        assert_eq!(format_duration(30_000), "30s");
    }
}
