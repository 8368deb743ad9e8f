//! Where each field of a generated file comes from: the instance and stack
//! that write the file (found from its path), its documents evaluated with
//! every value's origin kept where it was computed ([`traced_output_value`]),
//! and each scalar listed with its YAML path, its source location and the
//! resources and secrets it is derived from. `sinfrac explain-output` prints
//! it; `sinfrac plan` names the source of each changed field with it.

use crate::db::{Db, Project};
use crate::diagnostics::Location;
use crate::eval::traced_output_value;
use crate::eval::value::{Label, V, Value};
use crate::index::project_index;
use crate::items::{ItemId, ItemTag};
use crate::platform::{placement, platform_info};

use super::yaml::representable;

/// One scalar of an output document and where it comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldSource {
    /// Its YAML path in the document (`spec.replicas`, `metadata.labels["app.kubernetes.io/name"]`).
    pub path: String,
    /// Its value as YAML shows it (strings quoted as JSON).
    pub value: String,
    /// The expression that computed it.
    pub origin: Option<Location>,
    /// The resource instances (`cache@prod_us`) and secrets it is derived from.
    pub derived_from: Vec<String>,
}

/// The fields of one document of a generated file.
#[derive(Clone, Debug, PartialEq)]
pub struct DocumentSources {
    /// `Kind/name`, as far as the document says.
    pub object: String,
    /// Its scalars, in document order.
    pub fields: Vec<FieldSource>,
}

/// Where the fields of a generated file come from.
#[derive(Clone, Debug, PartialEq)]
pub struct FileSources {
    /// The stack whose output the file is.
    pub stack: String,
    /// The item that writes it (a service, a resource, or `platform`).
    pub item: String,
    /// Its documents, in file order.
    pub documents: Vec<DocumentSources>,
}

/// The YAML path of `key` under `path`: `a.b` for plain keys, `a["x.y/z"]` otherwise.
pub fn key_path(path: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (path.is_empty(), plain) {
        (true, true) => key.to_string(),
        (false, true) => format!("{path}.{key}"),
        (_, false) => format!("{path}[{}]", serde_json::Value::String(key.to_string())),
    }
}

/// The item and stack that write `file` (a path relative to the output
/// directory: `<stack>/<name>.yaml`, or `<apps_dir>/<stack>.yaml` for the
/// Argo CD Application of the `platform` block).
pub fn writer_of(db: &dyn Db, project: Project, file: &str) -> Option<(ItemId, ItemId)> {
    let info = platform_info(db, project);
    let (dir, name) = file.trim_start_matches("./").split_once('/')?;
    let stem = name.strip_suffix(".yaml")?;
    if let Some(st) = info.stacks.iter().position(|s| s.dns == dir) {
        let index = project_index(db, project);
        let item = index.globals.values().copied().find(|&i| {
            matches!(i.tag(db), ItemTag::Service | ItemTag::Resource)
                && super::file_stem(db, i) == stem
                && placement(db, project, i).stacks.as_ref().is_some_and(|p| p.contains(&st))
        })?;
        return Some((item, info.stacks[st].item));
    }
    let stack = info.stacks.iter().find(|s| s.dns == stem)?;
    Some((info.platform?, stack.item))
}

/// Where the fields of the generated `file` come from; `None` when no item
/// of the project writes that file.
pub fn file_sources(db: &dyn Db, project: Project, file: &str) -> Option<FileSources> {
    let (item, stack) = writer_of(db, project, file)?;
    let info = platform_info(db, project);
    let evaluated = traced_output_value(db, project, item, stack);
    let V::Record(r) = &evaluated.value.v else { return None };
    let manifests = r.fields.get(crate::check::MANIFESTS)?;
    let documents = super::documents_of(manifests)
        .into_iter()
        .map(|doc| {
            let mut fields = Vec::new();
            collect(db, project, doc, doc.origin, String::new(), &mut fields);
            DocumentSources { object: object_of(doc), fields }
        })
        .collect();
    let stack_name = info.stacks.iter().find(|s| s.item == stack).map(|s| s.name.clone()).unwrap_or_default();
    let item_name = if item.tag(db) == ItemTag::Platform { "platform".to_string() } else { item.name(db).to_string() };
    Some(FileSources { stack: stack_name, item: item_name, documents })
}

fn object_of(doc: &Value) -> String {
    let V::Record(r) = &doc.v else { return "(document)".to_string() };
    let text = |v: Option<&Value>| match v.map(|v| &v.v) {
        Some(V::Str(s)) => s.to_string(),
        _ => "?".to_string(),
    };
    let name = match r.fields.get("metadata").map(|m| &m.v) {
        Some(V::Record(m)) => text(m.fields.get("name")),
        _ => "?".to_string(),
    };
    format!("{}/{name}", text(r.fields.get("kind")))
}

fn collect(
    db: &dyn Db,
    project: Project,
    v: &Value,
    parent: Option<crate::loc::Loc>,
    path: String,
    out: &mut Vec<FieldSource>,
) {
    let origin = v.origin.or(parent);
    match &v.v {
        V::List(items) => {
            for (i, item) in items.iter().filter(|i| representable(i)).enumerate() {
                collect(db, project, item, origin, format!("{path}[{i}]"), out);
            }
        }
        V::Record(r) => {
            for (k, item) in r.fields.iter().filter(|(_, v)| !matches!(v.v, V::None) && representable(v)) {
                collect(db, project, item, origin, key_path(&path, k), out);
            }
        }
        _ => out.push(FieldSource {
            path,
            value: shown(v),
            origin: origin.map(|o| o.resolve(db)),
            derived_from: derived_from(db, project, v),
        }),
    }
}

fn shown(v: &Value) -> String {
    match &v.v {
        V::Str(s) => serde_json::Value::String(s.to_string()).to_string(),
        V::Int(i) => i.to_string(),
        V::Float(f) => crate::eval::builtins::format_float(*f),
        V::Bool(b) => b.to_string(),
        V::Quantity(q) => q.text.to_string(),
        V::Duration(ms) => crate::eval::builtins::format_duration(*ms),
        V::Percent(p) => format!("{}%", crate::eval::builtins::format_float(*p)),
        _ => v.type_name().to_string(),
    }
}

fn derived_from(db: &dyn Db, project: Project, v: &Value) -> Vec<String> {
    let info = platform_info(db, project);
    let mut out: Vec<String> = Vec::new();
    for label in v.labels.iter() {
        let text = source_of(db, info, label);
        if !out.contains(&text) {
            out.push(text);
        }
    }
    out
}

/// What a label says a value is derived from: `cache@prod_us`, `exports (shared)`, `a secret`.
pub fn source_of(db: &dyn Db, info: &crate::platform::PlatformInfo, label: &Label) -> String {
    match label {
        Label::Instance { resource, stack: Some(s), .. } => {
            format!("{}@{}", resource.name(db), info.stacks.get(*s).map_or("?", |st| st.name.as_str()))
        }
        Label::Instance { resource, stack: None, .. } => format!("{} (shared)", resource.name(db)),
        Label::Secret { .. } => "a secret".to_string(),
    }
}
