//! A JSON schema as a sinfra type.
//!
//! | JSON schema | sinfra |
//! |---|---|
//! | `integer`, `number`, `boolean`, `string` (any `format`) | `Int`, `Float`, `Bool`, `String` |
//! | `enum` of strings | a literal union, `"TCP" \| "UDP"` |
//! | `array` of `T` | `[T]` |
//! | `object` with `additionalProperties: T` | `{String: T}` |
//! | `object` with `properties` | a schema (a `$ref`'s, or one named after its place: `<Owner><Field>`) |
//! | `object` without either, no type at all | `{String: Any}`, `Any` |
//! | `IntOrString` (`x-kubernetes-int-or-string`) | `Int \| String \| Percent` (`25%` is written `"25%"`) |
//! | `Quantity` | `Quantity` (`500m`, `1Gi`: either dimension, as in a resource list), `Bytes` for the fields in [`BYTE_QUANTITIES`] |
//! | `oneOf`/`anyOf` of the above | their union |
//!
//! A type that also allows `null` adds nothing: whether a field may be left
//! out is its required-ness (`T` when required, `T?` otherwise).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::Error;
use crate::select::{is_schema, module_of, ref_key};
use crate::source::{Definitions, escape_pointer};

/// Quantity fields that are amounts of bytes, by definition suffix and field.
pub const BYTE_QUANTITIES: &[(&str, &str)] = &[("core.v1.EmptyDirVolumeSource", "sizeLimit")];

/// A sinfra type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SType {
    /// A builtin type: `Int`, `String`, `Quantity`, `Any`, …
    Builtin(&'static str),
    /// A generated schema.
    Schema {
        /// Its module.
        module: String,
        /// Its name.
        name: String,
    },
    /// Literal strings: `"TCP" | "UDP"`.
    Lit(Vec<String>),
    /// `[T]`
    List(Box<SType>),
    /// `{String: T}`
    Map(Box<SType>),
    /// `A | B`
    Union(Vec<SType>),
}

impl SType {
    /// The type as written in module `here` (schemas of other modules are qualified).
    pub fn render(&self, here: &str) -> String {
        match self {
            SType::Builtin(b) => b.to_string(),
            SType::Schema { module, name } if module == here => name.clone(),
            SType::Schema { module, name } => format!("{module}.{name}"),
            SType::Lit(values) => values.iter().map(|v| quote(v)).collect::<Vec<_>>().join(" | "),
            SType::List(t) => format!("[{}]", t.render(here)),
            SType::Map(t) => format!("{{String: {}}}", t.render(here)),
            SType::Union(ts) => ts.iter().map(|t| t.render(here)).collect::<Vec<_>>().join(" | "),
        }
    }

    /// The type as written for an optional field: `T?`, `("A" | "B")?`.
    pub fn render_optional(&self, here: &str) -> String {
        match self {
            SType::Builtin("Any") => "Any".to_string(),
            SType::Union(_) => format!("({})?", self.render(here)),
            SType::Lit(v) if v.len() > 1 => format!("({})?", self.render(here)),
            _ => format!("{}?", self.render(here)),
        }
    }

    /// The modules this type names, other than `here`.
    pub fn modules(&self, here: &str, out: &mut BTreeSet<String>) {
        match self {
            SType::Schema { module, .. } if module != here => {
                out.insert(module.clone());
            }
            SType::List(t) | SType::Map(t) => t.modules(here, out),
            SType::Union(ts) => ts.iter().for_each(|t| t.modules(here, out)),
            _ => {}
        }
    }
}

