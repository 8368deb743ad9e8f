//! The tier and secret rules, applied to evaluated instances: a value from
//! another tier (E0301) or region (E0302), a secret in plain output (E0303),
//! and a literal address of another tier's resource (E0304).

use std::sync::Arc;

use sinfra_syntax::Span;
use sinfra_syntax::ast::{Expr, ExprKind, ItemKind, Member, StrPart};

use crate::db::{Db, Project};
use crate::diagnostics::{Code, Severity};
use crate::eval::instance_value;
use crate::eval::value::{Label, V, Value};
use crate::index::project_index;
use crate::items::{ItemId, ItemTag, item_syntax};
use crate::loc::{Diag, Loc};
use crate::platform::{PlatformInfo, placement, platform_info};
use crate::project::RuleLevel;
use crate::resolve::FileScope;
use crate::signatures::schema_def;

/// The name of the schema member whose value is an instance's output documents.
pub const MANIFESTS: &str = "manifests";

/// The label rules for one instance in one stack.
#[salsa::tracked(returns(ref))]
pub fn instance_rules(db: &dyn Db, project: Project, item: ItemId, stack: ItemId) -> Arc<Vec<Diag>> {
    let info = platform_info(db, project);
    let mut diags = Vec::new();
    let Some(s) = info.stack_index(stack) else { return Arc::new(diags) };
    let evaluated = instance_value(db, project, item, Some(stack));
    let mut labels = Vec::new();
    evaluated.value.deep_labels(&mut labels);
    let mut seen: Vec<Loc> = Vec::new();
    let st = &info.stacks[s];
    let kind = item.tag(db).describe();
    for label in &labels {
        let Label::Instance { tier: Some(t), stack: Some(from), resource, origin } = label else { continue };
        if seen.contains(origin) {
            continue;
        }
        seen.push(*origin);
        let resource_name = resource.name(db);
        if *t != st.tier {
            let own = placement(db, project, item);
            let same_tier: Vec<usize> =
                own.stacks.iter().flatten().copied().filter(|&x| info.stacks[x].tier == st.tier).collect();
            diags.push(
                Diag::new(
                    Code::TierMismatch,
                    format!(
                        "tier mismatch: {kind} `{}` in stack `{}` (tier {}) uses a value from tier {}",
                        item.name(db),
                        st.name,
                        info.tiers[st.tier].name,
                        info.tiers[*t].name
                    ),
                    *origin,
                    format!(
                        "this value belongs to tier `{}` (`{resource_name}` in stack `{}`)",
                        info.tiers[*t].name, info.stacks[*from].name
                    ),
                )
                .with_note(format!(
                    "`{}` is deployed to stacks {} (tier {})",
                    item.name(db),
                    info.stack_names(&same_tier),
                    info.tiers[st.tier].name
                ))
                .with_help(format!("use `{resource_name}` without `@…` for the instance in the {kind}'s own stack")),
            );
        } else if *from != s {
            let severity = match info.manifest.cross_region {
                RuleLevel::Allow => continue,
                RuleLevel::Warn => Severity::Warning,
                RuleLevel::Error => Severity::Error,
            };
            diags.push(
                Diag::new(
                    Code::CrossRegion,
                    format!(
                        "{kind} `{}` in stack `{}` uses `{resource_name}` of stack `{}`, another region of tier {}",
                        item.name(db),
                        st.name,
                        info.stacks[*from].name,
                        info.tiers[*t].name
                    ),
                    *origin,
                    format!("from region `{}`", info.regions[info.stacks[*from].region].name),
                )
                .with_severity(severity)
                .with_note("cross-region traffic is slow and fails with the other region; `[rules] cross_region` in sinfra.toml sets this to \"allow\", \"warn\" or \"error\"")
                .with_help(format!("use `{resource_name}` without `@…` for the instance in the {kind}'s own region")),
            );
        }
    }
    // A string built from a secret is a leak wherever it sits: the only legitimate
    // use of a secret is the `Secret` value itself, which becomes a secret reference.
    if let V::Record(r) = &evaluated.value.v {
        for (name, field) in &r.fields {
            let mut path = name.clone();
            secrets_in_output(field, &mut path, &mut seen, &mut diags, &info.stacks[s].name);
        }
    }
    Arc::new(diags)
}

