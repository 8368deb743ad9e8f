//! The tier, secret and address rules, judged on evaluated values — never on
//! syntax — so that every route a value can take is covered: a value from
//! another tier (E0301) or region (E0302), a secret in plain text (E0303), a
//! string holding the address of another tier's resource instance (E0304),
//! and values that have no YAML form in output documents.
//!
//! The same function, [`judge`], runs on an instance's fields (`check`), on
//! its output documents (`check` and `build`) and on the `platform` block's
//! value, so `check` and `build` cannot disagree.

use std::sync::Arc;

use crate::db::{Db, Project};
use crate::diagnostics::{Code, Severity};
use crate::eval::value::{Label, Labels, V, Value};
use crate::eval::{instance_value, platform_value};
use crate::items::{ItemId, ItemTag};
use crate::loc::{Diag, Loc};
use crate::platform::{PlatformInfo, placement, platform_info};
use crate::project::RuleLevel;

use super::addresses::{AddressTable, address_table};

/// The name of the schema member whose value is an instance's output documents.
pub const MANIFESTS: &str = "manifests";

/// What is being judged: an instance (or the `platform` block) in one stack.
pub struct Subject<'a> {
    /// The database.
    pub db: &'a dyn Db,
    /// The project.
    pub project: Project,
    /// Tiers, regions, stacks.
    pub info: &'a PlatformInfo,
    /// The service, resource or platform item.
    pub item: ItemId,
    /// The stack (index into `info.stacks`).
    pub stack: usize,
    /// Every address of every resource instance.
    pub addresses: &'a AddressTable,
}

impl Subject<'_> {
    /// `service `api``, `the platform block`.
    fn describe(&self) -> String {
        match self.item.tag(self.db) {
            ItemTag::Platform => "the platform block".to_string(),
            tag => format!("{} `{}`", tag.describe(), self.item.name(self.db)),
        }
    }

    fn stack_desc(&self) -> String {
        let st = &self.info.stacks[self.stack];
        format!("stack `{}` (tier {})", st.name, self.info.tiers[st.tier].name)
    }

    fn report(&self, d: Diag, diags: &mut Vec<Diag>) {
        let st = &self.info.stacks[self.stack];
        diags.push(d.in_context(Some(&st.name), Some(self.describe())));
    }
}

/// The label rules for one instance's fields in one stack (E0301–E0304).
#[salsa::tracked(returns(ref))]
pub fn instance_rules(db: &dyn Db, project: Project, item: ItemId, stack: ItemId) -> Arc<Vec<Diag>> {
    let info = platform_info(db, project);
    let mut diags = Vec::new();
    let Some(s) = info.stack_index(stack) else { return Arc::new(diags) };
    let evaluated = instance_value(db, project, item, Some(stack));
    let subject = Subject { db, project, info, item, stack: s, addresses: address_table(db, project) };
    judge(&subject, &evaluated.value, false, "", &mut diags);
    Arc::new(diags)
}

/// The rules for the `platform` block in one stack: its fields and its
/// output documents (the Argo CD Application).
#[salsa::tracked(returns(ref))]
pub fn platform_rules(db: &dyn Db, project: Project, stack: ItemId) -> Arc<Vec<Diag>> {
    let info = platform_info(db, project);
    let mut diags = Vec::new();
    let (Some(s), Some(item)) = (info.stack_index(stack), info.platform) else { return Arc::new(diags) };
    let evaluated = platform_value(db, project, Some(stack));
    let subject = Subject { db, project, info, item, stack: s, addresses: address_table(db, project) };
    if let V::Record(r) = &evaluated.value.v {
        for (name, field) in &r.fields {
            judge(&subject, field, name == MANIFESTS, name, &mut diags);
        }
    }
    Arc::new(diags)
}

/// Every rule on `value`: tier labels anywhere inside it, secrets, addresses,
/// and — when `output` (output documents) — raw secrets and values without a
/// YAML form. `path` names `value` in messages (`ops_repo`; empty for an
/// instance's record or its documents).
pub fn judge(subject: &Subject<'_>, value: &Value, output: bool, path: &str, diags: &mut Vec<Diag>) {
    judge_after(subject, value, output, path, &JudgedStrings::default(), diags)
}

/// The strings of values already judged in the same stack (an instance's
/// fields), by the address of their text: an output document shares them
/// with the fields it was built from (a string is never copied), and what
/// their search for addresses would report, the fields' judgement reported.
/// Only valid while those values are alive (their owner holds them).
#[derive(Default)]
struct JudgedStrings(rustc_hash::FxHashSet<usize>);