/// A string literal as sinfra writes it.
pub fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            // Only `${` starts an interpolation.
            '$' if chars.peek() == Some(&'{') => out.push_str("\\$"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An object schema written inline (no `$ref`), generated as a schema of its own.
#[derive(Debug, Clone)]
pub struct Inline {
    /// Its module (its owner's).
    pub module: String,
    /// Its name, `<Owner><Field>`.
    pub name: String,
    /// The schema.
    pub schema: Value,
    /// Its JSON pointer.
    pub at: String,
}

/// Maps JSON schemas to sinfra types, collecting inline object schemas.
pub struct Mapper<'a> {
    defs: &'a Definitions,
    prefix: &'a str,
    /// Schema names taken, by module (generated definitions and inline schemas).
    taken: BTreeSet<(String, String)>,
    /// Inline object schemas found, to generate.
    pub inline: Vec<Inline>,
}

impl<'a> Mapper<'a> {
    /// A mapper; `taken` holds the (module, name) of every generated definition.
    pub fn new(defs: &'a Definitions, prefix: &'a str, taken: BTreeSet<(String, String)>) -> Mapper<'a> {
        Mapper { defs, prefix, taken, inline: Vec::new() }
    }

    /// The type of property `prop` of the schema `owner` (in `module`), whose definition key is `owner_key`.
    pub fn field(
        &mut self,
        owner_key: &str,
        module: &str,
        owner: &str,
        prop: &str,
        schema: &Value,
        at: &str,
    ) -> Result<SType, Error> {
        let hint = format!("{owner}{}", pascal(prop));
        let t = self.ty(schema, at, module, &hint, 0)?;
        let bytes = BYTE_QUANTITIES.iter().any(|(def, field)| owner_key.ends_with(def) && *field == prop);
        Ok(if bytes && t == SType::Builtin("Quantity") { SType::Builtin("Bytes") } else { t })
    }

    fn ty(&mut self, s: &Value, at: &str, module: &str, hint: &str, depth: usize) -> Result<SType, Error> {
        if depth > 32 {
            return Err(Error::new(at, "`$ref`s without `properties` refer to each other in a cycle"));
        }
        let Value::Object(map) = s else {
            return match s {
                Value::Bool(true) => Ok(SType::Builtin("Any")),
                _ => Err(Error::new(at, "expected a schema (an object)")),
            };
        };
        if let Some(r) = map.get("$ref") {
            let Some(r) = r.as_str() else { return Err(Error::new(at, "`$ref` is not a string")) };
            return self.reference(r, at, module, hint, depth);
        }
        if map.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) {
            return Ok(int_or_string());
        }
        if let Some(Value::Array(values)) = map.get("enum") {
            let strings: Vec<String> = values.iter().filter_map(|v| v.as_str().map(str::to_string)).collect();
            if !strings.is_empty() && strings.len() == values.iter().filter(|v| !v.is_null()).count() {
                return Ok(SType::Lit(strings));
            }
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(alts)) = map.get(key) {
                let mut members = Vec::new();
                for (i, alt) in alts.iter().enumerate() {
                    let t = self.ty(alt, &format!("{at}/{key}/{i}"), module, hint, depth + 1)?;
                    push_member(&mut members, t);
                }
                return Ok(union(members));
            }
        }
        let types: Vec<&str> = match map.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).filter(|t| *t != "null").collect(),
            Some(_) => return Err(Error::new(format!("{at}/type"), "`type` is neither a string nor a list")),
            None if map.contains_key("properties") => vec!["object"],
            None if map.contains_key("items") => vec!["array"],
            None => return Ok(SType::Builtin("Any")),
        };
        let mut members = Vec::new();
        for t in types {
            let member = match t {
                "integer" => SType::Builtin("Int"),
                "number" => SType::Builtin("Float"),
                "boolean" => SType::Builtin("Bool"),
                "string" => SType::Builtin("String"),
                "array" => {
                    let items = map.get("items").unwrap_or(&Value::Bool(true));
                    SType::List(Box::new(self.ty(items, &format!("{at}/items"), module, hint, depth + 1)?))
                }
                "object" => self.object(map, at, module, hint, depth)?,
                other => return Err(Error::new(format!("{at}/type"), format!("unknown type `{other}`"))),
            };
            push_member(&mut members, member);
        }
        Ok(union(members))
    }

    fn object(
        &mut self,
        map: &serde_json::Map<String, Value>,
        at: &str,
        module: &str,
        hint: &str,
        depth: usize,
    ) -> Result<SType, Error> {
        if map.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true))
            && !map.contains_key("properties")
        {
            return Ok(SType::Builtin("Any"));
        }
        if map.get("properties").is_some_and(|p| p.as_object().is_some_and(|p| !p.is_empty())) {
            let name = self.fresh(module, hint);
            self.inline.push(Inline {
                module: module.to_string(),
                name: name.clone(),
                schema: Value::Object(map.clone()),
                at: at.to_string(),
            });
            return Ok(SType::Schema { module: module.to_string(), name });
        }
        match map.get("additionalProperties") {
            Some(v @ Value::Object(_)) => {
                let inner = self.ty(v, &format!("{at}/additionalProperties"), module, hint, depth + 1)?;
                Ok(SType::Map(Box::new(inner)))
            }
            _ => Ok(SType::Map(Box::new(SType::Builtin("Any")))),
        }
    }

    fn reference(&mut self, r: &str, at: &str, module: &str, hint: &str, depth: usize) -> Result<SType, Error> {
        let key = ref_key(r);
        if key.ends_with("intstr.IntOrString") {
            return Ok(int_or_string());
        }
        if key.ends_with("api.resource.Quantity") {
            return Ok(SType::Builtin("Quantity"));
        }
        let Some(def) = self.defs.defs.get(key) else {
            return Err(Error::new(format!("{at}/$ref"), format!("`{r}` is not defined")));
        };
        if is_schema(def) {
            return match module_of(key, self.prefix) {
                Some((module, name)) => Ok(SType::Schema { module, name }),
                None => Err(Error::new(self.defs.at(key), "the name does not end in `<group>.<version>.<Name>`")),
            };
        }
        let def_at = self.defs.at(key);
        self.ty(def, &def_at, module, hint, depth + 1)
    }

    /// A schema name not taken in `module`: `hint`, else `hint2`, `hint3`, …
    fn fresh(&mut self, module: &str, hint: &str) -> String {
        let mut name = hint.to_string();
        let mut n = 2;
        while self.taken.contains(&(module.to_string(), name.clone())) {
            name = format!("{hint}{n}");
            n += 1;
        }
        self.taken.insert((module.to_string(), name.clone()));
        name
    }
}

