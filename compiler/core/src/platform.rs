//! Tiers, regions and stacks: the deploy targets every instance is evaluated
//! for, and which stacks each resource, service and policy belongs to.

use std::sync::Arc;

use crate::db::{Db, Project};
use crate::diagnostics::{Code, Diagnostic};
use crate::eval::builtins::is_dns_label;
use crate::hir::{Expr, ItemHir, ItemKind, Member, Name, StrPart, item_hir, item_source_map};
use crate::index::project_index;
use crate::items::ItemId;
use crate::loc::{Diag, Loc};
use crate::project::{Manifest, parse_manifest};
use crate::resolve::did_you_mean;

/// A declared tier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TierInfo {
    /// Its item.
    pub item: ItemId,
    /// Its name.
    pub name: String,
    /// Declared `protected`.
    pub protected: bool,
}

/// A declared region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionInfo {
    /// Its item.
    pub item: ItemId,
    /// Its identifier.
    pub name: String,
    /// The cloud's name for it.
    pub cloud_name: String,
}

/// A declared stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackInfo {
    /// Its item.
    pub item: ItemId,
    /// Its identifier.
    pub name: String,
    /// Its DNS form (`prod_us` → `prod-us`): directory and Application name.
    pub dns: String,
    /// Index into [`PlatformInfo::tiers`].
    pub tier: usize,
    /// Index into [`PlatformInfo::regions`].
    pub region: usize,
    /// The cluster API server URL.
    pub cluster: String,
    /// The namespace services deploy to.
    pub namespace: String,
}

/// Everything about the deploy targets.
#[derive(Debug, PartialEq, Eq, Default)]
pub struct PlatformInfo {
    /// The settings of `sinfra.toml`.
    pub manifest: Manifest,
    /// Tiers in declaration order.
    pub tiers: Vec<TierInfo>,
    /// Regions in declaration order.
    pub regions: Vec<RegionInfo>,
    /// Stacks in declaration order.
    pub stacks: Vec<StackInfo>,
    /// The `platform` item.
    pub platform: Option<ItemId>,
    /// Problems in tier, region, stack and platform declarations.
    pub diags: Vec<Diag>,
    /// Problems in `sinfra.toml`.
    pub manifest_diags: Vec<Diagnostic>,
}

impl PlatformInfo {
    /// The index of a stack by item.
    pub fn stack_index(&self, item: ItemId) -> Option<usize> {
        self.stacks.iter().position(|s| s.item == item)
    }

    /// The index of a tier by name.
    pub fn tier_index(&self, name: &str) -> Option<usize> {
        self.tiers.iter().position(|t| t.name == name)
    }

    /// The index of a stack by name.
    pub fn stack_by_name(&self, name: &str) -> Option<usize> {
        self.stacks.iter().position(|s| s.name == name)
    }

    /// The names of the stacks with these indices, comma-separated.
    pub fn stack_names(&self, stacks: &[usize]) -> String {
        stacks.iter().map(|&s| self.stacks[s].name.as_str()).collect::<Vec<_>>().join(", ")
    }
}

/// Lowers the tier, region, stack and platform declarations.
#[salsa::tracked(returns(ref))]
pub fn platform_info(db: &dyn Db, project: Project) -> Arc<PlatformInfo> {
    let index = project_index(db, project);
    let (mut manifest, manifest_diags) = parse_manifest(project.manifest_text(db));
    if !is_dns_label(&manifest.name) {
        manifest.name = sanitize_dns(&manifest.name); // reported by parse_manifest
    }
    let mut info = PlatformInfo { manifest, manifest_diags, ..PlatformInfo::default() };
    for (name, &item) in &index.tiers {
        let protected = matches!(item_hir(db, item).kind, ItemKind::Tier { protected: true });
        if !is_dns_label(&name.replace('_', "-")) {
            info.diags.push(Diag::new(
                Code::InvalidOutputName,
                format!("tier name `{name}` is not usable as a label value"),
                Loc::new(item, name_span(db, item)),
                "use lowercase letters, digits and `_`",
            ));
        }
        info.tiers.push(TierInfo { item, name: name.clone(), protected });
    }
    for (name, &item) in &index.regions {
        let hir = item_hir(db, item);
        let mut cloud_name = name.replace('_', "-");
        if let ItemKind::Region { value } = &hir.kind {
            match literal_string(hir, *value) {
                Some(s) => cloud_name = s,
                None => info.diags.push(Diag::new(
                    Code::InvalidPlatform,
                    "a region's cloud name must be a plain string literal",
                    Loc::new(item, item_source_map(db, item).expr(*value)),
                    "not a string literal",
                )),
            }
        }
        info.regions.push(RegionInfo { item, name: name.clone(), cloud_name });
    }
    for (name, &item) in &index.stacks {
        if let Some(stack) = lower_stack(db, &mut info, item, name) {
            info.stacks.push(stack);
        }
    }
    if info.tiers.is_empty()
        && let Some(&item) = index.stacks.values().next()
    {
        info.diags.push(Diag::new(
            Code::InvalidPlatform,
            "the project declares no tier",
            Loc::new(item, name_span(db, item)),
            "this stack needs a tier",
        ));
    }
    info.platform = index.platforms.iter().copied().find(|p| p.file(db).origin(db) == crate::db::Origin::Project);
    let project_platforms: Vec<ItemId> =
        index.platforms.iter().copied().filter(|p| p.file(db).origin(db) == crate::db::Origin::Project).collect();
    for extra in project_platforms.iter().skip(1) {
        info.diags.push(
            Diag::new(
                Code::InvalidPlatform,
                "a project has one `platform` block",
                Loc::new(*extra, keyword_span(db, *extra)),
                "second `platform` block",
            )
            .with_label(Loc::new(project_platforms[0], keyword_span(db, project_platforms[0])), "first declared here"),
        );
    }
    Arc::new(info)
}

