//! Hover: what a name is (its kind, type and doc comment) and, for fields and
//! constants, its value in every stack, equal values grouped.

use std::fmt::Write as _;

use sinfra_compiler::db::SourceFile;
use sinfra_compiler::eval::builtins::display;
use sinfra_compiler::eval::value::{Label, V, Value};
use sinfra_compiler::eval::{instance_value, let_value};
use sinfra_compiler::hir::resolve::ContextName;
use sinfra_compiler::hir::{BindingKind, ItemKind, Member, item_hir, item_source_map};
use sinfra_compiler::items::{ItemId, ItemTag};
use sinfra_compiler::platform::{placement, platform_info};
use sinfra_compiler::signatures::{MemberRef, fn_sig, schema_def};
use sinfra_syntax::Span;

use crate::Analysis;
use crate::definition::{Denoted, denoted};
use crate::locate::{Target, locate};
use crate::types::{Shape, builtin_fields, schema_of_instance};

/// A hover: Markdown, and the span (file coordinates) it describes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    /// The text.
    pub markdown: String,
    /// What it is about.
    pub span: Span,
}

/// The hover at `offset` of `file`.
pub fn hover(a: &Analysis<'_>, file: SourceFile, offset: u32) -> Option<Hover> {
    let loc = locate(a, file, offset)?;
    let d = denoted(a, &loc)?;
    let map = item_source_map(a.db, loc.item);
    let span = match loc.target? {
        Target::Expr(e) => map.expr(e),
        Target::FieldName(e) => map.name_of(e),
        Target::Binding(b) => map.binding(b),
        Target::Member(m) => map.member(m).name,
        Target::ItemName => map.name,
        Target::Path => map.path.unwrap_or_default(),
        Target::Selector(i) => map.selector.get(i).copied().unwrap_or_default(),
        Target::Type(t) => map.ty(t),
        Target::Pat(p) => map.pat(p),
        Target::Key(k) => map.key_span(k),
    };
    let markdown = describe(a, loc.item, &d)?;
    Some(Hover { markdown, span: loc.absolute(span) })
}

fn code(text: &str) -> String {
    format!("```sinfra\n{text}\n```")
}

fn with_doc(mut out: String, doc: Option<&str>) -> String {
    if let Some(doc) = doc.filter(|d| !d.trim().is_empty()) {
        out.push_str("\n\n---\n\n");
        out.push_str(doc.trim());
    }
    out
}

fn describe(a: &Analysis<'_>, at_item: ItemId, d: &Denoted) -> Option<String> {
    let db = a.db;
    Some(match d {
        Denoted::Item(i) => describe_item(a, *i),
        Denoted::Member(m) => describe_member(a, at_item, *m)?,
        Denoted::Local(b) => {
            let hir = item_hir(db, at_item);
            let binding = hir.body.binding(*b)?;
            let what = match binding.kind {
                BindingKind::Param => "parameter",
                BindingKind::Let => "local",
                BindingKind::ForVar => "loop variable",
                BindingKind::RefinedSelf => "the value being checked",
            };
            let ty = match (&hir.kind, binding.kind) {
                (ItemKind::Fn { params, .. }, BindingKind::Param) => params
                    .iter()
                    .position(|p| p.binding == *b)
                    .and_then(|i| fn_sig(db, a.project, at_item).params.get(i).cloned())
                    .map(|(_, t)| format!(": {}", t.display(db)))
                    .unwrap_or_default(),
                _ => String::new(),
            };
            format!("{}\n\n{what}", code(&format!("{}{ty}", binding.name)))
        }
        Denoted::Builtin(b) => {
            let (label, _) = crate::signature::builtin_signature(a, *b);
            with_doc(code(&label), Some(b.signature().doc))
        }
        Denoted::Context(c) => {
            let (ty, doc) = match c {
                ContextName::Tier => ("Tier", "the tier of the stack being evaluated"),
                ContextName::Region => ("Region", "the region of the stack being evaluated"),
                ContextName::Stack => ("Stack", "the stack being evaluated"),
                ContextName::Name => ("String", "the instance's name as a DNS label (`_` becomes `-`)"),
                ContextName::Protected => ("Bool", "whether the instance is protected (declared so, or by its tier)"),
                ContextName::Platform => ("Platform", "the `platform` block, evaluated in this stack"),
                ContextName::Project => ("{ name: String }", "the project, from `sinfra.toml`"),
            };
            with_doc(code(&format!("{}: {ty}", c.as_str())), Some(doc))
        }
        Denoted::Module(m) => code(&format!("import std.{m}")),
        Denoted::BuiltinField(shape, name) => {
            let doc = builtin_fields(shape).iter().find(|(n, _)| n == name).map(|(_, d)| *d);
            let owner = match shape {
                Shape::Tier => "Tier",
                Shape::Region => "Region",
                Shape::Stack => "Stack",
                Shape::Secret => "Secret",
                _ => "",
            };
            with_doc(code(&format!("{owner}.{name}")), doc)
        }
    })
}