impl JudgedStrings {
    fn of(value: &Value) -> JudgedStrings {
        fn collect(v: &Value, out: &mut rustc_hash::FxHashSet<usize>) {
            match &v.v {
                V::Str(s) => {
                    out.insert(s.as_ptr() as usize);
                }
                V::List(items) => items.iter().for_each(|i| collect(i, out)),
                V::Record(r) => r.fields.values().for_each(|f| collect(f, out)),
                _ => {}
            }
        }
        let mut out = rustc_hash::FxHashSet::default();
        collect(value, &mut out);
        JudgedStrings(out)
    }

    fn contains(&self, s: &Arc<str>) -> bool {
        !self.0.is_empty() && self.0.contains(&(s.as_ptr() as usize))
    }
}

/// [`judge`], skipping the address search in strings already judged.
fn judge_after(
    subject: &Subject<'_>,
    value: &Value,
    output: bool,
    path: &str,
    judged: &JudgedStrings,
    diags: &mut Vec<Diag>,
) {
    let mut labels = Vec::new();
    value.deep_labels(&mut labels);
    // One report per root cause: the expression that brought the value in or,
    // when the instance was selected elsewhere (an argument passed to a helper),
    // that selection.
    let mut seen: Vec<Loc> = Vec::new();
    for label in &labels {
        if let Label::Instance { tier: Some(t), stack: Some(from), resource, origin, source, via } = label {
            let cause = if selected_elsewhere(*origin, *source) { *source } else { *origin };
            if !seen.contains(&cause) {
                seen.push(cause);
                let selection = Selection { tier: *t, from: *from, resource: *resource, source: *source, via: *via };
                tier_rule(subject, &selection, *origin, diags);
            }
        }
    }
    let mut walker = Walker { subject, output, judged, seen_secrets: Vec::new(), seen_addresses: Vec::new(), diags };
    walker.walk(value, value.origin, &mut path.to_string());
}

/// Whether the selection is outside the reported expression, so worth its own label
/// (`cache@latest.host` contains `cache@latest`; a helper's `x.host` does not).
fn selected_elsewhere(origin: Loc, source: Loc) -> bool {
    source.item != origin.item || source.span.start < origin.span.start || source.span.end > origin.span.end
}

/// The `@sel` part of a selection written `x@sel` at `source` (for a fix that removes it).
fn selector_of(db: &dyn crate::db::Db, source: Loc) -> Option<Loc> {
    let hir = crate::hir::item_hir(db, source.item);
    let map = crate::hir::item_source_map(db, source.item);
    hir.body.exprs.iter().find_map(|(id, e)| match e {
        crate::hir::Expr::At(base, _) if map.expr(id) == source.span => {
            Some(Loc::new(source.item, sinfra_syntax::Span::new(map.expr(*base).end, source.span.end)))
        }
        _ => None,
    })
}

/// E0301 (another tier) and E0302 (same tier, another region).
/// Where a tier-labelled value came from.
struct Selection {
    tier: usize,
    from: usize,
    resource: ItemId,
    source: Loc,
    via: Option<Loc>,
}

fn tier_rule(subject: &Subject<'_>, selection: &Selection, origin: Loc, diags: &mut Vec<Diag>) {
    let Selection { tier, from, resource, source, via } = *selection;
    let (db, info) = (subject.db, subject.info);
    let st = &info.stacks[subject.stack];
    let resource_name = resource.name(db);
    let what = subject.describe();
    let selected_elsewhere = selected_elsewhere(origin, source);
    if tier != st.tier {
        let mut d = Diag::new(
            Code::TierMismatch,
            format!(
                "tier mismatch: {what} in stack `{}` (tier {}) uses a value from tier {}",
                st.name, info.tiers[st.tier].name, info.tiers[tier].name
            ),
            origin,
            format!(
                "this value belongs to tier `{}` (`{resource_name}` in stack `{}`)",
                info.tiers[tier].name, info.stacks[from].name
            ),
        );
        if subject.item.tag(db) != ItemTag::Platform {
            // Where the instance runs, by tier: the merged report lists the stacks it fails in.
            let own: Vec<usize> =
                placement(db, subject.project, subject.item).stacks.iter().flatten().copied().collect();
            let by_tier: Vec<String> = info
                .tiers
                .iter()
                .enumerate()
                .filter_map(|(t, tier)| {
                    let stacks: Vec<usize> = own.iter().copied().filter(|&x| info.stacks[x].tier == t).collect();
                    (!stacks.is_empty()).then(|| format!("{} (tier {})", info.stack_names(&stacks), tier.name))
                })
                .collect();
            if !by_tier.is_empty() {
                d = d.with_note(format!("`{}` is deployed to {}", subject.item.name(db), by_tier.join(", ")));
            }
        }
        if let Some(call) = via.filter(|v| *v != source && !selected_elsewhere) {
            d = d.with_label(call, crate::diagnostics::CALLED_FROM);
        }
        d = if selected_elsewhere {
            d.with_label(source, format!("`{resource_name}` of tier `{}` is selected here", info.tiers[tier].name))
                .with_help(format!(
                    "at the selection, use `{resource_name}` without `@…`: the instance in each stack's own tier"
                ))
        } else {
            d.with_help(format!("use `{resource_name}` without `@…` for the instance in the own stack"))
        };
        if let Some(selector) = selector_of(db, source) {
            d = d.with_fix(format!("use `{resource_name}` of the own stack (remove the selector)"), selector, "");
        }
        subject.report(d, diags);
    } else if from != subject.stack {
        let severity = match info.manifest.cross_region {
            RuleLevel::Allow => return,
            RuleLevel::Warn => Severity::Warning,
            RuleLevel::Error => Severity::Error,
        };
        let mut d = Diag::new(
            Code::CrossRegion,
            format!(
                "{what} in stack `{}` uses `{resource_name}` of stack `{}`, another region of tier {}",
                st.name, info.stacks[from].name, info.tiers[tier].name
            ),
            origin,
            format!("from region `{}`", info.regions[info.stacks[from].region].name),
        )
        .with_severity(severity)
        .with_note("cross-region traffic is slow and fails with the other region; `[rules] cross_region` in sinfra.toml sets this to \"allow\", \"warn\" or \"error\"")
        .with_help(format!("use `{resource_name}` without `@…` for the instance in the own region"));
        if selected_elsewhere {
            d = d.with_label(
                source,
                format!("`{resource_name}` of stack `{}` is selected here", info.stacks[from].name),
            );
        }
        subject.report(d, diags);
    }
}