fn lower_stack(db: &dyn Db, info: &mut PlatformInfo, item: ItemId, name: &str) -> Option<StackInfo> {
    let hir = item_hir(db, item);
    let map = item_source_map(db, item);
    let ItemKind::Stack { members } = &hir.kind else { return None };
    let mut tier = None;
    let mut region = None;
    let mut cluster = None;
    let mut namespace = None;
    for &member in members {
        let (setting, value) = match &hir.body[member] {
            Member::Assign { name, value } => (*name, *value),
            Member::Field { .. } => {
                info.diags.push(Diag::new(
                    Code::MisplacedItem,
                    "a stack sets fields, it declares none",
                    Loc::new(item, map.member(member).whole),
                    "write `name = value`",
                ));
                continue;
            }
            _ => continue,
        };
        let setting_at = Loc::new(item, map.member(member).name);
        let at = Loc::new(item, map.expr(value));
        match setting.as_str() {
            "tier" | "region" => {
                let is_tier = setting.as_str() == "tier";
                let setting = setting.as_str();
                let Expr::Name(target) = &hir.body[value] else {
                    info.diags.push(Diag::new(
                        Code::InvalidPlatform,
                        format!("`{setting}` takes a declared {setting} name"),
                        at,
                        "not a name",
                    ));
                    continue;
                };
                let names: Vec<&str> = if is_tier {
                    info.tiers.iter().map(|t| t.name.as_str()).collect()
                } else {
                    info.regions.iter().map(|r| r.name.as_str()).collect()
                };
                match names.iter().position(|n| *n == target.as_str()) {
                    Some(i) if is_tier => tier = Some(i),
                    Some(i) => region = Some(i),
                    None => {
                        let mut d = Diag::new(
                            Code::UnknownName,
                            format!("unknown {setting} `{target}`"),
                            at,
                            format!("no {setting} of this name"),
                        )
                        .with_note(format!("declared {setting}s: {}", names.join(", ")));
                        if let Some(s) = did_you_mean(target.as_str(), names.iter().copied()) {
                            d = d.with_help(format!("did you mean `{s}`?")).with_fix(
                                format!("replace with `{s}`"),
                                at,
                                s,
                            );
                        }
                        info.diags.push(d);
                        // Keep the stack so that its uses resolve; mark it with the first tier/region.
                        if is_tier { tier = Some(usize::MAX) } else { region = Some(usize::MAX) }
                    }
                }
            }
            "cluster" | "namespace" => match literal_string(hir, value) {
                Some(s) if setting.as_str() == "cluster" => cluster = Some(s),
                Some(s) => {
                    if !is_dns_label(&s) {
                        info.diags.push(Diag::new(
                            Code::InvalidOutputName,
                            format!("namespace `{s}` is not a DNS-1123 label"),
                            at,
                            "invalid namespace",
                        ));
                    }
                    namespace = Some(s)
                }
                None => info.diags.push(Diag::new(
                    Code::InvalidPlatform,
                    format!("`{setting}` must be a plain string literal"),
                    at,
                    "not a string literal",
                )),
            },
            other => {
                let mut d = Diag::new(
                    Code::UnknownField,
                    format!("unknown stack setting `{other}`"),
                    setting_at,
                    "a stack has `tier`, `region`, `cluster` and `namespace`",
                );
                if let Some(s) = did_you_mean(other, ["tier", "region", "cluster", "namespace"]) {
                    d = d.with_help(format!("did you mean `{s}`?")).with_fix(
                        format!("replace with `{s}`"),
                        setting_at,
                        s,
                    );
                }
                info.diags.push(d);
            }
        }
    }
    let at = Loc::new(item, map.name);
    let mut missing = Vec::new();
    if tier.is_none() {
        missing.push("tier");
    }
    if region.is_none() {
        missing.push("region");
    }
    if cluster.is_none() {
        missing.push("cluster");
    }
    if !missing.is_empty() {
        info.diags.push(Diag::new(
            Code::MissingField,
            format!(
                "stack `{name}` is missing {}",
                missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
            ),
            at,
            "incomplete stack",
        ));
    }
    let mut dns = name.replace('_', "-");
    if !is_dns_label(&dns) {
        info.diags.push(
            Diag::new(
                Code::InvalidOutputName,
                format!("stack name `{name}` does not make a DNS-1123 label (`{dns}`)"),
                at,
                "used as a directory and an Argo CD Application name",
            )
            .with_help("use lowercase letters, digits and `_`"),
        );
        dns = sanitize_dns(&dns);
    }
    let tier = tier.filter(|&t| t != usize::MAX).or(if info.tiers.is_empty() { None } else { Some(0) })?;
    let region = region.filter(|&r| r != usize::MAX).or(if info.regions.is_empty() { None } else { Some(0) })?;
    Some(StackInfo {
        item,
        name: name.to_string(),
        dns,
        tier,
        region,
        cluster: cluster.unwrap_or_default(),
        namespace: namespace.unwrap_or_else(|| info.manifest.name.clone()),
    })
}