/// Reports secret-derived strings anywhere in `v`, and raw `Secret` values when `v`
/// is output (a path starting with `[`: the documents of `manifests`).
pub fn secrets_in_output(v: &Value, path: &mut String, seen: &mut Vec<Loc>, diags: &mut Vec<Diag>, stack: &str) {
    match &v.v {
        V::Str(_) | V::Secret(_) => {
            let is_raw = matches!(v.v, V::Secret(_));
            if is_raw && !path.starts_with('[') && !path.is_empty() {
                return; // a Secret in a field is fine: templates turn it into a reference
            }
            for label in v.labels.iter() {
                if let Label::Secret { origin } = label
                    && !seen.contains(origin)
                {
                    seen.push(*origin);
                    let what = if is_raw { "a `Secret` value" } else { "a string built from a secret" };
                    diags.push(
                        Diag::new(
                            Code::SecretLeak,
                            format!("secret flows into plain text: {what} reaches `{}` in stack `{stack}`", path.trim_start_matches('.')),
                            *origin,
                            "secret used here",
                        )
                        .with_note("plain env values, ConfigMaps, labels and annotations are readable by anyone who can read the manifests or the ops repo")
                        .with_help("pass the `secret(…)` value itself as an env value: it becomes a `secretKeyRef`"),
                    );
                }
            }
        }
        V::List(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                secrets_in_output(item, path, seen, diags, stack);
                path.truncate(len);
            }
        }
        V::Record(r) => {
            for (k, item) in &r.fields {
                let len = path.len();
                path.push('.');
                path.push_str(k);
                secrets_in_output(item, path, seen, diags, stack);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// An address of a resource instance (a field marked `@address`).
#[derive(Debug, PartialEq, Eq)]
pub struct Address {
    /// The address text.
    pub text: String,
    /// The resource.
    pub resource: ItemId,
    /// The field holding it.
    pub field: String,
    /// The instance's stack (`None`: shared).
    pub stack: Option<usize>,
}

/// Every address of every resource instance.
#[salsa::tracked(returns(ref))]
pub fn address_table(db: &dyn Db, project: Project) -> Arc<Vec<Address>> {
    let info = platform_info(db, project);
    let index = project_index(db, project);
    let mut out = Vec::new();
    for &item in index.globals.values().filter(|i| i.tag(db) == ItemTag::Resource) {
        let syntax = item_syntax(db, item);
        let ItemKind::Resource(decl) = &syntax.ast.kind else { continue };
        let scope = FileScope::new(db, index, item.file(db));
        let Ok(schema) = scope.path_item(&decl.schema) else { continue };
        if schema.tag(db) != ItemTag::Schema {
            continue;
        }
        let def = schema_def(db, project, schema);
        let address_fields: Vec<&String> = def.fields.iter().filter(|(_, f)| f.address).map(|(n, _)| n).collect();
        if address_fields.is_empty() {
            continue;
        }
        let stacks: Vec<Option<usize>> = match &placement(db, project, item).stacks {
            Some(st) => st.iter().map(|&s| Some(s)).collect(),
            None => vec![None],
        };
        for s in stacks {
            let value = instance_value(db, project, item, s.map(|s| info.stacks[s].item));
            let V::Record(r) = &value.value.v else { continue };
            for f in &address_fields {
                if let Some(Value { v: V::Str(text), .. }) = r.fields.get(f)
                    && text.len() >= 8
                {
                    out.push(Address { text: text.to_string(), resource: item, field: (*f).clone(), stack: s });
                }
            }
        }
    }
    Arc::new(out)
}

/// E0304: string literals in an instance that contain another tier's resource address.
#[salsa::tracked(returns(ref))]
pub fn literal_addresses(db: &dyn Db, project: Project, item: ItemId) -> Arc<Vec<Diag>> {
    let info = platform_info(db, project);
    let addresses = address_table(db, project);
    let mut diags = Vec::new();
    let Some(own) = placement(db, project, item).stacks.clone() else { return Arc::new(diags) };
    if addresses.is_empty() || own.is_empty() {
        return Arc::new(diags);
    }
    let syntax = item_syntax(db, item);
    let (ItemKind::Resource(decl) | ItemKind::Service(decl)) = &syntax.ast.kind else { return Arc::new(diags) };
    let mut literals = Vec::new();
    for m in &decl.body.members {
        match m {
            Member::Assign(a) => collect_literals(&a.value, &mut literals),
            Member::Let(l, _) => collect_literals(&l.value, &mut literals),
            _ => {}
        }
    }
    for (text, span) in literals {
        for addr in addresses.iter() {
            let Some(from) = addr.stack else { continue };
            let from_tier = info.stacks[from].tier;
            let wrong: Vec<usize> = own.iter().copied().filter(|&s| info.stacks[s].tier != from_tier).collect();
            if wrong.is_empty() || !text.contains(&addr.text) {
                continue;
            }
            diags.push(literal_diag(db, info, item, span, addr, &wrong));
            break;
        }
    }
    Arc::new(diags)
}

fn literal_diag(db: &dyn Db, info: &PlatformInfo, item: ItemId, span: Span, addr: &Address, wrong: &[usize]) -> Diag {
    let from = addr.stack.unwrap_or_default();
    let tier = &info.tiers[info.stacks[from].tier].name;
    let name = addr.resource.name(db);
    let first = &info.stacks[wrong[0]];
    Diag::new(
        Code::ForeignAddress,
        format!(
            "this is the address of `{name}@{tier}` (stack `{}`), but {} `{}` runs in stack `{}` (tier {})",
            info.stacks[from].name,
            item.tag(db).describe(),
            item.name(db),
            first.name,
            info.tiers[first.tier].name
        ),
        Loc::new(item, span),
        format!("`{}` of `{name}` in tier `{tier}`", addr.field),
    )
    .with_note(format!("affected stacks: {}", info.stack_names(wrong)))
    .with_help(format!("use `{name}.{}`: it is the address of the instance in each stack", addr.field))
}

fn collect_literals(e: &Expr, out: &mut Vec<(String, Span)>) {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::Str(parts) => {
                for p in parts {
                    match p {
                        StrPart::Text(t) => out.push((t.clone(), e.span)),
                        StrPart::Interp(x) => stack.push(x),
                    }
                }
            }
            ExprKind::Field(b, _) | ExprKind::At(b, _) | ExprKind::Unary(_, b) => stack.push(b),
            ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
                stack.push(a);
                stack.push(b);
            }
            ExprKind::Call(f, args) => {
                stack.push(f);
                stack.extend(args.iter());
            }
            ExprKind::List(items) => stack.extend(items.iter()),
            ExprKind::Record(entries) => stack.extend(entries.iter().map(|en| &en.value)),
            ExprKind::ListComp(c) => {
                stack.push(&c.element);
                stack.push(&c.iter);
            }
            ExprKind::MapComp(k, c) => {
                stack.push(k);
                stack.push(&c.element);
                stack.push(&c.iter);
            }
            ExprKind::If(a, b, c) => {
                stack.push(a);
                stack.push(b);
                stack.push(c);
            }
            ExprKind::Match(s, arms) => {
                stack.push(s);
                stack.extend(arms.iter().map(|a| &a.body));
            }
            ExprKind::Let(d, body) => {
                stack.push(&d.value);
                stack.push(body);
            }
            _ => {}
        }
    }
}
