//! Completion, by what the cursor follows: `x.` gives the fields of what `x`
//! is (a schema instance, a module, a tier, a region, a stack); `@` the tiers
//! and stacks; a new line of an instance body the schema's fields not set
//! yet, required first; `: ` the types; `import std.` the modules; anywhere
//! else the names in scope.

use sinfra_compiler::db::{Origin, SourceFile};
use sinfra_compiler::eval::builtins::Builtin;
use sinfra_compiler::hir::resolve::{ContextName, field_scope};
use sinfra_compiler::hir::{ItemKind, Member, item_hir, item_source_map};
use sinfra_compiler::index::{file_imports, project_index};
use sinfra_compiler::items::{ItemId, ItemTag};
use sinfra_compiler::platform::platform_info;
use sinfra_compiler::signatures::schema_def;
use sinfra_compiler::stdlib;
use sinfra_compiler::ty::Ty;

use crate::Analysis;
use crate::locate::locate;
use crate::types::{Shape, builtin_fields, schema_of_instance, shape_of};

/// What a completion inserts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    /// A field of a schema.
    Field,
    /// A function or builtin.
    Function,
    /// A constant, a context name or a local.
    Variable,
    /// A resource or a service.
    Instance,
    /// A schema or a type.
    Type,
    /// A module.
    Module,
    /// A tier, a region or a stack.
    Platform,
}

/// One completion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    /// What is shown and, unless `insert` says otherwise, inserted.
    pub label: String,
    /// Its kind.
    pub kind: CompletionKind,
    /// A one-line detail (a type, a signature).
    pub detail: Option<String>,
    /// Its documentation (Markdown).
    pub doc: Option<String>,
    /// The text inserted, when it differs from the label.
    pub insert: Option<String>,
    /// Sorts first (required fields).
    pub preselect: bool,
}

impl Completion {
    fn new(label: impl Into<String>, kind: CompletionKind) -> Completion {
        Completion { label: label.into(), kind, detail: None, doc: None, insert: None, preselect: false }
    }

