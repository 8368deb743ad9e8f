//! The generated modules' text: a header, the imports of the modules they
//! refer to, and one documented schema per definition, its fields in the
//! definition's order, each `T` when required and `T?` otherwise.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use serde_json::Value;
use sinfra_syntax::lexer::{Token, lex};

use crate::select::{Selection, kinds_of, module_of};
use crate::source::Definitions;
use crate::types::{Inline, Mapper, property_at, quote};
use crate::{Error, Options};

/// Renders every module of `selection`: `(module name, source)`, sorted by name.
pub fn render(defs: &Definitions, selection: &Selection, options: &Options) -> Result<Vec<(String, String)>, Error> {
    let mut taken = BTreeSet::new();
    for keys in selection.modules.values() {
        for key in keys {
            if let Some(m) = module_of(key, &options.prefix) {
                taken.insert(m);
            }
        }
    }
    let mut mapper = Mapper::new(defs, &options.prefix, taken);
    let mut out = Vec::new();
    for (module, keys) in &selection.modules {
        let mut body = String::new();
        let mut imports = BTreeSet::new();
        let mut groups = BTreeSet::new();
        for key in keys {
            let def = &defs.defs[key];
            let name = module_of(key, &options.prefix).map(|(_, n)| n).unwrap_or_default();
            groups.extend(kinds_of(def).iter().map(|k| api_version(k)));
            schema(&mut mapper, &mut body, &mut imports, module, key, &name, def, &defs.at(key))?;
            // The inline object schemas its fields needed, each after the schema that holds it.
            while let Some(Inline { module: m, name, schema: s, at }) = take_inline(&mut mapper, module) {
                schema(&mut mapper, &mut body, &mut imports, &m, key, &name, &s, &at)?;
            }
        }
        let mut text = header(module, &groups, options);
        if !imports.is_empty() {
            text.push('\n');
        }
        for m in &imports {
            let _ = writeln!(text, "import std.{m}");
        }
        text.push_str(&body);
        out.push((module.clone(), text));
    }
    Ok(out)
}

fn take_inline(mapper: &mut Mapper<'_>, module: &str) -> Option<Inline> {
    let i = mapper.inline.iter().position(|s| s.module == module)?;
    Some(mapper.inline.remove(i))
}

/// `apps/v1/Deployment` → `apps/v1`; `/v1/Service` → `v1`.
fn api_version(kind: &str) -> String {
    let mut parts = kind.splitn(3, '/');
    let (group, version) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if group.is_empty() { version.to_string() } else { format!("{group}/{version}") }
}

fn header(module: &str, groups: &BTreeSet<String>, options: &Options) -> String {
    let what = if groups.is_empty() {
        format!("the definitions of `{module}` that other modules use")
    } else {
        let list: Vec<String> = groups.iter().map(|g| format!("`{g}`")).collect();
        format!("the kinds of {} and the definitions they use", list.join(", "))
    };
    let mut text = String::new();
    let lines = [
        format!("Kubernetes types: {what}, with the API's own documentation."),
        format!("Generated from {} by `sinfra-k8s-gen`; do not edit.", options.origin),
        format!("Regenerate with `{}`.", options.command),
    ];
    for line in lines {
        let _ = writeln!(text, "//! {line}");
    }
    text
}

/// One schema: its doc comment, then its fields.
#[allow(clippy::too_many_arguments)]
fn schema(
    mapper: &mut Mapper<'_>,
    out: &mut String,
    imports: &mut BTreeSet<String>,
    module: &str,
    owner_key: &str,
    name: &str,
    def: &Value,
    at: &str,
) -> Result<(), Error> {
    let kinds = kinds_of(def);
    let mut doc = def.get("description").and_then(Value::as_str).unwrap_or("").trim().to_string();
    for kind in &kinds {
        let kind_name = kind.rsplit('/').next().unwrap_or("");
        let line = format!("The Kubernetes kind `{kind_name}` of `{}`.", api_version(kind));
        doc = if doc.is_empty() { line } else { format!("{doc}\n\n{line}") };
    }
    out.push('\n');
    doc_comment(out, "", &doc);
    let _ = writeln!(out, "schema {name} {{");
    let required: BTreeSet<&str> = match def.get("required") {
        Some(Value::Array(r)) => r.iter().filter_map(Value::as_str).collect(),
        _ => BTreeSet::new(),
    };
    let props: BTreeMap<&String, &Value> = match def.get("properties") {
        Some(Value::Object(p)) => p.iter().collect(),
        _ => BTreeMap::new(),
    };
    for (prop, p) in props {
        // A manifest never writes a kind's status: the server does.
        if prop == "status" && !kinds.is_empty() {
            continue;
        }
        let field_at = property_at(at, prop);
        let t = mapper.field(owner_key, module, name, prop, p, &field_at)?;
        t.modules(module, imports);
        let ty = if required.contains(prop.as_str()) { t.render(module) } else { t.render_optional(module) };
        let doc = p.get("description").and_then(Value::as_str).unwrap_or("").trim();
        doc_comment(out, "  ", doc);
        let _ = writeln!(out, "  {}: {ty}", field_name(prop));
    }
    out.push_str("}\n");
    Ok(())
}

/// A field name as written in a schema: bare when it is an identifier, else quoted (`"$ref"`).
pub fn field_name(name: &str) -> String {
    let lexed = lex(name);
    let plain = matches!(lexed.tokens.as_slice(), [(Token::Ident, span)] if span.range() == (0..name.len()));
    if plain { name.to_string() } else { quote(name) }
}

fn doc_comment(out: &mut String, indent: &str, doc: &str) {
    if doc.is_empty() {
        return;
    }
    for line in doc.replace('\r', "").lines() {
        let line = line.trim_end();
        if line.is_empty() {
            let _ = writeln!(out, "{indent}///");
        } else {
            let _ = writeln!(out, "{indent}/// {line}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_are_quoted_when_not_identifiers() {
        assert_eq!(field_name("replicas"), "replicas");
        assert_eq!(field_name("type"), "type");
        assert_eq!(field_name("if"), "\"if\"");
        assert_eq!(field_name("match"), "\"match\"");
        assert_eq!(field_name("$ref"), "\"$ref\"");
        assert_eq!(field_name("x-kubernetes-list-type"), "\"x-kubernetes-list-type\"");
        assert_eq!(field_name("2fa"), "\"2fa\"");
    }

    #[test]
    fn api_versions_of_kinds() {
        assert_eq!(api_version("apps/v1/Deployment"), "apps/v1");
        assert_eq!(api_version("/v1/Service"), "v1");
    }
}