fn describe_item(a: &Analysis<'_>, item: ItemId) -> String {
    let db = a.db;
    let hir = item_hir(db, item);
    let map = item_source_map(db, item);
    let name = item.name(db);
    let head = match &hir.kind {
        ItemKind::Fn { .. } => {
            let sig = fn_sig(db, a.project, item);
            let params: Vec<String> = sig.params.iter().map(|(n, t)| format!("{n}: {}", t.display(db))).collect();
            format!("fn {name}({}) -> {}", params.join(", "), sig.ret.display(db))
        }
        ItemKind::Instance { .. } => {
            let schema = schema_of_instance(a, item).map(|s| s.name(db).clone()).unwrap_or_default();
            format!("{} {name}: {schema}", item.tag(db).keyword())
        }
        ItemKind::Schema { extends, .. } => match extends {
            Some(base) => {
                format!("schema {name} extends {}", base.iter().map(|n| n.as_str()).collect::<Vec<_>>().join("."))
            }
            None => format!("schema {name}"),
        },
        ItemKind::Tier { protected: true } => format!("protected tier {name}"),
        _ => format!("{} {name}", item.tag(db).keyword()),
    };
    let mut out = code(&head);
    match item.tag(db) {
        ItemTag::Let => out.push_str(&values_section(a, item, None)),
        ItemTag::Resource | ItemTag::Service => {
            let info = platform_info(db, a.project);
            let stacks = match &placement(db, a.project, item).stacks {
                Some(s) => s.iter().map(|&i| info.stacks[i].name.as_str()).collect::<Vec<_>>().join(", "),
                None => "shared: one instance for every stack".to_string(),
            };
            let _ = write!(out, "\n\ndeployed in: {stacks}");
            // A resource's addresses, per stack: what its users connect to.
            if let Some(schema) = schema_of_instance(a, item) {
                let def = schema_def(db, a.project, schema);
                for (field, _) in def.fields.iter().filter(|(_, f)| f.address) {
                    let groups = per_stack(a, item, Some(field), false);
                    if !groups.is_empty() {
                        let lines: Vec<String> =
                            groups.iter().map(|(v, st)| format!("- `{}`: {v}", st.join(", "))).collect();
                        let _ = write!(out, "\n\n**{field}**\n{}", lines.join("\n"));
                    }
                }
            }
        }
        ItemTag::Schema => {
            let def = schema_def(db, a.project, item);
            let required: Vec<&str> =
                def.fields.iter().filter(|(_, f)| f.required()).map(|(n, _)| n.as_str()).collect();
            if !required.is_empty() {
                let _ = write!(out, "\n\nrequired: {}", required.join(", "));
            }
        }
        _ => {}
    }
    with_doc(out, map.doc.as_deref())
}