/// Walks a value's strings, keys, secrets and scalars.
struct Walker<'a, 'd> {
    subject: &'a Subject<'a>,
    output: bool,
    judged: &'a JudgedStrings,
    seen_secrets: Vec<Loc>,
    seen_addresses: Vec<(Loc, usize)>,
    diags: &'d mut Vec<Diag>,
}

impl Walker<'_, '_> {
    fn walk(&mut self, v: &Value, parent: Option<Loc>, path: &mut String) {
        let origin = v.origin.or(parent);
        match &v.v {
            V::Str(text) => {
                self.secret_labels(&v.labels, false, path);
                if !self.judged.contains(text) {
                    self.address(text, &v.labels, origin, false);
                }
            }
            V::Secret(_) if self.output => self.secret_labels(&v.labels, true, path),
            V::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    let _ = std::fmt::Write::write_fmt(path, format_args!("[{i}]"));
                    self.walk(item, origin, path);
                    path.truncate(len);
                }
            }
            V::Record(r) => {
                for (k, item) in &r.fields {
                    let len = path.len();
                    path.push('.');
                    path.push_str(k);
                    if !r.key_labels.is_empty() {
                        self.secret_labels(&r.key_labels, false, path);
                    }
                    if self.subject.addresses.key_may_mention(*k) {
                        self.address(k, &r.key_labels, item.origin.or(origin), true);
                    }
                    if !(self.output && matches!(item.v, V::None)) {
                        self.walk(item, origin, path);
                    }
                    path.truncate(len);
                }
            }
            V::Tier(_) | V::Region(_) | V::Stack(_) | V::Func(_) | V::Builtin(_) | V::Module(_) if self.output => {
                if let Some(at) = origin {
                    let d = Diag::new(
                        Code::TypeMismatch,
                        format!(
                            "a {} cannot be written to an output document (at `{}` in {})",
                            v.type_name(),
                            shown_path(path),
                            self.subject.stack_desc()
                        ),
                        at,
                        format!("this is a {}", v.type_name()),
                    )
                    .with_help(match v.v {
                        V::Tier(_) | V::Region(_) | V::Stack(_) => "write its name: `.name`",
                        _ => "call the function, or leave the field out",
                    });
                    self.subject.report(d, self.diags);
                }
            }
            _ => {}
        }
    }

    /// E0303: a string (or key) built from a secret, or (`raw`) a `Secret` in an output document.
    fn secret_labels(&mut self, labels: &Labels, raw: bool, path: &str) {
        for label in labels.iter() {
            let Label::Secret { origin } = label else { continue };
            if self.seen_secrets.contains(origin) {
                continue;
            }
            self.seen_secrets.push(*origin);
            let what = if raw { "a `Secret` value" } else { "a string built from a secret" };
            let d = Diag::new(
                Code::SecretLeak,
                format!(
                    "secret flows into plain text: {what} reaches `{}` in {}",
                    shown_path(path),
                    self.subject.stack_desc()
                ),
                *origin,
                "secret used here",
            )
            .with_note("plain env values, ConfigMaps, labels, annotations and map keys are readable by anyone who can read the manifests or the ops repo")
            .with_help(if raw {
                "an output document can only refer to a secret by name: put the `secret(…)` value in a field that becomes a `secretKeyRef` (e.g. an env value)"
            } else {
                "pass the `secret(…)` value itself where the stdlib expects a `Secret` (e.g. as an env value, which becomes a `secretKeyRef`); never build labels, keys or text from it"
            });
            self.subject.report(d, self.diags);
        }
    }

    /// E0304: the address of another tier's instance inside a computed string.
    /// For a key (`is_key`), `origin` is its value's: the key's own span is found from it.
    fn address(&mut self, text: &str, labels: &Labels, origin: Option<Loc>, is_key: bool) {
        let Some(mut at) = origin else { return };
        let subject = self.subject;
        let info = subject.info;
        let own_tier = info.stacks[subject.stack].tier;
        let Some((i, addr)) = subject.addresses.find(text, |a| {
            let Some(s) = a.stack else { return false };
            let tier = info.stacks[s].tier;
            // Derived from that tier's instance: already E0301, not reported twice.
            tier != own_tier && !labels.iter().any(|l| matches!(l, Label::Instance { tier: Some(t), .. } if *t == tier))
        }) else {
            return;
        };
        if is_key && let Some(span) = crate::eval::record_key_span(subject.db, at) {
            at = Loc::new(at.item, span);
        }
        if self.seen_addresses.contains(&(at, i)) {
            return;
        }
        self.seen_addresses.push((at, i));
        let db = subject.db;
        let from = addr.stack.unwrap_or_default();
        let tier = &info.tiers[info.stacks[from].tier].name;
        let name = addr.resource.name(db);
        let st = &info.stacks[subject.stack];
        let d = Diag::new(
            Code::ForeignAddress,
            format!(
                "this is the address of `{name}@{tier}` (stack `{}`, tier {tier}), but {} runs in stack `{}` (tier {})",
                info.stacks[from].name,
                subject.describe(),
                st.name,
                info.tiers[st.tier].name
            ),
            at,
            format!("`{}` of `{name}` in stack `{}`", addr.field, info.stacks[from].name),
        )
        .with_note(format!("the address is `{}`", addr.text))
        .with_help(format!("use `{name}.{}`: it is the address of the instance in each stack", addr.field));
        subject.report(d, self.diags);
    }
}