/// A JSON pointer one property further.
pub fn property_at(at: &str, prop: &str) -> String {
    format!("{at}/properties/{}", escape_pointer(prop))
}

fn int_or_string() -> SType {
    SType::Union(vec![SType::Builtin("Int"), SType::Builtin("String"), SType::Builtin("Percent")])
}

fn push_member(members: &mut Vec<SType>, t: SType) {
    let flat = match t {
        SType::Union(ts) => ts,
        t => vec![t],
    };
    for t in flat {
        if !members.contains(&t) {
            members.push(t);
        }
    }
}

fn union(mut members: Vec<SType>) -> SType {
    // `Any` absorbs everything else.
    if members.contains(&SType::Builtin("Any")) || members.is_empty() {
        return SType::Builtin("Any");
    }
    if members.len() == 1 { members.pop().unwrap_or(SType::Builtin("Any")) } else { SType::Union(members) }
}

/// `fooBar` → `FooBar`, `x-kubernetes-list` → `XKubernetesList`, `$ref` → `Ref`.
pub fn pascal(name: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if upper {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(schema: Value) -> Result<SType, Error> {
        let defs = Definitions::from_json(
            r#"{"$defs": {
                "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                "io.k8s.apimachinery.pkg.api.resource.Quantity": {"oneOf": [{"type": "string"}, {"type": "number"}]},
                "io.k8s.apimachinery.pkg.apis.meta.v1.Time": {"type": ["string", "null"], "format": "date-time"},
                "io.k8s.api.core.v1.Thing": {"properties": {"a": {"type": "string"}}}
            }}"#,
            "t.json",
        )?;
        let mut m = Mapper::new(&defs, "k8s", BTreeSet::new());
        m.field("io.k8s.api.core.v1.Owner", "k8s_core_v1", "Owner", "field", &schema, "/x")
    }

    fn shown(schema: Value) -> String {
        map(schema).unwrap().render("k8s_core_v1")
    }

    #[test]
    fn scalars_lists_maps() {
        assert_eq!(shown(json!({"type": ["integer", "null"], "format": "int32"})), "Int");
        assert_eq!(shown(json!({"type": "number"})), "Float");
        assert_eq!(shown(json!({"type": "boolean"})), "Bool");
        assert_eq!(shown(json!({"type": "string", "format": "byte"})), "String");
        assert_eq!(shown(json!({"type": "array", "items": {"type": "string"}})), "[String]");
        assert_eq!(shown(json!({"type": "object", "additionalProperties": {"type": "string"}})), "{String: String}");
        assert_eq!(shown(json!({"type": "object"})), "{String: Any}");
        assert_eq!(shown(json!({"description": "anything"})), "Any");
        assert_eq!(shown(json!({"type": ["string", "integer"]})), "String | Int");
    }

    #[test]
    fn references_enums_and_special_types() {
        assert_eq!(shown(json!({"$ref": "#/$defs/io.k8s.api.core.v1.Thing"})), "Thing");
        assert_eq!(
            map(json!({"$ref": "#/$defs/io.k8s.api.core.v1.Thing"})).unwrap().render("k8s_apps_v1"),
            "k8s_core_v1.Thing"
        );
        assert_eq!(shown(json!({"$ref": "#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.Time"})), "String");
        assert_eq!(
            shown(json!({"$ref": "#/$defs/io.k8s.apimachinery.pkg.util.intstr.IntOrString"})),
            "Int | String | Percent"
        );
        assert_eq!(shown(json!({"x-kubernetes-int-or-string": true})), "Int | String | Percent");
        assert_eq!(shown(json!({"$ref": "#/$defs/io.k8s.apimachinery.pkg.api.resource.Quantity"})), "Quantity");
        assert_eq!(shown(json!({"type": "string", "enum": ["TCP", "UDP"]})), "\"TCP\" | \"UDP\"");
        assert_eq!(map(json!({"enum": ["A", "B"]})).unwrap().render_optional("m"), "(\"A\" | \"B\")?");
    }

    #[test]
    fn byte_quantities_are_bytes() {
        let defs = Definitions::from_json(r#"{"$defs": {}}"#, "t.json").unwrap();
        let mut m = Mapper::new(&defs, "k8s", BTreeSet::new());
        let q = json!({"$ref": "#/$defs/io.k8s.apimachinery.pkg.api.resource.Quantity"});
        let t = m.field("io.k8s.api.core.v1.EmptyDirVolumeSource", "k8s_core_v1", "E", "sizeLimit", &q, "/x");
        assert_eq!(t.unwrap(), SType::Builtin("Bytes"));
    }

    #[test]
    fn bad_schemas_are_located_errors() {
        let e = map(json!({"$ref": "#/$defs/io.k8s.api.core.v1.Missing"})).unwrap_err();
        assert_eq!(e.at, "/x/$ref");
        assert!(e.message.contains("not defined"), "{e}");
        let e = map(json!({"type": "array", "items": {"type": "tuple"}})).unwrap_err();
        assert_eq!(e.at, "/x/items/type");
        let e = map(json!({"type": 3})).unwrap_err();
        assert_eq!(e.at, "/x/type");
    }

    #[test]
    fn names() {
        assert_eq!(pascal("fooBar"), "FooBar");
        assert_eq!(pascal("x-kubernetes-list-type"), "XKubernetesListType");
        assert_eq!(pascal("$ref"), "Ref");
        assert_eq!(quote("a\"b${c}"), "\"a\\\"b\\${c}\"");
    }
}