fn describe_member(a: &Analysis<'_>, at_item: ItemId, m: MemberRef) -> Option<String> {
    let db = a.db;
    let hir = item_hir(db, m.owner);
    let id = *hir.kind.members().get(m.index)?;
    let map = item_source_map(db, m.owner);
    let (head, name) = match &hir.body[id] {
        Member::Field { name, ty, default, .. } => {
            let ty = sinfra_compiler::hir::types::item_types(db, a.project, m.owner).get(*ty).display(db).to_string();
            let opt = if default.is_some() { " (has a default)" } else { "" };
            (format!("{name}: {ty}{opt}"), *name)
        }
        Member::Let { name, .. } => (format!("let {name}"), *name),
        _ => return None,
    };
    let mut out = code(&format!("{}.{head}", m.owner.name(db)));
    // Values are shown where an instance is looked at: in its body, or on its field.
    if matches!(at_item.tag(db), ItemTag::Resource | ItemTag::Service) {
        out.push_str(&values_section(a, at_item, Some(name.as_str())));
    }
    Some(with_doc(out, map.member(id).doc.as_deref()))
}

/// `value in each stack`, equal values grouped: `prod_us, prod_eu: 6 · latest_us: 1`.
fn values_section(a: &Analysis<'_>, item: ItemId, field: Option<&str>) -> String {
    let groups = per_stack(a, item, field, true);
    if groups.is_empty() {
        return String::new();
    }
    let lines: Vec<String> = groups.iter().map(|(v, names)| format!("- `{}`: {v}", names.join(", "))).collect();
    format!("\n\n**value per stack**\n{}", lines.join("\n"))
}

/// The value of `item` (or of its `field`) in every stack it exists in, equal
/// values grouped: (shown value, stacks), in stack order.
pub(crate) fn per_stack(
    a: &Analysis<'_>,
    item: ItemId,
    field: Option<&str>,
    with_provenance: bool,
) -> Vec<(String, Vec<String>)> {
    let db = a.db;
    let info = platform_info(db, a.project);
    let stacks: Vec<Option<usize>> = match item.tag(db) {
        ItemTag::Let => (0..info.stacks.len()).map(Some).collect(),
        _ => match &placement(db, a.project, item).stacks {
            Some(s) => s.iter().map(|&i| Some(i)).collect(),
            None => vec![None],
        },
    };
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for s in stacks {
        salsa::Database::unwind_if_revision_cancelled(db);
        let stack_item = s.map(|i| info.stacks[i].item);
        let evaluated = match item.tag(db) {
            ItemTag::Let => let_value(db, a.project, item, stack_item),
            _ => instance_value(db, a.project, item, stack_item),
        };
        let value = match field {
            Some(f) => match &evaluated.value.v {
                V::Record(r) => r.fields.get(f).cloned(),
                _ => None,
            },
            None => Some(evaluated.value.clone()),
        };
        let Some(value) = value else { continue };
        let shown = if with_provenance { format!("{}{}", show(&value), provenance(a, &value)) } else { show(&value) };
        let stack_name = s.map_or_else(|| "shared".to_string(), |i| info.stacks[i].name.clone());
        match groups.iter_mut().find(|(v, _)| *v == shown) {
            Some((_, names)) => names.push(stack_name),
            None => groups.push((shown, vec![stack_name])),
        }
    }
    groups
}

/// Where a value's data comes from: the resource instances and secrets it
/// is derived from (the labels the tier and secret rules judge).
fn provenance(a: &Analysis<'_>, v: &Value) -> String {
    let db = a.db;
    let info = platform_info(db, a.project);
    let mut from: Vec<String> = Vec::new();
    for l in v.all_labels().iter() {
        let text = match l {
            Label::Secret { .. } => "a secret".to_string(),
            instance => format!("`{}`", sinfra_compiler::emit::provenance::source_of(db, info, instance)),
        };
        if !from.contains(&text) {
            from.push(text);
        }
    }
    if from.is_empty() { String::new() } else { format!(" — from {}", from.join(", ")) }
}

/// A value for a hover: short, secrets masked, its tier labels named.
fn show(v: &Value) -> String {
    let secret = v.labels.iter().any(|l| matches!(l, Label::Secret { .. }));
    match &v.v {
        V::Error => "(error)".to_string(),
        V::Record(r) => format!("{{ {} fields }}", r.fields.len()),
        V::List(items) => format!("[{} items]", items.len()),
        _ if secret => "(secret)".to_string(),
        _ => display(v).map(|t| format!("`{}`", sinfra_compiler::diagnostics::shorten(&t, 60))).unwrap_or_default(),
    }
}