/// A DNS label close to `s`, so that evaluation goes on after an invalid name was reported.
pub fn sanitize_dns(s: &str) -> String {
    let mapped: String =
        s.to_lowercase().chars().map(|c| if c.is_ascii_lowercase() || c.is_ascii_digit() { c } else { '-' }).collect();
    let trimmed: String = mapped.trim_matches('-').chars().take(63).collect();
    let trimmed = trimmed.trim_end_matches('-').to_string();
    if trimmed.is_empty() { "x".to_string() } else { trimmed }
}

fn literal_string(hir: &ItemHir, e: crate::hir::ExprId) -> Option<String> {
    match &hir.body[e] {
        Expr::Str(parts) => match &**parts {
            [] => Some(String::new()),
            [StrPart::Text(t)] => Some(t.to_string()),
            _ => None,
        },
        _ => None,
    }
}

fn name_span(db: &dyn Db, item: ItemId) -> sinfra_syntax::Span {
    item_source_map(db, item).name
}

/// Whether a service or resource is declared `protected` (its tier may protect it too).
pub fn declared_protected(db: &dyn Db, item: ItemId) -> bool {
    matches!(item_hir(db, item).kind, ItemKind::Instance { protected: true, .. })
}

/// The span of the `platform` keyword of a platform item.
pub fn keyword_span(db: &dyn Db, item: ItemId) -> sinfra_syntax::Span {
    let s = item_source_map(db, item).item;
    sinfra_syntax::Span::new(s.start, s.start + "platform".len() as u32)
}

/// The stacks an instance (resource, service or policy) belongs to, or `None` for a shared resource.
#[derive(Debug, PartialEq, Eq)]
pub struct Placement {
    /// Stack indices, in declaration order; `None` for a `shared` resource.
    pub stacks: Option<Vec<usize>>,
    /// Problems in the selector.
    pub diags: Vec<Diag>,
}

/// Where an instance exists.
#[salsa::tracked(returns(ref))]
pub fn placement(db: &dyn Db, project: Project, item: ItemId) -> Arc<Placement> {
    let info = platform_info(db, project);
    let hir = item_hir(db, item);
    let map = item_source_map(db, item);
    let (selector, shared) = match &hir.kind {
        ItemKind::Instance { selector, shared, .. } => (selector.as_deref(), *shared),
        ItemKind::Policy { selector, .. } => (selector.as_deref(), false),
        _ => (None, false),
    };
    let mut diags = Vec::new();
    if shared {
        if selector.is_some() {
            diags.push(Diag::new(
                Code::MisplacedItem,
                "a shared resource has one instance; it takes no selector",
                Loc::new(item, map.selector_span.unwrap_or_default()),
                "remove this selector",
            ));
        }
        return Arc::new(Placement { stacks: None, diags });
    }
    let stacks = match selector {
        None => (0..info.stacks.len()).collect(),
        Some(names) => select(info, item, names, &map.selector, &mut diags),
    };
    Arc::new(Placement { stacks: Some(stacks), diags })
}

fn select(
    info: &PlatformInfo,
    item: ItemId,
    names: &[Name],
    spans: &[sinfra_syntax::Span],
    diags: &mut Vec<Diag>,
) -> Vec<usize> {
    let mut chosen = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let span = spans.get(i).copied().unwrap_or_default();
        if let Some(t) = info.tier_index(name.as_str()) {
            chosen.extend(info.stacks.iter().enumerate().filter(|(_, s)| s.tier == t).map(|(i, _)| i));
        } else if let Some(s) = info.stack_by_name(name.as_str()) {
            chosen.push(s);
        } else {
            let candidates: Vec<&str> =
                info.tiers.iter().map(|t| t.name.as_str()).chain(info.stacks.iter().map(|s| s.name.as_str())).collect();
            let mut d = Diag::new(
                Code::UnknownName,
                format!("unknown tier or stack `{name}`"),
                Loc::new(item, span),
                "no tier or stack of this name",
            )
            .with_note(format!("tiers and stacks: {}", candidates.join(", ")));
            if let Some(s) = did_you_mean(name.as_str(), candidates.iter().copied()) {
                d = d.with_help(format!("did you mean `{s}`?")).with_fix(
                    format!("replace with `{s}`"),
                    Loc::new(item, span),
                    s,
                );
            }
            diags.push(d);
        }
    }
    chosen.sort_unstable();
    chosen.dedup();
    chosen
}