    fn detail(mut self, detail: impl Into<String>) -> Completion {
        self.detail = Some(detail.into());
        self
    }
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The identifier being typed before byte `offset` of `text` (`rep` in `  rep|`;
/// empty past the end or inside a character).
pub fn typed_prefix(text: &str, offset: u32) -> &str {
    let Some(head) = text.get(..offset as usize) else { return "" };
    let len = head.chars().rev().take_while(|&c| is_ident(c)).map(char::len_utf8).sum::<usize>();
    &head[head.len() - len..]
}

/// The completions at byte `offset` of `file`.
pub fn completions(a: &Analysis<'_>, file: SourceFile, offset: u32) -> Vec<Completion> {
    let db = a.db;
    let text = file.text(db);
    let offset = (offset as usize).min(text.len());
    let Some(head) = text.get(..offset) else { return Vec::new() };
    let start = offset - typed_prefix(text, offset as u32).len();
    let before = head[..start].chars().next_back();
    let line_start = head[..start].rfind('\n').map_or(0, |i| i + 1);
    let line = &head[line_start..start];
    if line.trim_start().starts_with("import") {
        return modules();
    }
    match before {
        Some('.') => return after_dot(a, file, start - 1),
        Some('@') => return tiers_and_stacks(a),
        _ => {}
    }
    if line.trim_end().ends_with(':') && !line.contains('=') {
        return types(a, file);
    }
    let located = locate(a, file, start as u32);
    if let Some(loc) = located
        && line.trim().is_empty()
        && let Some(fields) = unset_fields(a, loc.item, loc.offset)
    {
        return fields;
    }
    // `field = ` in an instance body: the values the field's type allows, first.
    if let Some(loc) = located
        && let Some(field) = line.trim().strip_suffix('=').map(str::trim)
        && field.chars().all(is_ident)
        && let Some(schema) = schema_of_instance(a, loc.item)
        && let Some(ty) = crate::types::field_ty(a, schema, field)
    {
        let mut values = allowed_values(a, &ty);
        if !values.is_empty() {
            values.extend(names(a, file, Some(loc.item)));
            return values;
        }
    }
    // The start of a `match` arm: the tiers, regions or stacks it can name.
    let arm_start = head[..start].trim_end().ends_with(['{', ',']) || line.trim().is_empty();
    if arm_start
        && let Some(loc) = located
        && let Some(names) = arm_names(a, loc.item, loc.offset)
    {
        return names;
    }
    names(a, file, located.map(|l| l.item))
}

/// Inside a `match` on `tier`, `region` or `stack` (or whose arms name one):
/// the names it can match.
fn arm_names(a: &Analysis<'_>, item: ItemId, offset: u32) -> Option<Vec<Completion>> {
    use sinfra_compiler::hir::resolve::{Res, resolve_item};
    use sinfra_compiler::hir::{Expr, Pat};
    let db = a.db;
    let hir = item_hir(db, item);
    let map = item_source_map(db, item);
    let (_, scrutinee, arms) = hir
        .body
        .exprs
        .iter()
        .filter_map(|(id, e)| match e {
            Expr::Match(s, arms) => Some((map.expr(id), *s, arms)),
            _ => None,
        })
        .filter(|(span, s, _)| map.expr(*s).end < offset && offset < span.end)
        .min_by_key(|(span, _, _)| span.len())?;
    // Not inside an arm's value.
    if arms.iter().any(|arm| {
        let s = map.expr(arm.body);
        s.start <= offset && offset <= s.end
    }) {
        return None;
    }
    let info = platform_info(db, a.project);
    let named: Vec<&str> = arms
        .iter()
        .flat_map(|arm| arm.pats.iter())
        .filter_map(|&p| match hir.body.pat(p) {
            Some(Pat::Name(n)) => Some(n.as_str()),
            _ => None,
        })
        .collect();
    let tiers: Vec<&str> = info.tiers.iter().map(|t| t.name.as_str()).collect();
    let regions: Vec<&str> = info.regions.iter().map(|r| r.name.as_str()).collect();
    let stacks: Vec<&str> = info.stacks.iter().map(|s| s.name.as_str()).collect();
    let (names, what) = match resolve_item(db, a.project, item).get(scrutinee) {
        Res::Context(ContextName::Tier) => (tiers, "tier"),
        Res::Context(ContextName::Region) => (regions, "region"),
        Res::Context(ContextName::Stack) => (stacks, "stack"),
        _ if !named.is_empty() && named.iter().all(|n| tiers.contains(n)) => (tiers, "tier"),
        _ if !named.is_empty() && named.iter().all(|n| regions.contains(n)) => (regions, "region"),
        _ if !named.is_empty() && named.iter().all(|n| stacks.contains(n)) => (stacks, "stack"),
        _ => return None,
    };
    let mut out: Vec<Completion> = names
        .into_iter()
        .filter(|n| !named.contains(n))
        .map(|n| {
            let mut c = Completion::new(n, CompletionKind::Platform).detail(what);
            c.preselect = true;
            c
        })
        .collect();
    out.push(Completion::new("_", CompletionKind::Platform).detail(format!("every other {what}")));
    Some(out)
}

/// The values a type allows that can be listed: string literals, `true`/`false`,
/// tiers, regions and stacks, and `none` for an optional.
fn allowed_values(a: &Analysis<'_>, ty: &Ty) -> Vec<Completion> {
    let db = a.db;
    let info = platform_info(db, a.project);
    let mut out = Vec::new();
    let mut add = |label: String, detail: &str| {
        let mut c = Completion::new(label, CompletionKind::Platform).detail(detail);
        c.preselect = true;
        out.push(c);
    };
    let mut todo = vec![ty.clone()];
    while let Some(t) = todo.pop() {
        match sinfra_compiler::signatures::underlying(db, a.project, &t, false) {
            Ty::Lit(s) => add(format!("{s:?}"), "allowed value"),
            Ty::Bool => {
                add("true".into(), "Bool");
                add("false".into(), "Bool");
            }
            Ty::Tier => info.tiers.iter().for_each(|t| add(t.name.clone(), "tier")),
            Ty::Region => info.regions.iter().for_each(|r| add(r.name.clone(), "region")),
            Ty::Stack => info.stacks.iter().for_each(|s| add(s.name.clone(), "stack")),
            Ty::Optional(inner) => {
                add("none".into(), "no value");
                todo.push(*inner);
            }
            Ty::Union(ts) => todo.extend(ts),
            _ => {}
        }
    }
    out
}

fn modules() -> Vec<Completion> {
    stdlib::MODULES
        .iter()
        .map(|m| m.name)
        .filter(|m| *m != stdlib::PRELUDE)
        .map(|m| Completion::new(m, CompletionKind::Module).detail(format!("std.{m}")))
        .collect()
}

fn tiers_and_stacks(a: &Analysis<'_>) -> Vec<Completion> {
    let info = platform_info(a.db, a.project);
    let tiers = info.tiers.iter().map(|t| {
        Completion::new(&t.name, CompletionKind::Platform).detail(if t.protected { "protected tier" } else { "tier" })
    });
    let stacks = info.stacks.iter().map(|s| {
        Completion::new(&s.name, CompletionKind::Platform)
            .detail(format!("stack (tier {})", info.tiers.get(s.tier).map_or("?", |t| t.name.as_str())))
    });
    tiers.chain(stacks).collect()
}

fn field_completion(a: &Analysis<'_>, schema: ItemId, name: &str) -> Completion {
    let db = a.db;
    let def = schema_def(db, a.project, schema);
    let mut c = Completion::new(name, CompletionKind::Field);
    if let Some(f) = def.fields.get(name) {
        c = c.detail(f.ty.display(db).to_string());
        c.doc = sinfra_compiler::signatures::member_doc(db, f.decl);
    }
    c
}

fn after_dot(a: &Analysis<'_>, file: SourceFile, dot: usize) -> Vec<Completion> {
    let db = a.db;
    let text = file.text(db);
    let head = &text[..dot];
    let receiver: String =
        head.chars().rev().take_while(|&c| is_ident(c)).collect::<Vec<_>>().into_iter().rev().collect();
    // A module: `k8s.`
    let imports = file_imports(db, file);
    let module = stdlib::module_of_path(file.path(db)).filter(|_| file.origin(db) == Origin::Stdlib);
    if imports.contains(&receiver) || module == Some(receiver.as_str()) {
        let index = project_index(db, a.project);
        return index
            .modules
            .get(&receiver)
            .map(|items| {
                items
                    .iter()
                    .map(|(name, &item)| {
                        let kind = match item.tag(db) {
                            ItemTag::Fn => CompletionKind::Function,
                            ItemTag::Schema | ItemTag::Type => CompletionKind::Type,
                            ItemTag::Resource | ItemTag::Service => CompletionKind::Instance,
                            _ => CompletionKind::Variable,
                        };
                        let mut c = Completion::new(name, kind).detail(item.tag(db).keyword());
                        c.doc = item_source_map(db, item).doc.as_deref().map(str::to_string);
                        c
                    })
                    .collect()
            })
            .unwrap_or_default();
    }
    // Anything else: the shape of the expression that ends at the dot.
    let Some(loc) = locate(a, file, dot as u32) else { return Vec::new() };
    let map = item_source_map(db, loc.item);
    let receiver_expr = map
        .exprs
        .iter()
        .filter(|(_, s)| s.end == loc.offset && !s.is_empty())
        .max_by_key(|(_, s)| s.len())
        .map(|(e, _)| e);
    let shape = match receiver_expr {
        Some(e) => shape_of(a, loc.item, e),
        // Text the parser could not make an expression of (`stack.` before a `}`): a plain name.
        None => shape_of_name(a, loc.item, &receiver),
    };
    match shape {
        Some(Shape::Schema(s)) => {
            let def = schema_def(db, a.project, s);
            let mut out: Vec<Completion> = def.fields.keys().map(|n| field_completion(a, s, n)).collect();
            for m in &def.lets {
                let h = item_hir(db, m.owner);
                if let Some(name) = h.kind.members().get(m.index).and_then(|&id| h.body[id].name()) {
                    out.push(Completion::new(name.as_str(), CompletionKind::Variable).detail("let"));
                }
            }
            out
        }
        Some(shape) => builtin_fields(&shape)
            .iter()
            .map(|(n, doc)| {
                let mut c = Completion::new(*n, CompletionKind::Field);
                c.doc = Some(doc.to_string());
                c
            })
            .collect(),
        None => Vec::new(),
    }
}

/// What a plain name written before a `.` is, read from the names in scope.
fn shape_of_name(a: &Analysis<'_>, item: ItemId, name: &str) -> Option<Shape> {
    let db = a.db;
    match ContextName::from_name(name) {
        Some(ContextName::Tier) => return Some(Shape::Tier),
        Some(ContextName::Region) => return Some(Shape::Region),
        Some(ContextName::Stack) => return Some(Shape::Stack),
        _ => {}
    }
    if name == "self" {
        return schema_of_instance(a, item).map(Shape::Schema);
    }
    let schema = schema_of_instance(a, item);
    if let Some(s) = schema
        && let Some(ty) = crate::types::field_ty(a, s, name)
    {
        return crate::types::shape_of_ty(a, &ty);
    }
    let global = project_index(db, a.project).global(name)?;
    match global.tag(db) {
        ItemTag::Resource | ItemTag::Service => schema_of_instance(a, global).map(Shape::Schema),
        _ => None,
    }
}

fn types(a: &Analysis<'_>, file: SourceFile) -> Vec<Completion> {
    let db = a.db;
    let mut out: Vec<Completion> = Ty::PRIMITIVES.iter().map(|p| Completion::new(*p, CompletionKind::Type)).collect();
    let index = project_index(db, a.project);
    for (name, &item) in &index.globals {
        if matches!(item.tag(db), ItemTag::Schema | ItemTag::Type) {
            out.push(Completion::new(name, CompletionKind::Type).detail(item.tag(db).keyword()));
        }
    }
    for m in file_imports(db, file).iter() {
        if let Some(items) = index.modules.get(m) {
            for (name, &item) in items {
                if matches!(item.tag(db), ItemTag::Schema | ItemTag::Type) {
                    out.push(
                        Completion::new(format!("{m}.{name}"), CompletionKind::Type).detail(item.tag(db).keyword()),
                    );
                }
            }
        }
    }
    out
}

/// At the start of a line directly inside an instance's body: the fields its schema has that it does not set yet.
fn unset_fields(a: &Analysis<'_>, item: ItemId, offset: u32) -> Option<Vec<Completion>> {
    let db = a.db;
    let hir = item_hir(db, item);
    let ItemKind::Instance { members, .. } = &hir.kind else { return None };
    let map = item_source_map(db, item);
    // Inside a member's value, field names are not what is wanted.
    if members.iter().any(|&m| {
        let s = map.member(m).whole;
        s.start < offset && offset < s.end && !matches!(hir.body[m], Member::Error)
    }) {
        return None;
    }
    let schema = schema_of_instance(a, item)?;
    let def = schema_def(db, a.project, schema);
    let set: Vec<&str> = members.iter().filter_map(|&m| hir.body[m].name()).map(|n| n.as_str()).collect();
    let mut out: Vec<Completion> = def
        .fields
        .iter()
        .filter(|(n, _)| !set.contains(&n.as_str()))
        .map(|(n, f)| {
            let mut c = field_completion(a, schema, n);
            c.insert = Some(format!("{n} = "));
            c.preselect = f.required();
            if f.required() {
                c.detail = c.detail.map(|d| format!("{d} (required)"));
            }
            c
        })
        .collect();
    out.sort_by_key(|c| !c.preselect);
    Some(out)
}

fn names(a: &Analysis<'_>, file: SourceFile, item: Option<ItemId>) -> Vec<Completion> {
    let db = a.db;
    let mut out = Vec::new();
    if let Some(item) = item {
        let hir = item_hir(db, item);
        for b in hir.body.bindings.values() {
            out.push(Completion::new(b.name.as_str(), CompletionKind::Variable).detail("local"));
        }
        let fields = field_scope(db, a.project, item, hir);
        let schema = schema_of_instance(a, item);
        for n in &fields.names {
            out.push(match schema {
                Some(s) => field_completion(a, s, n),
                None => Completion::new(n.as_str(), CompletionKind::Field),
            });
        }
        for c in ContextName::ALL {
            out.push(Completion::new(c.as_str(), CompletionKind::Variable).detail("context"));
        }
    }
    let index = project_index(db, a.project);
    for (name, &i) in &index.globals {
        let kind = match i.tag(db) {
            ItemTag::Fn => CompletionKind::Function,
            ItemTag::Schema | ItemTag::Type => CompletionKind::Type,
            ItemTag::Resource | ItemTag::Service => CompletionKind::Instance,
            _ => CompletionKind::Variable,
        };
        out.push(Completion::new(name, kind).detail(i.tag(db).keyword()));
    }
    for m in file_imports(db, file).iter() {
        out.push(Completion::new(m, CompletionKind::Module).detail("module"));
    }
    for b in Builtin::ALL {
        let sig = b.signature();
        let mut c = Completion::new(b.name(), CompletionKind::Function).detail("builtin");
        c.doc = Some(sig.doc.to_string());
        out.push(c);
    }
    out.sort_by(|x, y| x.label.cmp(&y.label));
    out.dedup_by(|x, y| x.label == y.label);
    out
}