/// `env.REDIS_HOST`, `[0].spec.replicas`; `the value` at the root.
fn shown_path(path: &str) -> &str {
    let p = path.trim_start_matches('.');
    if p.is_empty() { "the value" } else { p }
}

/// The problems of an instance's output documents in one stack: what only
/// the templates reveal (their evaluation's diagnostics) and every rule on the
/// documents. `check` (through [`instance_output_rules`]) and `build` (through
/// `emit::instance_file`) both call this on the same evaluation.
pub fn output_rules(
    db: &dyn Db,
    project: Project,
    item: ItemId,
    stack: ItemId,
    evaluated: &crate::eval::Evaluated,
) -> Vec<Diag> {
    let info = platform_info(db, project);
    let mut diags = evaluated.diags.clone();
    super::drop_follow_ons(db, project, &mut diags);
    let Some(s) = info.stack_index(stack) else { return diags };
    let V::Record(r) = &evaluated.value.v else { return diags };
    let Some(manifests) = r.fields.get(MANIFESTS) else { return diags };
    let subject = Subject { db, project, info, item, stack: s, addresses: address_table(db, project) };
    // The instance's fields were judged in this stack by `instance_rules`; the
    // memo holds them (so their strings) alive while the documents are walked.
    let fields = instance_value(db, project, item, Some(stack));
    judge_after(&subject, manifests, true, "", &JudgedStrings::of(&fields.value), &mut diags);
    diags
}

/// `check`'s view of an instance's output documents: their diagnostics only
/// (the documents themselves are dropped; `build` renders them).
#[salsa::tracked(returns(ref))]
pub fn instance_output_rules(db: &dyn Db, project: Project, item: ItemId, stack: ItemId) -> Arc<Vec<Diag>> {
    let evaluated = crate::eval::instance_output_value(db, project, item, stack);
    Arc::new(output_rules(db, project, item, stack, &evaluated))
}

/// Whether a failed evaluation left its mark (the poison value) anywhere in `v`.
pub fn contains_error(v: &Value) -> bool {
    match &v.v {
        V::Error => true,
        V::List(items) => items.iter().any(contains_error),
        V::Record(r) => r.fields.values().any(contains_error),
        _ => false,
    }
}
